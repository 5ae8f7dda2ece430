"""The front desk's day in the grid, in a real browser: book by drag-selecting, move by
dragging (a refused move snaps back with its reason), hide a status, and a provider
seeing only their own column."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.models import AppointmentStatus, Calendar, CalendarKind
from app.timeutil import to_utc
from tests import factories
from tests.browser.axe import violations
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
DAY = date.today() + timedelta(days=14 - date.today().weekday())  # a Monday ahead
ZONE = "America/Toronto"


@pytest.fixture()
def scene(db, people):
    factories.make_calendar(name="Room 1", kind=CalendarKind.room, location=people.location,
                            disciplines=[people.discipline])
    colleague = factories.make_team_member(locations=[people.location], disciplines=[people.discipline],
                                           display_name="Dana Colleague")
    session = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    for calendar in (people.provider_calendar, colleague.calendars[0]):
        factories.make_shift(calendar, DAY, time(9), time(17), breaks=[(time(12), time(13))])
    rita = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location)
    case = factories.make_case(client=rita, title="Knee rehab", discipline=people.discipline, provider=people.provider)
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), ZONE), case=case, session_type=session)
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(10), ZONE), case=case, session_type=session)
    db.session.commit()
    ids = {"provider_calendar": people.provider_calendar.id, "provider_calendar_name": people.provider_calendar.name}
    # On SQLite every transaction holds the write lock; the test must not keep one open
    # while the browser's requests are served.
    db.session.close()
    return ids


def open_grid(page, base, username):
    log_in(page, base, username, PASSWORD)
    page.goto(f"{base}/calendar/")
    page.fill("#grid-date", DAY.isoformat())
    page.dispatch_event("#grid-date", "change")
    page.wait_for_selector(".fc-event")


def slot_point(page, resource_id: int, hhmm: str):
    column = page.locator(f"td.fc-timegrid-col[data-resource-id='{resource_id}']").bounding_box()
    row = page.locator(f"td.fc-timegrid-slot-lane[data-time='{hhmm}:00']").bounding_box()
    return column["x"] + column["width"] / 2, row["y"] + 2  # the top of the slot: its exact time


def select_for_booking(page, resource_id: int, start: str, end: str) -> None:
    """Drag-select ``start``..``end`` on a column and wait for the booking dialog."""
    x, y = slot_point(page, resource_id, start)
    _, y_end = slot_point(page, resource_id, end)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y_end, steps=5)
    page.mouse.up()
    page.wait_for_selector("#book-dialog[open]")


def test_front_desk_books_by_drag_selecting(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    select_for_booking(page, scene["provider_calendar"], "14:00", "14:15")
    page.fill("#book-client", "Almeida")
    page.click("#book-client-results li")
    page.select_option("#book-session", label="Follow-up (30 min)")
    page.click("#book-submit")
    page.wait_for_selector("#grid-message.ok")
    assert "Booked Rita Almeida" in page.inner_text("#grid-message")
    page.wait_for_function("document.querySelectorAll('.fc-timegrid-event').length >= 3")
    assert "Booked 3" in page.inner_text("#status-bar")


def test_a_refused_booking_says_each_reason_once(page, live_server, db, scene):
    # Issue 14: "X (and 1 more) X Y" -- the server's summary, then its first reason again.
    factories.make_session_type(name="Long session", discipline=db.session.get(Calendar, scene["provider_calendar"])
                                .disciplines[0], duration_minutes=60)
    db.session.commit()
    db.session.close()
    open_grid(page, live_server, "frontdesk")
    select_for_booking(page, scene["provider_calendar"], "14:00", "14:15")
    page.fill("#book-time", "09:15")  # 09:15-10:15 overlaps the 9:00 and the 10:00 visits
    page.fill("#book-client", "Almeida")
    page.click("#book-client-results li")
    page.select_option("#book-session", label="Long session (60 min)")
    page.click("#book-submit")
    page.wait_for_function("document.getElementById('book-error').textContent.length > 0")
    said = page.inner_text("#book-error")
    assert "more)" not in said
    # Who is there and when on the location's clock, not "overlaps appointment 123" (overlap_text.py).
    assert "already has Rita Almeida 09:00–09:30." in said and "already has Rita Almeida 10:00–10:30." in said, said
    assert "appointment" not in said, said
    sentences = [part.strip() for part in said.split(".") if part.strip()]
    assert len(sentences) == len(set(sentences)) == 2, said


def test_a_refused_move_snaps_back_with_its_reason(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    provider_id = scene["provider_calendar"]
    event = page.locator(".fc-timegrid-event", has_text="9:00").first
    box = event.bounding_box()
    _, y_target = slot_point(page, provider_id, "10:00")
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(x, y_target + 5, steps=10)
    page.mouse.up()
    page.wait_for_selector("#grid-message.error")
    assert "Not moved" in page.inner_text("#grid-message")
    assert "already has Rita Almeida 10:00–10:30." in page.inner_text("#grid-message")
    page.wait_for_timeout(500)
    assert page.locator(".fc-timegrid-event", has_text="9:00").count() == 1  # back where it was


def test_a_status_can_be_hidden_from_the_status_bar(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    assert page.locator(".fc-timegrid-event:visible").count() == 2
    page.click("#status-bar button[data-status='booked']")
    assert page.get_attribute("#status-bar button[data-status='booked']", "aria-pressed") == "false"
    page.wait_for_function("document.querySelectorAll('.fc-timegrid-event').length === 0")
    page.click("#status-bar button[data-status='booked']")
    page.wait_for_function("document.querySelectorAll('.fc-timegrid-event').length === 2")
    page.evaluate("localStorage.clear()")


def _width_share(page, text: str) -> float:
    """How much of its column an appointment's block takes (1.0: all of it)."""
    return page.evaluate("""(text) => {
        const block = [...document.querySelectorAll('.fc-timegrid-event')].find((e) => e.innerText.includes(text));
        const column = block.closest('td.fc-timegrid-col');
        return block.getBoundingClientRect().width / column.querySelector('.fc-timegrid-col-frame').getBoundingClientRect().width;
    }""", text)


def test_a_hidden_status_takes_no_room_in_the_column(page, live_server, db, scene):
    # A canceled visit at 11:00 and the booked one that took its place: with Canceled
    # hidden (the default), the booked one has the whole column, not half of it beside
    # an invisible block.
    calendar = db.session.get(Calendar, scene["provider_calendar"])
    gone = factories.make_client(first_name="Gina", last_name="Gone", home_location=calendar.location)
    kept = factories.make_client(first_name="Kai", last_name="Kept", home_location=calendar.location)
    session = factories.make_session_type(name="Long visit", discipline=calendar.disciplines[0], duration_minutes=60)
    for who, status in ((gone, AppointmentStatus.canceled), (kept, AppointmentStatus.booked)):
        visit = factories.make_appointment(calendar, to_utc(DAY, time(11), ZONE), session_type=session, status=status,
                                           case=factories.make_case(client=who, discipline=calendar.disciplines[0]))
        if status == AppointmentStatus.canceled:  # its time released, as canceling does
            for occupancy in visit.occupancies:
                occupancy.active = False
        db.session.flush()
    db.session.commit()
    db.session.close()
    open_grid(page, live_server, "frontdesk")
    page.wait_for_selector(".fc-timegrid-event >> text=Kai Kept")
    assert not page.locator(".fc-timegrid-event", has_text="Gina Gone").is_visible()
    assert _width_share(page, "Kai Kept") > 0.9
    page.click("#status-bar button[data-status='canceled']")  # shown: the two share the column
    page.wait_for_selector(".fc-timegrid-event >> text=Gina Gone")
    assert _width_share(page, "Kai Kept") < 0.6
    page.click("#status-bar button[data-status='canceled']")  # hidden again: the whole column
    page.wait_for_function("!document.querySelector('#calendar').innerText.includes('Gina Gone')")
    assert _width_share(page, "Kai Kept") > 0.9
    page.evaluate("localStorage.clear()")


def test_a_provider_sees_only_their_own_column(page, live_server, scene):
    open_grid(page, live_server, "provider")
    headers = page.locator(".fc-col-header-cell.fc-resource").all_inner_texts()
    assert headers == [scene["provider_calendar_name"]]


def test_find_time_slot_highlights_openings_and_books_from_one(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    page.select_option("#find-session", label="Physiotherapy · Follow-up (30 min)")
    page.click("#find-go")
    page.wait_for_selector("#find-results li button")
    # Any provider of the discipline; each opening names its day (the search looks weeks ahead).
    assert page.inner_text("#find-results li button >> nth=0") == f"Mon {DAY.day} {DAY:%b} 09:00 · Dana Colleague"
    page.select_option("#find-provider", label=scene["provider_calendar_name"])
    page.click("#find-go")
    page.wait_for_function("!document.querySelector('#find-results').innerText.includes('Dana')")
    page.wait_for_selector("#find-results li button")
    first = page.inner_text("#find-results li button >> nth=0")
    assert first.endswith("09:30 · " + scene["provider_calendar_name"])  # 09:00 and 10:00 are taken
    page.click("#find-results li button >> nth=0")
    page.wait_for_selector("#book-dialog[open]")
    assert page.locator(".fc-bg-event.opening-slot").count() > 0  # the chosen opening is marked on the grid
    assert "09:30" in page.inner_text("#book-when")
    page.fill("#book-client", "Almeida")
    page.click("#book-client-results li")
    assert page.input_value("#book-session") != ""
    page.click("#book-submit")
    page.wait_for_selector("#grid-message.ok")


def test_the_appointment_panel_shows_the_client_and_cancels(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    page.click(".fc-timegrid-event >> nth=0")
    page.wait_for_selector("#appt-panel:not([hidden])")
    assert page.inner_text("#panel-client") == "Rita Almeida"
    facts = page.inner_text("#panel-facts")
    assert "Knee rehab" in facts and "Self-pay" in facts
    page.once("dialog", lambda dialog: dialog.accept("Client ill"))
    page.click("#panel-cancel")
    page.wait_for_selector("#grid-message.ok")
    assert "Canceled Rita Almeida" in page.inner_text("#grid-message")
    page.wait_for_function("document.querySelectorAll('.fc-timegrid-event').length === 1")  # Canceled is hidden


def test_copy_an_appointment_by_selecting_a_new_time(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    page.click(".fc-timegrid-event >> nth=0")
    page.wait_for_selector("#appt-panel:not([hidden])")
    page.click("#panel-copy")
    page.click("#panel-close")
    x, y = slot_point(page, scene["provider_calendar"], "15:00")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=3)
    page.mouse.up()
    page.wait_for_function("document.querySelector('#grid-message').innerText === 'Copied.'")
    page.wait_for_selector(".fc-timegrid-event:not(.fc-event-mirror) >> text=3:00 - 3:30")  # a copy: same length
    assert not page.locator("#book-dialog[open]").count()


def test_a_day_nobody_works_has_no_row_without_cells(page, live_server, scene):
    # Issue 14: the grid opened on a Saturday (no column) had a critical axe finding,
    # FullCalendar's body row holding only its hidden time axis.
    open_grid(page, live_server, "frontdesk")
    page.fill("#grid-date", (DAY - timedelta(days=2)).isoformat())
    page.dispatch_event("#grid-date", "change")
    page.wait_for_function("document.querySelectorAll('td.fc-timegrid-col[data-resource-id]').length === 0")
    assert violations(page, impacts=("serious", "critical")) == []
    # Columns back: the row is a row again.
    page.fill("#grid-date", DAY.isoformat())
    page.dispatch_event("#grid-date", "change")
    page.wait_for_selector(".fc-event")
    assert page.locator("tr[data-no-cells]").count() == 0
    assert violations(page, impacts=("serious", "critical")) == []
