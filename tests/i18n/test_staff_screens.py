"""Plinth's staff screens in the staff member's language: the provider's day, the client
file, the home page, the reports, the billing and front-desk lists and the Team form show
no English sentence the catalogue translates, and their own words in the language."""
from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta, timezone

import pytest
from babel.messages.pofile import read_po

from app.i18n import TRANSLATIONS_DIR
from app.timeutil import to_utc
from tests import factories
from tests.views.helpers import login

HIDDEN = re.compile(r"<script.*?</script>|<style.*?</style>|<select.*?</select>", re.S)
TAG = re.compile(r"<[^>]*>")
# Clinic data and FAB texts FAB itself leaves untranslated, which are not Plinth's to translate.
ALLOWED = {"Downtown", "Lisbon", "Harbour Physio"}

WORDS = {
    "pt_PT": {"/clinical/day": ["O meu dia", "Notas por terminar"], "client": ["Processos", "Mensagens enviadas"],
              "/": ["Bem-vindo(a)"], "/reports/attendance": ["Como estes números são contados", "Taxa de faltas"],
              "/invoiceview/list/": ["Faturas"], "/paymentview/list/": ["Pagamentos"],
              "/chargeview/list/": ["Débitos"], "/appointmentview/list/": ["Marcações"],
              "/waitlistview/list/": ["Lista de espera"], "/messageview/list/": ["Mensagens"],
              "/billing/receivables/": ["Contas a receber"], "/teammemberview/list/": ["Equipa"],
              "/intake/forms/": ["Novo formulário", "Finalidade"], "/intake/reviews/": ["Enviar pedidos de avaliação"]},
    "fr_CA": {"/clinical/day": ["Ma journée", "Notes à terminer"], "client": ["Dossiers", "Messages envoyés"],
              "/": ["Bienvenue"], "/reports/attendance": ["Comment ces chiffres sont calculés", "Taux d'absence"],
              "/invoiceview/list/": ["Factures"], "/paymentview/list/": ["Paiements"],
              "/chargeview/list/": ["Frais"], "/appointmentview/list/": ["Rendez-vous"],
              "/waitlistview/list/": ["Liste d'attente"], "/messageview/list/": ["Messages"],
              "/billing/receivables/": ["Comptes clients"], "/teammemberview/list/": ["Équipe"],
              "/intake/forms/": ["Nouveau formulaire", "But"], "/intake/reviews/": ["Envoyer des demandes d'avis"]},
}


def english_sentences(code: str) -> list[str]:
    """The catalogue's English wordings of two words or more that the language changes."""
    with open(TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f, locale=code)
    found = []
    for message in catalogue:
        if isinstance(message.id, str) and message.string and message.string != message.id and "%" not in message.id:
            text = TAG.sub("", message.id)
            if len(text.split()) >= 2 and text not in ALLOWED:
                found.append(text)
    return found


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", TAG.sub(" ", HIDDEN.sub(" ", html)))


@pytest.fixture()
def scene(db, people):
    client = factories.make_client(first_name="Inês", last_name="Gonçalves", email="ines@example.com")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider)
    day = datetime(2026, 12, 8).date()
    start = to_utc(day, time(10), "America/Toronto")
    factories.make_shift(people.provider_calendar, day, time(8), time(18))
    factories.make_appointment(people.provider_calendar, start, end=start + timedelta(minutes=45), case=case)
    db.session.commit()
    return client


@pytest.mark.parametrize("code", list(WORDS))
def test_the_staff_screens_speak_the_staff_members_language(client, db, people, scene, code):
    english = english_sentences(code)
    for username, urls in (("provider", ["/clinical/day?date=2026-12-08", f"/clinical/clients/{scene.id}"]),
                           ("manager", [u for u in WORDS[code] if u.startswith("/") and u != "/clinical/day"])):
        login(client, username)
        assert client.get(f"/lang/{code}").status_code == 302
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible(response.get_data(as_text=True))
            key = "client" if "/clients/" in url else url.split("?")[0]
            for word in WORDS[code][key]:
                assert word in text, (url, word)
            left = [sentence for sentence in english if sentence in text]
            assert not left, (url, left)
        client.get("/logout/")


# --- the note editor, shift planner, client import, template preview, my notifications,
# online booking and sign-in locks (their texts, row errors and codes in words) ----------

CSV = "\r\n".join(["Nome;Apelido;Data de nascimento;Email;Telemóvel",
                   "Ana;Silva;31/02/1975;ana@example.pt;912345678",  # not a real date
                   "Rui;Costa;05/06/1985;rui@@example;912345679",  # not an email
                   "Eva;Lopes;01/01/1990;eva@example.pt;12", ""]).encode("utf-8")  # not a phone
MORE_WORDS = {
    "pt_PT": {"note": ["Assinar nota", "Notas anteriores deste processo", "Rascunho"],
              "planner": ["Planeador de turnos", "Esta semana", "Copiar a semana mostrada"],
              "import": ["Importar clientes", "Importações recentes", "Carregado"],
              "mapping": ["Simulação: verificar cada linha", "As datas estão escritas"],
              "dry_run": ["Ainda nada foi gravado", "não é uma data real", "não é um endereço de email válido",
                          "não é um número de telefone válido", "erro"],
              "preview": ["Pré-visualização: Confirmação de marcação (para o cliente", "Repor o predefinido"],
              "notifications": ["As minhas notificações", "Enviar-me um email quando", "Um cliente meu faltou"],
              "online": ["Marcação online", "Ligações diretas por agenda"],
              "locks": ["Bloqueios de início de sessão", "Tentativas recentes de início de sessão"],
              "throttled": ["Demasiadas tentativas falhadas de início de sessão"]},
    "fr_CA": {"note": ["Signer la note", "Notes antérieures de ce dossier", "Brouillon"],
              "planner": ["Planificateur des quarts", "Cette semaine", "Copier la semaine affichée"],
              "import": ["Importer des clients", "Importations récentes", "Téléversé"],
              "mapping": ["Essai à blanc : vérifier chaque ligne", "Les dates sont écrites"],
              "dry_run": ["Rien n'a encore été écrit", "n'est pas une date réelle", "n'est pas une adresse courriel valide",
                          "n'est pas un numéro de téléphone valide", "erreur"],
              "preview": ["Aperçu : Confirmation de rendez-vous (au client", "Rétablir le texte par défaut"],
              "notifications": ["Mes notifications", "M'envoyer un courriel quand", "Un de mes clients ne s'est pas présenté"],
              "online": ["Réservation en ligne", "Liens directs par calendrier"],
              "locks": ["Verrous de connexion", "Tentatives de connexion récentes"],
              "throttled": ["Trop de connexions échouées"]},
}


def token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def says(html: str, code: str, screen: str, english: list[str]) -> None:
    from html import unescape

    text = unescape(visible(html))
    for word in MORE_WORDS[code][screen]:
        assert word in text, (screen, word)
    left = [sentence for sentence in english if sentence in text]
    assert not left, (screen, left)


@pytest.mark.parametrize("code", list(MORE_WORDS))
def test_the_note_planner_import_and_settings_screens_speak_the_staff_members_language(client, app, db, people, code):
    from app.models import AppointmentStatus, MessageTemplate

    english = english_sentences(code)
    people.other_location.country = "PT"
    case = factories.make_case(client=factories.make_client(first_name="Inês", last_name="Gonçalves"),
                               discipline=people.discipline, provider=people.provider)
    start = to_utc(datetime(2026, 12, 8).date(), time(10), "America/Toronto")
    visit = factories.make_appointment(people.provider_calendar, start, case=case, status=AppointmentStatus.arrived)
    template = MessageTemplate(kind="confirmation", audience="client", language="en", subject="Booked {{ when }}",
                               body_text="See you", body_html="<p>See you</p>")
    db.session.add(template)
    factories.make_user("Admin", username="root")
    db.session.commit()

    login(client, "provider")
    client.get(f"/lang/{code}")
    says(client.get(f"/clinical/visits/{visit.id}/note").get_data(as_text=True), code, "note", english)
    client.get("/logout/")

    login(client, "manager")
    client.get(f"/lang/{code}")
    says(client.get("/planner/").get_data(as_text=True), code, "planner", english)
    page = client.get("/clients/import/").get_data(as_text=True)
    uploaded = client.post("/clients/import/upload", data={"csrf_token": token(page), "location_id": people.other_location.id,
                                                          "file": (io.BytesIO(CSV), "clientes.csv")})
    mapping_url = uploaded.headers["Location"]
    mapping = client.get(mapping_url).get_data(as_text=True)
    says(mapping, code, "mapping", english)
    says(client.get("/clients/import/").get_data(as_text=True), code, "import", english)
    form = {"csrf_token": token(mapping), "date_order": "DMY", "on_duplicate": "skip",
            "location_id": str(people.other_location.id),
            **{f"map_{i}": name for i, name in enumerate(["first_name", "last_name", "date_of_birth", "email", "phone"])}}
    dry_run = client.post(mapping_url.rstrip("/") + "/dry-run", data=form)
    assert dry_run.status_code == 200
    says(dry_run.get_data(as_text=True), code, "dry_run", english)
    says(client.get(f"/messagetemplateview/preview/{template.id}").get_data(as_text=True), code, "preview", english)
    says(client.get("/my/notifications/").get_data(as_text=True), code, "notifications", english)
    says(client.get("/online-booking/").get_data(as_text=True), code, "online", english)
    client.get("/logout/")

    client.get(f"/lang/{code}")  # signed out: the page's language is the session's choice
    for _ in range(app.config["PLINTH_LOGIN_MAX_FAILURES"] + 1):
        refused = client.post("/login/", data={"username": "frontdesk", "password": "wrong"}, follow_redirects=True)
    says(refused.get_data(as_text=True), code, "throttled", english)
    login(client, "root")
    client.get(f"/lang/{code}")
    says(client.get("/security/sign-in-locks/").get_data(as_text=True), code, "locks", english)


def test_the_import_list_shows_upload_times_on_the_readers_own_clock(client, db, people):
    """A Lisboa manager reads Lisbon's clock, the Toronto manager Toronto's (not UTC, not the
    clinic's first location for everyone)."""
    from app.i18n.formatting import local_moment
    from app.models import ClientImport
    from app.security import MANAGER

    people.location.language, people.other_location.language = "en", "pt_PT"
    factories.make_team_member(MANAGER, username="gestora", locations=[people.other_location])
    uploaded = datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc)  # 23:30 in Lisbon, 18:30 in Toronto
    db.session.add(ClientImport(filename="clientes.csv", content=CSV, status="uploaded", created_at=uploaded))
    db.session.commit()
    for username, zone, language in (("gestora", "Europe/Lisbon", "pt_PT"), ("manager", "America/Toronto", "en")):
        login(client, username)
        page = client.get("/clients/import/").get_data(as_text=True)
        with client.application.test_request_context():
            from flask_babel import force_locale

            with force_locale(language):
                expected = local_moment(uploaded, zone)
        assert expected in page, (username, expected)
        client.get("/logout/")
