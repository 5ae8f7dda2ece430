"""Each bug found in review, with the test that would have caught it."""
from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import pytest

from app.errors import Conflict, ValidationFailed
from app.extensions import db as ext_db
from app.models import Appointment, AppointmentStatus, Calendar, Case, SessionType
from app.scheduling import availability, booking, series
from app.timeutil import to_local
from tests.scheduling.conftest import MONDAY, NOW, at
from tests.scheduling.test_concurrency import _race


def test_slots_stay_on_the_clock_grid_when_now_has_seconds(clinic, db):
    clinic.provider.online_enabled = True
    clinic.physio.online_bookable = True
    clinic.provider.lead_time_minutes = 0
    db.session.commit()
    now = at(9, 7) + timedelta(seconds=30)
    slots = availability.find_slots(session_type=clinic.physio, provider_calendars=[clinic.provider],
                                    start_day=MONDAY, end_day=MONDAY, now=now, channel="online")
    assert slots[0].start == at(9, 15)
    assert all(to_local(s.start, "America/Toronto").minute % 15 == 0 for s in slots)
    assert not availability.check_booking(session_type=clinic.physio, calendars=[clinic.provider],
                                          start=slots[0].start, now=now, channel="online")


def test_an_online_session_needing_a_room_is_offered_and_accepted(clinic, db):
    clinic.provider.online_enabled = True
    clinic.rehab.online_bookable = True
    clinic.provider.lead_time_minutes = 0
    db.session.commit()  # the room is not "online enabled": it need not be
    slots = availability.find_slots(session_type=clinic.rehab, provider_calendars=[clinic.provider],
                                    start_day=MONDAY, end_day=MONDAY, now=NOW, channel="online")
    assert slots
    booked = booking.book(case=clinic.case, session_type=clinic.rehab, calendar=clinic.provider,
                          start=slots[0].start, actor=None, now=NOW, channel="online")
    assert {o.calendar_id for o in booked.appointment.occupancies} == {clinic.provider.id, clinic.room.id}


def test_extra_calendars_must_be_needed_resources_listed_once(clinic, db):
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(10),
                     extra_calendars=[clinic.other_provider], actor=None, now=NOW)
    assert "not_needed" in {p.details["reason"] for p in refused.value.problems}
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.rehab, calendar=clinic.provider, start=at(10),
                     extra_calendars=[clinic.room, clinic.room], actor=None, now=NOW)
    assert "duplicate" in {p.details["reason"] for p in refused.value.problems}


def test_a_zero_length_resize_is_refused(clinic, db):
    appointment = booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                               start=at(10), actor=None, now=NOW).appointment
    with pytest.raises(ValidationFailed):
        booking.move(appointment=appointment, actor=None, length=timedelta(0), now=NOW)


def test_the_series_preview_reports_a_closed_case(clinic, db):
    clinic.case.closed_on = MONDAY
    db.session.commit()
    occurrences = series.preview(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                                 pattern=series.Pattern(first_day=MONDAY, weekdays=frozenset({0}), at=time(10), count=1),
                                 now=NOW)
    assert not occurrences[0].free
    assert occurrences[0].problems[0].details["reason"] == "case_closed"


def test_an_end_date_making_too_many_sessions_is_refused_not_cut():
    pattern = series.Pattern(first_day=date(2026, 1, 5), weekdays=frozenset({0, 2, 4}), at=time(9),
                             until=date(2027, 1, 1))
    with pytest.raises(ValidationFailed):
        series.occurrence_days(pattern)


def test_a_cancel_racing_a_reassign_never_leaves_a_canceled_appointment_holding_time(app, clinic, db):
    appointment_id = booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                                  start=at(10), actor=None, now=NOW).appointment.id
    other_id = clinic.other_provider.id
    db.session.commit()

    def reassign():
        booking.move(appointment=ext_db.session.get(Appointment, appointment_id), actor=None,
                     calendar=ext_db.session.get(Calendar, other_id), now=NOW)

    def cancel():
        booking.cancel(appointment=ext_db.session.get(Appointment, appointment_id), actor=None)

    outcomes = _race(app, [reassign, cancel])
    assert not any(k.startswith("error") for k in outcomes), outcomes
    appointment = ext_db.session.get(Appointment, appointment_id)
    if appointment.status == AppointmentStatus.canceled:
        assert not any(o.active for o in appointment.occupancies)


def test_two_bookings_cannot_both_take_the_last_authorised_visit(app, clinic, db):
    clinic.case.authorised_visits = 1
    for cal in (clinic.provider, clinic.other_provider):
        cal.online_enabled = True
        cal.lead_time_minutes = 0
    clinic.physio.online_bookable = True
    db.session.commit()
    case_id, session_id = clinic.case.id, clinic.physio.id
    calendars = [clinic.provider.id, clinic.other_provider.id]

    def attempt(calendar_id):
        def run():
            booking.book(case=ext_db.session.get(Case, case_id), session_type=ext_db.session.get(SessionType, session_id),
                         calendar=ext_db.session.get(Calendar, calendar_id), start=at(10), actor=None, now=NOW,
                         channel="online")
        return run

    outcomes = _race(app, [attempt(c) for c in calendars])
    assert outcomes == Counter({"booked": 1, "conflict": 1})


@pytest.mark.parametrize("step,minute,accepted", [(10, 10, True), (20, 40, True), (15, 10, False)])
def test_an_online_move_follows_the_configured_slot_step(clinic, db, step, minute, accepted):
    clinic.provider.online_enabled = True
    clinic.physio.online_bookable = True
    placed = booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(10),
                          actor=None, now=NOW)
    move = lambda: booking.move(appointment=placed.appointment, actor=None, start=at(14, minute), now=NOW,  # noqa: E731
                                channel=availability.ONLINE, step_minutes=step)
    if accepted:
        move()
        assert to_local(placed.appointment.starts_at, "America/Toronto").minute == minute
    else:
        with pytest.raises(Conflict, match="15-minute grid"):
            move()
