"""Issue 19: every refusal a patient can meet on the public pages (booking steps, the
manage page, the waitlist, a form link) is in the patient's language, never the engine's
English. Each row provokes one refusal through the pages and reads the page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import Appointment
from tests import factories
from tests.booking.conftest import (  # noqa: F401  (fixtures)
    DETAILS, _limits, local_at, post_confirm, site, slot_values, walk_to_review, walk_to_times)


def _booked(client, site, db):
    walk_to_review(client, site, provider=str(site.maya.id))
    post_confirm(client)
    page = client.get("/book/confirmed").get_data(as_text=True)
    return re.search(r'id="manage-link" href="([^"]+)"', page).group(1), db.session.scalars(select(Appointment)).one()


def bad_details(client, site, db, app, monkeypatch):
    walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(client.get(
        f"/book/times?day={site.days[0]}").get_data(as_text=True))[0]})
    return client.post("/book/details", data={**DETAILS, "email": "not-an-email", "phone": "12",
                                              "date_of_birth": "2999-01-01"})


def late_cancel(client, site, db, app, monkeypatch):
    manage, appointment = _booked(client, site, db)
    site.maya.cancellation_window_hours = 24 * 10  # the appointment is 3 days away
    db.session.commit()
    return client.post(f"{manage}/cancel", data={"version": appointment.version})


def move_into_lunch(client, site, db, app, monkeypatch):
    manage, appointment = _booked(client, site, db)
    lunch = f"{local_at(site.days[1], 12).isoformat()}|{site.maya.id}"
    return client.post(f"{manage}/reschedule", data={"value": lunch, "version": appointment.version})


def cancel_a_changed_appointment(client, site, db, app, monkeypatch):
    manage, appointment = _booked(client, site, db)
    return client.post(f"{manage}/cancel", data={"version": appointment.version - 1})


def too_many_bookings(client, site, db, app, monkeypatch):
    monkeypatch.setitem(app.config["BOOKING_RATE_LIMITS"], "book_ip", "1/hour")
    walk_to_review(client, site)
    assert post_confirm(client).status_code == 302
    walk_to_review(client, site, details={**DETAILS, "email": "other@example.com"})
    return post_confirm(client)


def expired_claim_link(client, site, db, app, monkeypatch):
    return client.get("/book/claim/not-a-real-offer")


def wrong_code(client, site, db, app, monkeypatch):
    factories.make_client(email="old@example.com", first_name="Olga")
    db.session.commit()
    client.get(f"/book/l/{site.location.id}")
    client.post("/book/returning", data={"email": "old@example.com"})
    return client.post("/book/returning/code", data={"code": "000000"})


def blocked_patient(client, site, db, app, monkeypatch):
    person = factories.make_client(email="old@example.com", first_name="Olga", online_booking_blocked=True)
    factories.make_case(client=person, discipline=site.follow_up.discipline)
    db.session.commit()
    client.get(f"/book/l/{site.location.id}")
    client.post("/book/returning", data={"email": "old@example.com"})
    from app.models import Message
    from tests.booking.conftest import run_code_jobs
    run_code_jobs()
    code = db.session.scalars(select(Message).where(Message.kind == "login_code")).one().context["code"]
    return client.post("/book/returning/code", data={"code": code})


def join_the_waitlist(client, site, db, app, monkeypatch):
    walk_to_times(client, site)
    return client.post("/book/waitlist", data={**DETAILS, "agree": "y"})


def offer_gone(client, site, db, app, monkeypatch):
    from app.booking import tokens
    from tests.booking.test_waitlist import _two_offers_for_one_time

    links = [tokens.claim_url(o).split("127.0.0.1:5000")[1] for o in _two_offers_for_one_time(site, db)]
    assert client.post(links[0]).status_code == 302
    return client.post(links[1])


# provoke, status, {language: texts the page must show}, English that must not appear
ROWS = [
    (bad_details, 200, {
        "pt_PT": ["Indique um endereço de email válido.", "Introduza um número de telefone válido",
                  "Verifique a sua data de nascimento."],
        "fr_CA": ["Veuillez entrer une adresse courriel valide.", "Veuillez entrer un numéro de téléphone valide",
                  "Veuillez vérifier votre date de naissance."]},
     ["valid email", "phone number", "date of birth", "is not a"]),
    (late_cancel, 409, {
        "pt_PT": ["Por favor, ligue-nos", "Não é possível fazer alterações online a menos de 240 horas"],
        "fr_CA": ["Veuillez nous appeler", "Les modifications à moins de 240 heures"]},
     ["Please call us", "cannot be made online"]),
    (move_into_lunch, 409, {
        "pt_PT": ["Esse horário acabou de ser ocupado."],
        "fr_CA": ["Cette heure vient d’être prise."]},
     ["taken a moment ago", "break", "Maya Chen is"]),
    (cancel_a_changed_appointment, 409, {
        "pt_PT": ["Nada foi alterado", "Esta consulta foi alterada entretanto"],
        "fr_CA": ["Rien n’a été modifié", "Ce rendez-vous a changé entre-temps"]},
     ["Nothing was changed", "changed meanwhile"]),
    (too_many_bookings, 429, {
        "pt_PT": ["Demasiadas tentativas"], "fr_CA": ["Trop de tentatives"]},
     ["Too many attempts"]),
    (expired_claim_link, 410, {
        "pt_PT": ["Esta oferta expirou", "Continua na lista de espera."],
        "fr_CA": ["Cette offre a expiré", "Vous êtes toujours sur la liste d’attente."]},
     ["This offer has expired", "still on the waitlist"]),
    (wrong_code, 200, {
        "pt_PT": ["Esse código não está certo ou expirou."],
        "fr_CA": ["Ce code n’est pas bon ou il a expiré."]},
     ["That code is not right"]),
    (blocked_patient, 409, {
        "pt_PT": ["Por favor, ligue-nos", "Não podemos aceitar esta marcação online."],
        "fr_CA": ["Veuillez nous appeler", "Nous ne pouvons pas prendre cette réservation en ligne."]},
     ["Please call", "can&#39;t take this booking"]),
    (offer_gone, 409, {
        "pt_PT": ["Esse horário já não está livre", "Lamentamos, esse horário",
                  "Continua na lista de espera; enviaremos um email"],
        "fr_CA": ["Cette plage n", "Désolés, cette plage",
                  "Vous êtes toujours sur la liste d’attente; nous vous écrirons"]},
     ["That time has gone", "someone else took it", "still on the waitlist"]),
    (join_the_waitlist, 200, {
        "pt_PT": ["Está na lista de espera", "Enviaremos um email para nora@example.com"],
        "fr_CA": ["Vous êtes sur la liste d’attente", "Nous écrirons à nora@example.com"]},
     ["on the waitlist", "We&#39;ll email"]),
]


@pytest.mark.parametrize("language", ["pt_PT", "fr_CA"])
@pytest.mark.parametrize("provoke, status, shown, english", ROWS, ids=[row[0].__name__ for row in ROWS])
def test_a_refusal_on_the_public_pages_is_in_the_patients_language(
        client, site, db, app, monkeypatch, language, provoke, status, shown, english):  # noqa: F811
    client.get(f"/book/?lang={language}", follow_redirects=True)
    response = provoke(client, site, db, app, monkeypatch)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    for text in shown[language]:
        assert text in page, (text, page)
    for text in english:
        assert text not in page, text


def test_the_engines_reasons_each_have_patient_words():
    """Every reason the engine gives for refusing an online booking has a text of ours
    (the staff wording, naming calendars, never reaches the patient)."""
    from app.booking import refusals, service

    assert service.TAKEN <= set(refusals.BY_REASON)
