"""The manager's tools in a real browser: next month's shifts for three calendars laid
in one pass in the shift planner, and a report whose filter changes and whose CSV
downloads."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from playwright.sync_api import expect

from app.extensions import db as ext_db
from app.models import CalendarKind, Shift
from tests import factories
from tests.browser.conftest import log_in
from tests.reports.conftest import clinic  # noqa: F401  (the hand-built clinic, for the report)

pytestmark = pytest.mark.browser


def _next_month_first_monday(today: date) -> date:
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


@pytest.fixture()
def three(db, people):
    rooms = [factories.make_calendar(name=f"Room {n}", kind=CalendarKind.room, location=people.location,
                                     sort_order=n) for n in (1, 2)]
    db.session.commit()
    ids = [people.provider_calendar.id, *(r.id for r in rooms)]
    db.session.close()
    return ids


def test_next_months_shifts_for_three_calendars_in_one_pass(page, live_server, three):
    monday = _next_month_first_monday(date.today())
    log_in(page, live_server, "manager", factories.PASSWORD)
    page.goto(f"{live_server}/planner/?week={monday.isoformat()}")
    page.wait_for_selector("#planner-body tr")
    rows = page.locator("#planner-body tr")
    assert rows.count() == 3
    # Pick the three rows, then open the Monday cell of the first with the keyboard.
    for n in range(3):
        rows.nth(n).locator(".row-pick").check()
    cell = rows.nth(0).locator("td.cell").first
    cell.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#shift-dialog")
    assert dialog.is_visible()
    for weekday in range(1, 5):  # Monday is checked already: add Tuesday to Friday
        dialog.locator(f"input[name=weekday][value='{weekday}']").check()
    assert dialog.locator("input[name=calendar]:checked").count() == 3
    dialog.locator("input[name=weeks]").fill("4")
    dialog.locator("input[name=start]").fill("09:00")
    dialog.locator("input[name=end]").fill("17:00")
    dialog.locator("input[name=breaks]").fill("12:00-12:30")
    page.click("#shift-save")
    page.wait_for_selector("#planner-message.text-success")
    assert "60 shifts added" in page.inner_text("#planner-message")
    expect(page.locator("#planner-body button.shift")).to_have_count(15)  # this week: 3 calendars × 5 days
    assert "break 12:00–12:30" in page.locator("#planner-body button.shift").first.inner_text()
    with ext_db.engine.connect() as conn:
        made = conn.execute(select(func.count(Shift.id)).where(Shift.day >= monday,
                                                               Shift.day < monday + timedelta(weeks=4))).scalar()
    assert made == 60
    # Next week is built too.
    page.click("#planner-next")
    page.wait_for_function("document.querySelectorAll('#planner-body button.shift').length === 15")


@pytest.fixture()
def quiet_clinic(clinic, db):  # noqa: F811
    """The clinic, with the test's session closed: on SQLite an open transaction holds
    the write lock the server's requests need."""
    db.session.close()
    return clinic


def test_a_report_changes_with_its_filter_and_downloads_its_csv(page, live_server, quiet_clinic):
    log_in(page, live_server, "manager", factories.PASSWORD)
    page.goto(f"{live_server}/reports/attendance?date_from=2026-03-02&date_to=2026-03-15")
    page.wait_for_selector("table.report-table")
    assert page.locator("#report-chart").is_visible()
    with page.expect_navigation():
        page.select_option("select[name=by]", "weekday")
    assert "by=weekday" in page.url
    first_row = page.locator("table.report-table[data-report=attendance] tbody tr").first.inner_text()
    assert first_row.startswith("Monday")
    with page.expect_download() as info:
        page.click("#report-csv")
    path = info.value.path()
    with open(path, encoding="utf-8") as downloaded:
        text = downloaded.read()
    assert info.value.suggested_filename == "attendance_2026-03-02_2026-03-15.csv"
    assert text.splitlines()[1].startswith("Monday,6,2")
