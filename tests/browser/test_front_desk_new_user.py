"""Issue 14, what a new front-desk user (and their manager) found, as they see it: a provider
saved without a way to book them is said so; a session type's charges are chosen on its
own form; a booking at any time from the keyboard; the panel beside the grid, not over
it; a 15-minute appointment readable. Each page opened has 0 serious axe findings."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import Appointment, BillingItem, Calendar, SessionType, TeamMember
from app.timeutil import to_utc
from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import log_in
from tests.browser.test_grid import DAY, ZONE, open_grid, scene  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def no_serious(page) -> None:
    assert violations(page, impacts=("serious", "critical")) == []


def test_a_provider_saved_without_a_location_is_said_not_bookable_with_the_way_out(page, live_server, db, people):
    db.session.commit()
    db.session.close()
    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server}/teammemberview/add")
    no_serious(page)
    page.fill("input[name=display_name]", "Nora Nolocation")
    page.fill("input[name=username]", "nora")
    page.fill("input[name=email]", "nora@example.org")
    page.fill("input[name=password]", "a-long-password")
    page.check("input[name=is_provider]")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    warning = page.locator(".alert-warning")
    assert "Nora Nolocation is a provider without a location" in warning.inner_text()
    assert "cannot be booked" in warning.inner_text()
    assert warning.locator("a").get_attribute("href").endswith("/calendarview/add")
    assert "there), or make a calendar for them." in warning.inner_text()
    no_serious(page)
    # Given a location, they get their calendar there and the warning is gone.
    member_id = db.session.scalar(select(TeamMember.id).where(TeamMember.display_name == "Nora Nolocation"))
    db.session.close()
    page.goto(f"{live_server}/teammemberview/edit/{member_id}")
    page.select_option("select[name=locations]", label="Downtown", force=True)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".alert-warning").count() == 0
    assert "Changed" in page.locator(".alert-success").inner_text()
    member = db.session.get(TeamMember, member_id)
    assert [calendar.location.name for calendar in member.calendars] == ["Downtown"]
    db.session.close()
    # A second location on the edit form makes no calendar there: said so, not "Changed" alone.
    factories.make_location(name="Uptown")
    db.session.commit()
    db.session.close()
    page.goto(f"{live_server}/teammemberview/edit/{member_id}")
    page.select_option("select[name=locations]", label=["Downtown", "Uptown"], force=True)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    warning = page.locator(".alert-warning")
    assert "Nora Nolocation has no calendar at Uptown, so they cannot be booked there" in warning.inner_text()
    assert warning.locator("a").get_attribute("href").endswith("/calendarview/add")
    # The link starts its own sentence: capitalised (it continues "..., or" only in the no-location case).
    assert warning.locator("a").inner_text() == "Make a calendar for them"
    assert "there. Make a calendar for them." in warning.inner_text()
    no_serious(page)


def test_a_session_types_charges_are_chosen_on_its_own_form(page, live_server, db, people):
    factories.make_billing_item(code="ASSESS", name="Assessment fee", unit_price=Decimal("90"))
    factories.make_billing_item(code="BAND", name="Resistance band", unit_price=Decimal("12"), is_product=True)
    factories.make_billing_item(code="TAPE", name="Kinesio tape", unit_price=Decimal("8"), is_product=True)
    db.session.commit()
    db.session.close()
    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server}/sessiontypeview/add")
    no_serious(page)
    page.fill("input[name=name]", "Initial assessment")
    page.fill("input[name=category]", "Physiotherapy")
    page.select_option("select[name=discipline]", label="Physiotherapy", force=True)
    page.fill("input[name=duration_minutes]", "60")
    page.fill("input[name=price]", "0")
    page.select_option("select[name=billing_items]", label=["Assessment fee", "Resistance band"], force=True)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()

    def lines() -> dict[str, Decimal]:
        session = db.session.scalar(select(SessionType).where(SessionType.name == "Initial assessment"))
        found = {line.billing_item.code: line.quantity for line in session.billing_lines}
        session_id = session.id
        db.session.close()
        return session_id, found

    session_id, found = lines()
    assert found == {"ASSESS": 1, "BAND": 1}
    # A quantity changed elsewhere is kept; one left out is removed; one added starts at 1.
    with db.session.begin():
        session = db.session.get(SessionType, session_id)
        next(line for line in session.billing_lines if line.billing_item.code == "BAND").quantity = Decimal("2")
    db.session.close()
    page.goto(f"{live_server}/sessiontypeview/edit/{session_id}")
    chosen = page.eval_on_selector("select[name=billing_items]", "s => [...s.selectedOptions].map(o => o.text)")
    assert sorted(chosen) == ["Assessment fee", "Resistance band"]
    no_serious(page)
    page.select_option("select[name=billing_items]", label=["Resistance band", "Kinesio tape"], force=True)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    assert lines()[1] == {"BAND": 2, "TAPE": 1}
    page.goto(f"{live_server}/sessiontypeview/show/{session_id}")
    assert "Kinesio tape" in page.inner_text("body")
    assert db.session.scalar(select(BillingItem).where(BillingItem.code == "ASSESS")) is not None  # only unlinked
    db.session.close()


def test_a_keyboard_user_books_any_column_at_any_time(page, live_server, scene):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    open_grid(page, live_server, "frontdesk")
    # The column's name, reached with Tab, then N: the dialog for that column and day.
    page.focus(".fc-col-header-cell.fc-resource >> nth=1 >> .resource-week-link")
    column = page.get_attribute(".fc-col-header-cell.fc-resource >> nth=1", "data-resource-id")
    page.keyboard.press("n")
    page.wait_for_selector("#book-dialog[open]")
    assert page.input_value("#book-calendar") == column
    assert page.input_value("#book-date") == DAY.isoformat()
    assert page.input_value("#book-time") != ""
    no_serious(page)
    # Every field editable: another time, then the client; the session fits the column.
    page.fill("#book-time", "14:30")
    page.dispatch_event("#book-time", "change")
    assert "14:30" in page.inner_text("#book-when")
    page.fill("#book-client", "Almeida")
    page.wait_for_selector("#book-client-results li")
    page.focus("#book-client-results li")
    page.keyboard.press("Enter")
    page.select_option("#book-session", label="Follow-up (30 min)")
    page.focus("#book-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#grid-message.ok")
    page.wait_for_selector(".fc-timegrid-event >> text=2:30")
    # The toolbar's button does the same for the column last focused.
    page.focus(".fc-timegrid-event:has-text('2:30')")
    page.click("#grid-new")
    page.wait_for_selector("#book-dialog[open]")
    assert page.input_value("#book-calendar") == column
    assert page.input_value("#book-time") == "15:00"  # after the appointment focused
    page.click("#book-cancel")


def test_the_open_panel_leaves_the_last_column_visible_and_clickable(page, live_server, scene):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    open_grid(page, live_server, "frontdesk")
    page.click(".fc-timegrid-event >> nth=0")
    page.wait_for_selector("#appt-panel:not([hidden])")
    panel = page.locator("#appt-panel").bounding_box()
    last = page.locator(".fc-col-header-cell.fc-resource").last
    page.wait_for_function(
        "() => document.querySelector('.fc-col-header-cell.fc-resource:last-child').getBoundingClientRect().right"
        f" <= {panel['x']}")
    box = last.bounding_box()
    assert box["x"] + box["width"] <= panel["x"]
    no_serious(page)
    name = last.inner_text()
    last.locator(".resource-week-link").click()  # a real click: nothing lies over it
    page.wait_for_function("new URLSearchParams(location.search).get('view') === 'week'")
    assert page.input_value("#grid-view-calendar") == last.get_attribute("data-resource-id") or name
    # Closed, the grid takes the whole width again.
    page.click("#panel-close")
    assert "panel-open" not in page.get_attribute("#plinth-grid", "class")


def test_a_15_minute_appointment_reads_start_client_and_status_on_one_line(page, live_server, db, scene):  # noqa: F811
    from tests.factories import make_session_type

    case = db.session.get(Appointment, 1).case
    short = make_session_type(name="Check", discipline=case.discipline, duration_minutes=15)
    factories.make_appointment(db.session.get(Calendar, scene["provider_calendar"]), to_utc(DAY, time(15), ZONE),
                               case=case, session_type=short)
    db.session.commit()
    db.session.close()
    page.set_viewport_size({"width": 1440, "height": 900})
    open_grid(page, live_server, "frontdesk")
    event = page.locator(".fc-timegrid-event.short")
    assert event.count() == 1
    text = event.inner_text()
    assert "\n" not in text
    assert text.startswith("3:00 Rita Almeida · Booked")
    main = event.locator(".fc-event-main")
    assert main.evaluate("e => e.scrollHeight <= e.clientHeight + 1")  # nothing cut off below
    event.hover()
    assert "Rita Almeida" in event.get_attribute("title")
    no_serious(page)


def test_an_opening_ahead_on_a_day_not_shown_opens_the_booking_for_its_provider(page, live_server, scene):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    open_grid(page, live_server, "frontdesk")
    page.fill("#grid-date", (DAY - timedelta(days=1)).isoformat())  # Sunday: no one works, no columns
    page.dispatch_event("#grid-date", "change")
    page.wait_for_function("!document.querySelector('.fc-col-header-cell.fc-resource')")
    page.select_option("#find-session", label="Physiotherapy · Follow-up (30 min)")
    page.click("#find-go")
    page.wait_for_selector("#find-results li button")
    first = page.inner_text("#find-results li button >> nth=0")
    assert first == f"Mon {DAY.day} {DAY:%b} 09:00 · Dana Colleague"  # named, though not a column of Sunday
    page.click("#find-results li button >> nth=0")
    page.wait_for_selector("#book-dialog[open]")
    assert page.locator("#book-form").is_visible() and page.locator("#range-form").is_hidden()
    assert page.inner_text("#book-when").startswith("Dana Colleague · Mon")
    assert page.input_value("#book-time") == "09:00"
    no_serious(page)
