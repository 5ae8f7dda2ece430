"""Plinth's staff screens in the staff member's language: the provider's day, the client
file, the home page, the reports, the billing and front-desk lists and the Team form show
no English sentence the catalogue translates, and their own words in the language."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

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
