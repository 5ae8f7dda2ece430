"""A patient books on a phone in Portuguese (Lisboa) or French (a Toronto clinic) and the
confirmation that arrives (through the SendGrid stub) is in their language: subject, text,
HTML and the .ics invite (SUMMARY, DESCRIPTION), at the location's wall-clock time, with
no English left from the template or the catalogue."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.extensions import db as ext_db
from app.i18n import TRANSLATIONS_DIR
from app.messaging import templates
from app.messaging.delivery import deliver
from app.models import Message, NotificationSettings, TeamMember
from tests.booking.conftest import GENEROUS, site  # noqa: F401  (fixtures)
from tests.browser.test_public_languages import PHONE, book_on_a_phone
from tests.messaging.conftest import sendgrid, stub  # noqa: F401  (fixtures)
from tests.messaging.test_delivery import due_now, invite_of

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<[^>]*>|%\(\w+\)s", re.S)
WORD = re.compile(r"[^\W\d_]+", re.U)
# Words both languages share with English ("minutes" is French too; "a" is Portuguese).
SHARED = {"fr_CA": {"minutes", "min", "a"}, "pt_PT": {"a", "min"}}
# The English wordings the confirmation and its invite draw on besides the template.
CATALOGUE_IDS = ["%(day)s at %(time)s %(zone)s", "%(service)s at %(clinic)s", "%(service)s with %(provider)s",
                 "To change or cancel: %(url)s", "Phone: %(phone)s"]

SCENES = {
    "pt_PT": dict(zone="Europe/Lisbon", location="Lisboa", address="Rua Augusta 100", city="Lisboa",
                  service="Avaliação inicial", phone="912 345 678", location_phone="+351213000100", country="PT", currency="EUR",
                  subject="A sua consulta na", summary="Avaliação inicial na Harbour Physio",
                  words=["Olá", "está marcada", "Para alterar ou cancelar"], month_of=lambda m: {12: "dezembro"}.get(m)),
    "fr_CA": dict(zone="America/Toronto", location="Toronto", address="200 rue King Ouest", city="Toronto",
                  service="Évaluation initiale", phone="416 555 0199", location_phone="+14165550111", country="CA", currency="CAD",
                  subject="Votre rendez-vous chez", summary="Évaluation initiale chez Harbour Physio",
                  words=["Bonjour", "Pour modifier ou annuler"], month_of=lambda m: {12: "décembre"}.get(m)),
}


def english_words(language: str) -> set[str]:
    """The words of the English confirmation template and of the catalogue entries it
    uses, less those the language writes the same way."""
    shipped = templates.shipped("confirmation", "client", "en")
    text = " ".join([shipped.subject, shipped.body_text, JINJA.sub(" ", shipped.body_html), *CATALOGUE_IDS])
    return {w.lower() for w in WORD.findall(JINJA.sub(" ", text))} - SHARED[language]


def translated_phrases(language: str) -> list[str]:
    """English sentences of the catalogue (3+ words) whose translation differs."""
    with open(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f, locale=language)
    phrases = []
    for message in catalogue:
        if isinstance(message.id, str) and message.string and message.string != message.id:
            plain = JINJA.sub(" ", message.id).strip()
            if len(plain.split()) >= 3 and "%" not in message.id:
                phrases.append(plain)
    return phrases


def leftovers(body: str, language: str, data: list[str]) -> list[str]:
    for value in sorted(data, key=len, reverse=True):  # the clinic's own words are not the catalogue's
        body = body.replace(value, " ")
    body = re.sub(r"https?://\S+|\S+@\S+", " ", body)
    words = {w.lower() for w in WORD.findall(body)}
    found = sorted(words & english_words(language))
    found += [p for p in translated_phrases(language) if p in body]
    return found


@pytest.fixture()
def _production_like(app, monkeypatch):
    from app.booking import limits

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMITS", dict(GENEROUS))
    with app.test_request_context():
        limits.reset()


@pytest.mark.browser
@pytest.mark.parametrize("language", list(SCENES))
def test_the_confirmation_and_invite_arrive_in_the_language_booked_in(
        browser, live_server, site, db, sendgrid, _production_like, language):  # noqa: F811
    scene = SCENES[language]
    location = site.location
    location.name, location.timezone, location.currency = scene["location"], scene["zone"], scene["currency"]
    location.address_line1, location.city, location.country = scene["address"], scene["city"], scene["country"]
    location.phone = scene["location_phone"]
    site.initial.name = scene["service"]
    providers = [member.display_name for member in ext_db.session.scalars(select(TeamMember))]
    ext_db.session.add(NotificationSettings(id=1, confirmation_enabled=True, reminders_enabled=True,
                                            new_booking_delay_minutes=3))
    ext_db.session.commit()
    ext_db.session.close()

    context = browser.new_context(viewport=PHONE, locale=language.replace("_", "-"))
    page = context.new_page()
    book_on_a_phone(page, live_server, site, language,
                    patient=("Inês", "Gonçalves", "ines@example.com", scene["phone"]))
    context.close()

    message_id = ext_db.session.scalar(select(Message.id).where(
        Message.kind == "confirmation", Message.audience == "client"))
    ext_db.session.rollback()
    due_now(ext_db.session.get(Message, message_id).appointment_id, "confirmation")
    assert deliver(message_id) == "sent"
    [request] = sendgrid.accepted()
    body = request["body"]
    subject, text, html = body["subject"], body["content"][0]["value"], body["content"][1]["value"]
    assert subject.startswith(scene["subject"]), subject
    for words in scene["words"]:
        assert words in text, text

    calendar = invite_of(request)
    event = calendar.walk("VEVENT")[0]
    starts = event.decoded("DTSTART")
    assert str(starts.tzinfo) == scene["zone"]
    assert starts.date() == site.days[0] and starts.hour == 9  # the first time of the day, on the clinic's clock
    assert str(event["SUMMARY"]) == scene["summary"]
    description = str(event["DESCRIPTION"])
    assert scene["words"][-1] in description and any(f" {name}" in description for name in providers)
    assert scene["location_phone"] in description
    month = scene["month_of"](starts.month)
    if month:  # the month's name depends on when the test runs
        assert month in text and month in description

    data = ["Inês", "Gonçalves", "Harbour Physio", scene["service"], scene["location"], scene["address"],
            *providers, "WET", "WEST", "EST", "EDT"]
    for part, content in (("subject", subject), ("text", text), ("html", html), ("invite", description),
                          ("summary", str(event["SUMMARY"]))):
        assert not leftovers(content, language, data), (part, leftovers(content, language, data), content)
    assert datetime.now(ZoneInfo(scene["zone"])).date() < site.days[0]
