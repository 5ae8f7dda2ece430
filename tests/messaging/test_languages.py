"""Messages speak their reader's language: the client's, else their location's, else
English; a manager's template in that language wins over Plinth's own."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.messaging import templates
from app.messaging.delivery import deliver
from app.models import MessageTemplate
from tests.messaging.conftest import book
from tests.messaging.test_delivery import due_now, fresh


@pytest.mark.parametrize("client_language, location_language, subject_starts, body_has", [
    (None, None, "Your appointment at", "at 10:00"),
    (None, "pt_PT", "A sua consulta na", "às 10:00"),
    ("fr_CA", "pt_PT", "Votre rendez-vous chez", "à 10:00"),
    ("pt_PT", None, "A sua consulta na", "de dezembro"),
])
def test_a_confirmation_in_the_clients_language(scene, sendgrid, client_language, location_language,
                                                subject_starts, body_has):
    scene.client.preferred_language = client_language
    scene.people.location.language = location_language
    db.session.commit()
    appointment = book(scene, scene.at(10))
    message_id = due_now(appointment.id, "confirmation")
    assert deliver(message_id) == "sent"
    message = fresh(message_id)
    assert message.subject.startswith(subject_starts), message.subject
    if body_has == "de dezembro" and scene.day.month != 12:
        body_has = " de "  # the month's name depends on when the test runs; the Portuguese "de" does not
    assert body_has in message.body_text, message.body_text


def test_a_reminder_says_how_soon_in_the_clients_language(scene, sendgrid):
    scene.client.preferred_language = "pt_PT"
    db.session.commit()
    appointment = book(scene, scene.at(10))
    message_id = due_now(appointment.id, "reminder_1")
    assert deliver(message_id) == "sent"
    body = fresh(message_id).body_text
    assert "Um lembrete da sua consulta daqui a 1 dia" in body or "daqui a 2 horas" in body, body


def test_the_provider_reads_the_locations_language(scene, sendgrid):
    scene.client.preferred_language = "fr_CA"
    scene.people.location.language = "pt_PT"
    db.session.commit()
    appointment = book(scene, scene.at(10))
    message_id = due_now(appointment.id, "confirmation", audience="provider")
    assert deliver(message_id) == "sent"
    assert fresh(message_id).subject.startswith("Nova marcação")


def test_a_managers_template_in_the_language_wins_and_others_fall_back(scene, sendgrid):
    db.session.add(MessageTemplate(kind="confirmation", audience="client", language="pt_PT",
                                   subject="Marcado! {{ when }}", body_text="Até breve", body_html="<p>Até breve</p>"))
    db.session.commit()
    saved = templates.saved()
    assert templates.template_for("confirmation", "client", saved, language="pt_PT").subject == "Marcado! {{ when }}"
    # French: Plinth's French; an unknown language: the location's, then English.
    assert templates.template_for("confirmation", "client", saved, language="fr_CA").subject.startswith("Votre")
    assert templates.template_for("confirmation", "client", saved, language="de",
                                  fallback_language="pt_PT").subject == "Marcado! {{ when }}"
    assert templates.template_for("confirmation", "client", saved, language="de").subject.startswith("Your")
    # Reminders 1..5 share one template in every language.
    assert templates.template_for("reminder_3", "client", saved, language="fr_CA").subject.startswith("Rappel")


def test_every_shipped_translation_renders_with_the_english_samples():
    from app.messaging.translated_defaults import TRANSLATED

    for language, shipped in TRANSLATED.items():
        for (kind, _audience), template in shipped.items():
            assert templates.check(template, kind) == [], (language, kind)


def test_a_form_email_names_a_shipped_form_in_the_patients_language(db, people, sendgrid):
    """The form page says "Consentimento para tratamento"; its email says the same, not the
    English name stored with the message. A clinic's own form keeps its name as written."""
    from sqlalchemy import select as select_

    from app.intake import sending, service
    from app.intake.defaults import ensure_defaults
    from app.messaging.delivery import deliver
    from app.models import FormTemplate, Message
    from app.uow import unit_of_work
    from tests import factories

    ensure_defaults()
    client = factories.make_client(first_name="Maria", email="maria@example.pt", preferred_language="pt_PT")
    consent = db.session.scalar(select_(FormTemplate).where(FormTemplate.name == "Consent to treatment"))
    with unit_of_work():
        sending.send(service.create_request(consent, client.id))
    message_id = db.session.scalar(select_(Message.id).where(Message.kind == "form_request"))
    db.session.commit()
    assert deliver(message_id) == "sent"
    db.session.expire_all()
    sent = db.session.get(Message, message_id)
    assert "Consentimento para tratamento" in sent.subject and "Consent to treatment" not in sent.body_text


@pytest.mark.parametrize("client_language, header", [(None, "en"), ("pt_PT", "pt-PT"), ("fr_CA", "fr-CA")])
def test_an_email_says_its_language_to_the_mail_client(scene, sendgrid, client_language, header):
    scene.client.preferred_language = client_language
    db.session.commit()
    message_id = due_now(book(scene, scene.at(10)).id, "confirmation")
    assert deliver(message_id) == "sent"
    [request] = sendgrid.accepted()
    assert request["body"]["headers"] == {"Content-Language": header}
