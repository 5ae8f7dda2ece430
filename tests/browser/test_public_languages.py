"""The patient's journey in each language on a phone: translated, formatted, and accessible
(axe-core, WCAG 2.1 AA, 0 violations on every page)."""
from __future__ import annotations

import pytest

from app.extensions import db as ext_db
from tests.booking.conftest import GENEROUS, site  # noqa: F401  (fixtures)
from tests.browser.axe import violations
from tests.browser.conftest import ARTIFACTS

PHONE = {"width": 390, "height": 844}
WORDS = {  # a few words each page must show in that language
    "en": {"who": "I'm a new patient", "services": "What would you like to book?", "times": "Pick a time",
           "details": "Your details", "review": "Check and confirm", "confirmed": "You're booked!"},
    "fr_CA": {"who": "Je suis un nouveau patient", "services": "Que souhaitez-vous réserver?",
              "times": "Choisissez une heure", "details": "Vos coordonnées", "review": "Vérifier et confirmer",
              "confirmed": "C'est réservé!"},
    "pt_PT": {"who": "Sou um novo paciente", "services": "O que pretende marcar?", "times": "Escolha um horário",
              "details": "Os seus dados", "review": "Verificar e confirmar", "confirmed": "Está marcado!"},
}


@pytest.fixture(autouse=True)
def _production_like(app, monkeypatch):
    from app.booking import limits

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMITS", dict(GENEROUS))
    with app.test_request_context():
        limits.reset()


def check(page, language, step, found):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"public_{language}_{step}.png"), full_page=True)
    assert WORDS[language][step] in page.inner_text("main"), step
    assert page.get_attribute("html", "lang") == language.replace("_", "-")
    found.extend(f"{step}: {v}" for v in violations(page))


def book_on_a_phone(page, live_server, site, language, step=lambda name: None,
                    patient=("Inês", "Gonçalves", "ines@example.com", "416 555 0199")) -> None:
    """A new patient books the first free time on the first day, in ``language``;
    ``step(name)`` runs on each page (who, services, times, details, review, confirmed)."""
    first, last, email, phone = patient
    page.goto(f"{live_server}/book/?lang={language}")
    if page.locator("a.choice").count() and not page.locator("#new-patient").count():
        page.locator("a.choice").first.click()
    step("who")
    page.click("#new-patient")
    step("services")
    page.locator("a.choice.service").first.click()
    page.click("#any-provider")
    page.goto(f"{live_server}/book/times?day={site.days[0].isoformat()}")
    step("times")
    page.locator("button.time").first.click()
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#email", email)
    page.fill("#phone", phone)
    page.fill("#date_of_birth", "1988-04-02")
    step("details")
    page.locator("form.card button[type=submit]").click()
    step("review")
    page.click("#confirm")
    page.wait_for_selector("#manage-link")
    step("confirmed")


@pytest.mark.browser
@pytest.mark.parametrize("language", list(WORDS))
def test_a_patient_books_in_their_language_on_a_phone(browser, live_server, site, db, language):  # noqa: F811
    ext_db.session.close()
    context = browser.new_context(viewport=PHONE, locale=language.replace("_", "-"))
    page = context.new_page()
    found: list[str] = []
    book_on_a_phone(page, live_server, site, language, lambda name: check(page, language, name, found))
    context.close()
    assert not found, "\n".join(found)
