"""The grid's week and month views in a real browser at 1440 px: one calendar's week
(picked beside the view buttons, or by clicking a column's name), the location's week
grouped by day, one calendar's month with each day's load; drag, select and the panel
work there as in the day view, the URL keeps the view, and axe-core finds nothing
serious or critical on each."""
from __future__ import annotations

from datetime import time, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from app.models import Calendar

from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_grid import DAY, scene  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
WIDE = {"width": 1440, "height": 900}


@pytest.fixture()
def week(db, scene):  # noqa: F811
    """The scene, with the provider also working the next day (a move's target)."""
    provider = db.session.get(Calendar, scene["provider_calendar"])
    factories.make_shift(provider, DAY + timedelta(days=1), time(9), time(17))
    colleague = db.session.scalar(select(Calendar).where(Calendar.name == "Dana Colleague"))
    db.session.commit()
    ids = dict(scene, colleague=colleague.id)
    db.session.close()
    return ids


def open_view(page, base, query: str):
    page.set_viewport_size(WIDE)
    log_in(page, base, "frontdesk", PASSWORD)
    page.goto(f"{base}/calendar/?{query}")
    page.wait_for_selector(".fc-event")


def no_serious(page, where: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"views_{where}.png"))
    assert violations(page, impacts=("serious", "critical")) == [], where


def url_args(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def column(page, resource_id: int, day) -> str:
    return f"td.fc-timegrid-col[data-resource-id='{resource_id}'][data-date='{day.isoformat()}']"


def point(page, resource_id: int, day, hhmm: str):
    col = page.locator(column(page, resource_id, day)).bounding_box()
    row = page.locator(f"td.fc-timegrid-slot-lane[data-time='{hhmm}:00']").bounding_box()
    return col["x"] + col["width"] / 2, row["y"] + 2


def drag(page, start, end):
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def test_a_week_of_one_provider_books_opens_and_switches_in_one_click(page, live_server, week):
    provider, colleague = week["provider_calendar"], week["colleague"]
    open_view(page, live_server, f"view=week&calendar={provider}&date={DAY.isoformat()}")
    # One calendar, seven days: the provider's name once above the days.
    assert page.locator("td.fc-timegrid-col[data-resource-id]").count() == 7
    assert page.locator(f"td.fc-timegrid-col[data-resource-id='{provider}']").count() == 7
    assert page.is_visible("#grid-view-picker")
    assert page.input_value("#grid-view-calendar") == str(provider)
    no_serious(page, "provider_week")

    # Select 14:00–14:15 on Monday: the booking dialog, as in the day view.
    drag(page, point(page, provider, DAY, "14:00"), point(page, provider, DAY, "14:15"))
    page.wait_for_selector("#book-dialog[open]")
    assert week["provider_calendar_name"] in page.inner_text("#book-when")
    no_serious(page, "provider_week_dialog")
    page.click("#book-cancel")

    # An appointment opens the panel.
    page.locator(".fc-timegrid-event", has_text="9:00").first.click()
    page.wait_for_selector("#appt-panel:not([hidden])")
    assert page.inner_text("#panel-client") == "Rita Almeida"
    no_serious(page, "provider_week_panel")
    page.click("#panel-close")

    # The next calendar in one click; the URL keeps it over a reload.
    page.click("#grid-view-next")
    page.wait_for_selector(f"td.fc-timegrid-col[data-resource-id='{colleague}']")
    assert url_args(page)["calendar"] == str(colleague)
    assert url_args(page)["view"] == "week"
    page.reload()
    page.wait_for_selector(f"td.fc-timegrid-col[data-resource-id='{colleague}']")
    assert page.locator("td.fc-timegrid-col[data-resource-id]").count() == 7
    assert page.input_value("#grid-view-calendar") == str(colleague)


def test_the_location_week_groups_by_day_readably_and_moves_by_dragging(page, live_server, week):
    provider, colleague = week["provider_calendar"], week["colleague"]
    open_view(page, live_server, f"view=location-week&date={DAY.isoformat()}")
    # Seven days with both working calendars under each, every column wide enough to read.
    columns = page.locator("td.fc-timegrid-col[data-resource-id]")
    assert columns.count() == 14
    assert min(columns.nth(i).bounding_box()["width"] for i in range(14)) >= 100
    no_serious(page, "location_week")

    # Drag Rita's 10:00 to 14:00 the next day.
    event = page.locator(".fc-timegrid-event", has_text="10:00").first
    box = event.bounding_box()
    page.locator(column(page, provider, DAY + timedelta(days=1))).scroll_into_view_if_needed()
    box = event.bounding_box()
    target = point(page, provider, DAY + timedelta(days=1), "14:00")
    drag(page, (box["x"] + box["width"] / 2, box["y"] + 5), (target[0], target[1] + 5))
    page.wait_for_selector("#grid-message.ok")
    assert "Moved Rita Almeida" in page.inner_text("#grid-message")

    # A column's name opens that calendar's week.
    page.locator(f"button.resource-week-link[data-calendar='{colleague}']").first.click()
    page.wait_for_function(f"document.querySelectorAll(\"td.fc-timegrid-col[data-resource-id='{colleague}']\").length === 7")
    assert url_args(page)["view"] == "week" and url_args(page)["calendar"] == str(colleague)


def test_a_month_shows_one_providers_load_per_day(page, live_server, week):
    provider = week["provider_calendar"]
    open_view(page, live_server, f"view=month&calendar={provider}&date={DAY.isoformat()}")
    day_cell = page.locator(f"td.fc-daygrid-day[data-date='{DAY.isoformat()}']")
    day_cell.locator(".day-load").wait_for()
    assert day_cell.locator(".day-load").inner_text().strip() == "2 visits · 1 h booked"
    assert day_cell.locator(".fc-daygrid-event:not(.day-load)").count() == 2
    no_serious(page, "month")

    # An appointment opens the panel.
    day_cell.locator(".fc-daygrid-event:not(.day-load)").first.click()
    page.wait_for_selector("#appt-panel:not([hidden])")
    assert page.inner_text("#panel-client") == "Rita Almeida"
    no_serious(page, "month_panel")
    page.click("#panel-close")

    # Dragged to the next day, it keeps its time there.
    next_day = page.locator(f"td.fc-daygrid-day[data-date='{(DAY + timedelta(days=1)).isoformat()}']").bounding_box()
    box = day_cell.locator(".fc-daygrid-event:not(.day-load)").last.bounding_box()
    drag(page, (box["x"] + 10, box["y"] + 5), (next_day["x"] + next_day["width"] / 2, next_day["y"] + next_day["height"] / 2))
    page.wait_for_selector("#grid-message.ok")
    assert "Moved Rita Almeida" in page.inner_text("#grid-message")

    # A day's load opens the provider's week there.
    day_cell.locator(".day-load").click()
    page.wait_for_function(f"document.querySelectorAll(\"td.fc-timegrid-col[data-resource-id='{provider}']\").length === 7")
    assert url_args(page)["view"] == "week"


@pytest.fixture()
def busy(db, people):
    """Six providers and a room working Monday to Friday, a morning of visits in every status."""
    from app.models import AppointmentStatus, CalendarKind
    from app.timeutil import to_utc

    session = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=45)
    room = factories.make_calendar(name="Treatment room", kind=CalendarKind.room, location=people.location,
                                   disciplines=[people.discipline])
    calendars = [people.provider_calendar] + [
        factories.make_team_member(locations=[people.location], disciplines=[people.discipline],
                                   display_name=name).calendars[0]
        for name in ("Maya Chen", "Dana Colleague", "Tomás Ferreira", "Aiko Tanaka", "Sofia Rossi")] + [room]
    statuses = list(AppointmentStatus)
    client = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location)
    case = factories.make_case(client=client, title="Knee rehab", discipline=people.discipline, provider=people.provider)
    n = 0
    for day in (DAY + timedelta(days=i) for i in range(5)):
        for calendar in calendars:
            factories.make_shift(calendar, day, time(8), time(18), breaks=[(time(12), time(13))])
            if calendar is room:
                continue
            for hour in (8, 9, 10, 14, 15):
                factories.make_appointment(calendar, to_utc(day, time(hour), "America/Toronto"), case=case,
                                           session_type=session, status=statuses[n % len(statuses)])
                n += 1
    db.session.commit()
    ids = {"provider_calendar": people.provider_calendar.id}
    db.session.close()
    return ids


def test_a_busy_location_week_and_month_read_at_1440_px(page, live_server, busy):
    open_view(page, live_server, f"view=location-week&date={DAY.isoformat()}")
    # Every status on screen (Canceled and Rebooked are hidden until shown).
    for status in ("canceled", "rebooked"):
        if page.get_attribute(f"#status-bar button[data-status='{status}']", "aria-pressed") == "false":
            page.click(f"#status-bar button[data-status='{status}']")
    columns = page.locator("td.fc-timegrid-col[data-resource-id]")
    assert columns.count() == 7 * 7
    assert columns.first.bounding_box()["width"] >= 100
    no_serious(page, "busy_location_week")
    page.click("#grid-view-group button[data-view='locationWeekByCalendar']")
    page.wait_for_selector("#grid-view-group button[aria-pressed='true'][data-view='locationWeekByCalendar']")
    assert url_args(page)["view"] == "location-week-by-calendar"
    no_serious(page, "busy_location_week_by_calendar")
    page.goto(f"{live_server}/calendar/?view=week&calendar={busy['provider_calendar']}&date={DAY.isoformat()}")
    page.wait_for_selector(".fc-timegrid-event")
    no_serious(page, "busy_provider_week")
    page.goto(f"{live_server}/calendar/?view=month&calendar={busy['provider_calendar']}&date={DAY.isoformat()}")
    page.wait_for_selector(".day-load")
    no_serious(page, "busy_month")
    page.evaluate("localStorage.clear()")


@pytest.mark.parametrize("language, monday", [("en", "Mon"), ("fr_CA", "lun."), ("pt_PT", "seg.")])
def test_a_weeks_headings_name_the_day_and_date_in_the_staff_members_language(page, live_server, week, language,
                                                                               monday):
    # "Mon 12-07" (FullCalendar's numeric default in en-CA) read like a month-day code;
    # each language's own short date instead: "Mon Dec 14", "lun. 14 déc.", "seg. 14/12".
    from babel.dates import format_date

    date_part = {"en": f"{format_date(DAY, 'MMM', locale='en')} {DAY.day}",
                 "fr_CA": f"{DAY.day} {format_date(DAY, 'MMM', locale='fr_CA')}",
                 "pt_PT": f"{DAY.day}/{DAY.month:02d}"}[language]
    page.set_viewport_size(WIDE)
    log_in(page, live_server, "frontdesk", PASSWORD)
    page.goto(f"{live_server}/lang/{language}")
    for view in (f"view=week&calendar={week['provider_calendar']}", "view=location-week"):
        page.goto(f"{live_server}/calendar/?{view}&date={DAY.isoformat()}")
        page.wait_for_selector(".fc-event")
        heading = page.inner_text(f"th.fc-col-header-cell[data-date='{DAY.isoformat()}']").strip()
        assert heading == f"{monday} {date_part}", heading
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"views_week_headings_{language}.png"))
