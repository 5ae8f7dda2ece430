"""Changing the day from the grid itself, in a real browser: blocked time and breaks
(select, click to change, remove), repeating an appointment from its panel (per-date
check, an alternative for a taken date, all booked at once), and the booking form's
new case, chosen room and notification default."""
from __future__ import annotations

import re

from datetime import time, timedelta

import pytest
from sqlalchemy import select
from playwright.sync_api import expect

from app.extensions import db as ext_db
from app.models import Appointment, CalendarKind, Case, PayerKind, ShiftBreak, TimeBlock
from app.models.settings import clinic_settings
from app.timeutil import to_utc
from tests import factories
from tests.browser.test_grid import DAY, ZONE, open_grid, slot_point

pytestmark = pytest.mark.browser


@pytest.fixture()
def scene(db, people):
    room = factories.make_calendar(name="Room 1", kind=CalendarKind.room, location=people.location,
                                   disciplines=[people.discipline], sort_order=1)
    room2 = factories.make_calendar(name="Room 2", kind=CalendarKind.room, location=people.location,
                                    disciplines=[people.discipline], sort_order=2)
    colleague = factories.make_team_member(locations=[people.location], disciplines=[people.discipline],
                                           display_name="Dana Colleague")
    follow_up = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    factories.make_session_type(name="Rehab", discipline=people.discipline, duration_minutes=45, needs_room=True)
    for week in range(3):
        for calendar in (people.provider_calendar, colleague.calendars[0], room, room2):
            factories.make_shift(calendar, DAY + timedelta(weeks=week), time(9), time(17),
                                 breaks=[(time(12), time(13))])
    rita = factories.make_client(first_name="Rita", last_name="Almeida", home_location=people.location)
    case = factories.make_case(client=rita, title="Knee rehab", discipline=people.discipline, provider=people.provider)
    factories.make_appointment(people.provider_calendar, to_utc(DAY, time(9), ZONE), case=case, session_type=follow_up)
    # Next Monday 09:00 is someone else's: the repeat must offer an alternative.
    factories.make_appointment(people.provider_calendar, to_utc(DAY + timedelta(weeks=1), time(9), ZONE),
                               session_type=follow_up)
    factories.make_client(first_name="Nuno", last_name="Newcomer", home_location=people.location)
    factories.make_payer(name="Blue Cross", kind=PayerKind.insurer)  # self-pay is the blank choice
    clinic_settings().notify_by_default = False
    db.session.commit()
    ids = {"provider": people.provider_calendar.id, "provider_name": people.provider_calendar.name,
           "colleague": colleague.calendars[0].id, "room": room.id, "room2": room2.id}
    db.session.close()
    return ids


def drag(page, resource_id, start, end):
    x, y = slot_point(page, resource_id, start)
    _, y_end = slot_point(page, resource_id, end)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y_end - 4, steps=5)
    page.mouse.up()


def test_block_time_by_selecting_then_change_and_remove_it(page, live_server, scene, db):
    open_grid(page, live_server, "frontdesk")
    drag(page, scene["room"], "14:00", "15:00")  # a room's column: blocked time, not booking
    page.wait_for_selector("#book-dialog[open] #range-form:not([hidden])")
    assert page.get_attribute("#select-kind [data-kind=block]", "aria-selected") == "true"
    assert page.is_hidden("#select-kind [data-kind=book]")
    assert (page.input_value("#range-start"), page.input_value("#range-end")) == ("14:00", "15:00")
    page.fill("#range-text", "Pool maintenance")
    page.click("#range-save")
    page.wait_for_selector(".fc-bg-event.blocked-time >> text=Pool maintenance")
    db.session.close()
    block = ext_db.session.scalars(select(TimeBlock)).one()
    assert block.starts_at == to_utc(DAY, time(14), ZONE)
    ext_db.session.close()

    page.click(".fc-bg-event.blocked-time")
    page.wait_for_selector("#book-dialog[open] #range-form:not([hidden])")
    assert page.inner_text("#range-title") == "Change blocked time"
    page.fill("#range-end", "16:30")
    page.fill("#range-text", "Pool repairs")
    page.click("#range-save")
    page.wait_for_selector(".fc-bg-event.blocked-time >> text=Pool repairs")
    page.screenshot(path="test-artifacts/grid_block_changed.png")

    page.click(".fc-bg-event.blocked-time")
    page.wait_for_selector("#range-remove:visible")
    page.once("dialog", lambda d: d.accept())
    page.click("#range-remove")
    page.wait_for_function("document.querySelectorAll('.fc-bg-event.blocked-time').length === 0")
    assert ext_db.session.scalars(select(TimeBlock)).all() == []
    ext_db.session.close()


def test_a_break_added_in_a_providers_column_and_a_booked_slot_needs_confirmation(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    drag(page, scene["provider"], "15:00", "15:30")
    page.wait_for_selector("#book-dialog[open]")
    assert page.get_attribute("#select-kind [data-kind=book]", "aria-selected") == "true"
    page.click("#select-kind [data-kind=break]")
    page.fill("#range-start", "09:00")  # typed over Rita's 09:00 appointment: confirmed first
    page.fill("#range-end", "09:30")
    page.fill("#range-text", "Admin")
    page.click("#range-save")
    page.wait_for_selector("#range-anyway:visible")
    assert "Rita Almeida" in page.inner_text("#range-error")
    page.click("#range-anyway")
    page.wait_for_selector(".fc-bg-event.break-time >> text=Admin")
    brk = ext_db.session.scalars(select(ShiftBreak).where(ShiftBreak.label == "Admin")).one()
    assert (brk.start_time, brk.end_time, brk.shift.day) == (time(9), time(9, 30), DAY)
    ext_db.session.close()


def test_repeat_from_the_panel_checks_each_date_and_books_all_at_once(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    page.click(".fc-timegrid-event >> text=Rita Almeida")
    page.wait_for_selector("#appt-panel:not([hidden])")
    assert page.is_visible("#appointment-actions #panel-repeat")
    # The panel's status and billing section loads beside the actions (it was asserted
    # hidden here, which only held while its request was still in flight).
    expect(page.locator("#appointment-billing")).to_contain_text("Status and billing")
    page.click("#panel-repeat")
    page.wait_for_selector("#repeat-dialog[open]")
    assert page.input_value("#repeat-at") == "09:00"
    assert page.is_checked("#repeat-days input[value='0']")  # Monday, like the appointment
    page.fill("#repeat-count", "2")
    page.click("#repeat-preview")
    page.wait_for_selector("#repeat-results tbody tr.refused")
    rows = page.locator("#repeat-results tbody tr")
    expect(rows).to_have_count(2)
    # Who is there and when, not an appointment id (app/scheduling/overlap_text.py).
    assert re.search(r"already has Client\d+ Example 09:00–09:30\.", rows.nth(0).inner_text())
    assert "Free" in rows.nth(1).inner_text()
    assert page.inner_text("#repeat-confirm") == "Book 1 session"
    alternative = page.locator("#repeat-results tr.refused select option").nth(1)
    page.select_option("#repeat-results tr.refused select", alternative.get_attribute("value"))
    assert page.inner_text("#repeat-confirm") == "Book 2 sessions"
    page.screenshot(path="test-artifacts/grid_repeat_preview.png")
    page.click("#repeat-confirm")
    page.wait_for_selector("#grid-message.ok")
    assert "Booked 2 more sessions for Rita Almeida" in page.inner_text("#grid-message")
    series = ext_db.session.scalars(select(Appointment).where(Appointment.series_id.is_not(None))
                                    .order_by(Appointment.starts_at)).all()
    assert len(series) == 3 and len({a.series_id for a in series}) == 1  # the original joined
    assert series[1].starts_at == to_utc(DAY + timedelta(weeks=1), time(9, 30), ZONE)  # the nearest alternative
    ext_db.session.close()


def test_book_on_a_new_case_with_a_chosen_room_and_the_clinics_notification_default(page, live_server, scene):
    open_grid(page, live_server, "frontdesk")
    drag(page, scene["provider"], "14:00", "14:15")
    page.wait_for_selector("#book-dialog[open]")
    assert not page.is_checked("#book-notify")  # the clinic's setting: do not notify by default
    page.fill("#book-client", "Newcomer")
    page.click("#book-client-results li")
    assert page.input_value("#book-case") == "new"  # no open case: a new one, inline
    assert page.is_visible("#book-new-case")
    page.fill("#case-title", "Shoulder pain")
    page.select_option("#case-payer", label="Blue Cross")
    page.fill("#case-claim", "BC-1234")
    page.select_option("#book-session", label="Rehab (45 min)")
    page.wait_for_selector("#book-extra-room option:has-text('Room 2')", state="attached")
    assert page.inner_text("#book-extra-room option >> nth=0") == "Automatic (Room 1)"
    page.select_option("#book-extra-room", label="Room 2")
    page.screenshot(path="test-artifacts/grid_new_case_form.png")
    page.click("#book-submit")
    page.wait_for_selector("#grid-message.ok")
    appointment = ext_db.session.scalars(select(Appointment).join(Case).where(Case.title == "Shoulder pain")).one()
    assert appointment.case.claim_number == "BC-1234" and appointment.case.payer.name == "Blue Cross"
    assert sorted(o.calendar_id for o in appointment.occupancies) == sorted([scene["provider"], scene["room2"]])
    assert appointment.notify is False
    ext_db.session.close()
