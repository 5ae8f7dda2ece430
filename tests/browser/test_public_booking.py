"""A patient books, reschedules and cancels in headless Chromium (desktop and a phone),
and a returning patient signs in with the emailed code. CSRF is on, as in production."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db as ext_db
from app.models import Appointment, AppointmentStatus, Message
from tests import factories
from tests.booking.conftest import GENEROUS, code_jobs, run_code_jobs, site  # noqa: F401  (fixtures)
from tests.browser.conftest import ARTIFACTS

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _production_like(app, monkeypatch):
    from app.booking import limits

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMITS", dict(GENEROUS))
    with app.test_request_context():
        limits.reset()


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"public_{name}.png"), full_page=True)


def _journey(page, base, site_ids, tag):
    location_id, day, other_day = site_ids
    page.goto(f"{base}/book/")
    page.click("text=Downtown") if page.locator("text=Downtown").count() else None
    page.click("#new-patient")
    _shot(page, f"{tag}_services")
    page.click("text=Initial assessment")
    page.click("#any-provider")
    page.goto(f"{base}/book/times?day={day}")
    _shot(page, f"{tag}_times")
    first_time = page.locator("button.time").first
    chosen = first_time.inner_text().split("\n")[0]
    first_time.click()
    page.fill("#first_name", "Nora")
    page.fill("#last_name", "Patel")
    page.fill("#email", "nora@example.com")
    page.fill("#phone", "416 555 0199")
    page.fill("#date_of_birth", "1988-04-02")
    page.fill("#notes", "Left knee")
    _shot(page, f"{tag}_details")
    page.click("text=Review booking")
    assert chosen in page.inner_text("#summary-when")
    _shot(page, f"{tag}_review")
    page.click("#confirm")
    page.wait_for_selector("text=You're booked!")
    _shot(page, f"{tag}_confirmed")
    page.click("#manage-link")
    assert page.inner_text("#manage-status") == "Booked"
    page.click("#reschedule")
    page.goto(page.url + f"?day={other_day}")
    _shot(page, f"{tag}_reschedule")
    new_time = page.locator("button.time").nth(2)
    new_label = new_time.inner_text().strip()
    new_time.click()
    page.wait_for_selector("text=Your appointment was moved")
    assert new_label in page.inner_text("#manage-when")
    _shot(page, f"{tag}_moved")
    page.click("#cancel")
    page.click("#confirm-cancel")
    page.wait_for_selector("text=Your appointment was canceled")
    assert page.inner_text("#manage-status") == "Canceled"
    _shot(page, f"{tag}_canceled")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_new_patient_books_reschedules_and_cancels(browser, live_server, site, db, viewport):  # noqa: F811
    ids = (site.location.id, site.days[0].isoformat(), site.days[1].isoformat())
    ext_db.session.close()
    context = browser.new_context(viewport=PHONE if viewport == "phone" else {"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # A navigation aborts the previous page's loads; only real failures count.
    page.on("requestfailed", lambda r: errors.append(f"{r.url} {r.failure}") if "ABORTED" not in (r.failure or "") else None)
    try:
        _journey(page, live_server, ids, viewport)
        if viewport == "phone":  # nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
    assert errors == [], errors  # no CSP violations, nothing loaded from elsewhere
    appointment = ext_db.session.scalars(select(Appointment)).one()
    assert appointment.status == AppointmentStatus.canceled and appointment.booked_via.value == "online"


def test_returning_patient_signs_in_with_the_emailed_code(browser, live_server, site, db):  # noqa: F811
    person = factories.make_client(email="olga@example.com", first_name="Olga", last_name="Ivanova")
    factories.make_case(client=person, discipline=site.follow_up.discipline, title="Knee")
    ext_db.session.commit()
    day, person_id = site.days[0].isoformat(), person.id
    ext_db.session.close()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/book/")
        page.click("#returning-patient")
        page.fill("#email", "olga@example.com")
        page.click("text=Email me a code")
        page.wait_for_selector("text=Check your email")
        run_code_jobs()  # what the worker does
        code = ext_db.session.scalars(select(Message).where(Message.kind == "login_code")).one().context["code"]
        ext_db.session.close()
        page.fill("#code", code)
        _shot(page, "returning_code")
        page.click("text=Continue")
        page.click("text=Follow-up")
        page.click("#any-provider")
        page.goto(f"{live_server}/book/times?day={day}")
        page.locator("button.time").first.click()
        page.wait_for_selector("text=Hello Olga")
        _shot(page, "returning_details")
        page.click("text=Review booking")
        page.click("#confirm")
        page.wait_for_selector("text=You're booked!")
        _shot(page, "returning_confirmed")
    finally:
        context.close()
    appointment = ext_db.session.scalars(select(Appointment)).one()
    assert appointment.case.client_id == person_id
