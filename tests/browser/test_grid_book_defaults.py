"""The booking dialog's defaults, Find Time Slot ahead and "book next", in a real browser
(issue 14, items 3 and 5): a column offers only the sessions it takes and the client's
case that fits it; a refusal is said once; the first openings weeks ahead jump the grid
to their day; "book next" books the same time a week later or offers the nearest."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db as ext_db
from app.timeutil import to_utc
from tests import factories
from tests.browser.axe import violations
from tests.browser.test_grid import DAY, ZONE, open_grid, slot_point
from tests.browser.test_grid_editing import drag

pytestmark = pytest.mark.browser
NEXT = DAY + timedelta(weeks=1)
MINE = ("#book-case-hint", "#panel-next", "#find-weeks", "#panel-next-box")


@pytest.fixture()
def scene(db, people):
    massage = factories.make_discipline(name="Massage Therapy")
    factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    factories.make_session_type(name="Assessment", discipline=people.discipline, duration_minutes=45)
    factories.make_session_type(name="Massage", discipline=massage, duration_minutes=60)
    for day in (DAY, NEXT):
        factories.make_shift(people.provider_calendar, day, time(9), time(17))
    sofia = factories.make_client(first_name="Sofia", last_name="Rossi", home_location=people.location)
    factories.make_case(client=sofia, title="Shoulder", discipline=people.discipline, opened_on=DAY - timedelta(days=90))
    factories.make_case(client=sofia, title="Relaxation", discipline=massage, opened_on=DAY - timedelta(days=10))
    nuno = factories.make_client(first_name="Nuno", last_name="Masseur", home_location=people.location)
    factories.make_case(client=nuno, title="Back massage", discipline=massage)
    rita = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location)
    knee = factories.make_case(client=rita, title="Knee rehab", discipline=people.discipline, provider=people.provider)
    follow_up = factories.make_session_type(name="Knee follow-up", discipline=people.discipline, duration_minutes=30)
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), ZONE), case=knee, session_type=follow_up)
    db.session.commit()
    ids = {"provider": people.provider_calendar.id, "provider_name": people.provider_calendar.name}
    db.session.close()
    return ids


def mine(page) -> list[str]:
    return [v for v in violations(page, impacts=("serious", "critical")) if any(m in v for m in MINE)]


def options(page, selector) -> list[str]:
    return page.locator(f"{selector} option").all_inner_texts()


def test_the_dialog_offers_the_columns_sessions_and_the_case_that_fits(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    drag(page, scene["provider"], "14:00", "14:30")
    page.wait_for_selector("#book-dialog[open]")
    page.fill("#book-client", "Rossi")
    page.click("#book-client-results li")
    # Her newest case is the massage one; the physio column picks the physio case.
    assert page.locator("#book-case option:checked").inner_text() == "Shoulder"
    assert options(page, "#book-session") == ["Follow-up (30 min)", "Assessment (45 min)", "Knee follow-up (30 min)"] \
        or set(options(page, "#book-session")) == {"Follow-up (30 min)", "Assessment (45 min)", "Knee follow-up (30 min)"}
    assert page.is_hidden("#book-case-hint")
    # Choosing the massage case anyway: nothing to book here, and why.
    page.select_option("#book-case", label="Relaxation")
    assert options(page, "#book-session") == []
    assert "does not take Massage Therapy sessions" in page.inner_text("#book-case-hint")
    assert mine(page) == []
    page.click("#book-cancel")

    # A client whose only case does not fit: a new case in the column's discipline.
    drag(page, scene["provider"], "15:00", "15:30")
    page.wait_for_selector("#book-dialog[open]")
    page.fill("#book-client", "Masseur")
    page.click("#book-client-results li")
    assert page.input_value("#book-case") == "new"
    assert page.locator("#case-discipline option:checked").inner_text() == "Physiotherapy"
    assert "No open case fits" in page.inner_text("#book-case-hint")
    page.fill("#case-title", "Neck")
    page.select_option("#book-session", label="Follow-up (30 min)")
    page.click("#book-submit")
    page.wait_for_selector("#grid-message.ok")
    assert "Booked Nuno Masseur" in page.inner_text("#grid-message")


def test_a_refusal_is_said_once(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    message = "Maya Chen does not take Massage Therapy sessions."
    page.route("**/api/v1/appointments", lambda route: route.fulfill(
        status=409, content_type="application/json",
        body='{"message": "%s", "conflicts": [{"message": "%s", "reason": "discipline_not_accepted"}]}'
             % (message, message)))
    drag(page, scene["provider"], "14:00", "14:30")
    page.wait_for_selector("#book-dialog[open]")
    page.fill("#book-client", "Rossi")
    page.click("#book-client-results li")
    page.click("#book-submit")
    page.wait_for_function("document.querySelector('#book-error').textContent.length > 0")
    assert page.inner_text("#book-error") == message
    page.click("#book-cancel")
    page.wait_for_load_state("networkidle")


def test_find_time_slot_looks_weeks_ahead_and_jumps_the_grid(page, live_server, scene, db):
    # The provider's DAY is full: the first opening is a week later.
    with_session = ext_db.session
    from app.models import Calendar, Case, SessionType

    calendar = with_session.get(Calendar, scene["provider"])
    session = with_session.scalars(select(SessionType).where(SessionType.name == "Follow-up")).one()
    case = with_session.scalars(select(Case).where(Case.title == "Shoulder")).one()
    factories.make_appointment(calendar, to_utc(DAY, time(9, 30), ZONE), end=to_utc(DAY, time(17), ZONE),
                               case=case, session_type=session)
    with_session.commit()
    with_session.close()
    open_grid(page, live_server, "frontdesk")
    page.select_option("#find-session", label="Physiotherapy · Follow-up (30 min)")
    page.select_option("#find-provider", label=scene["provider_name"])
    page.select_option("#find-weeks", label="2 weeks")
    page.click("#find-go")
    page.wait_for_selector("#find-results li button")
    first = page.inner_text("#find-results li button >> nth=0")
    assert first == f"Mon {NEXT.day} {NEXT:%b} 09:00 · {scene['provider_name']}"
    page.click("#find-results li button >> nth=0")
    page.wait_for_selector("#book-dialog[open]")
    assert page.input_value("#grid-date") == NEXT.isoformat()
    assert f"{NEXT.day}" in page.inner_text("#book-when") and "09:00" in page.inner_text("#book-when")
    assert mine(page) == []
    page.screenshot(path="test-artifacts/find_time_ahead.png")


def test_book_next_books_a_week_later_then_offers_the_nearest(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    page.click(".fc-timegrid-event >> text=Rita Almeida")
    page.wait_for_selector("#appt-panel:not([hidden])")
    page.click("#panel-next")
    page.wait_for_selector("#panel-next-box:not([hidden]) .next-offer")
    offer = page.inner_text("#panel-next-box .next-offer >> nth=0")
    assert offer == f"Book Mon {NEXT.day} {NEXT:%b} {NEXT.year}, 09:00"
    assert mine(page) == []
    page.screenshot(path="test-artifacts/book_next.png")
    page.click("#panel-next-box .next-offer >> nth=0")
    page.wait_for_selector("#grid-message.ok")
    assert "next visit" in page.inner_text("#grid-message")
    # The panel, redrawn, names it as the client's next visit.
    page.wait_for_function("document.querySelector('#panel-facts').innerText.includes('%s')" % f"{NEXT:%b} {NEXT.day}, {NEXT.year}")
    # Asked again, that time is taken: the reason and the nearest openings.
    page.click("#panel-next")
    page.wait_for_selector("#panel-next-box .text-warning")
    assert "is taken" in page.inner_text("#panel-next-box")
    assert page.inner_text("#panel-next-box .next-offer >> nth=0").endswith("09:30")
    page.click("#panel-close")
    page.wait_for_load_state("networkidle")
