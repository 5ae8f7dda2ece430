"""What can be booked where and when: every refusal names its reason."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.errors import Conflict
from app.models import AppointmentStatus, OverlapPolicy, TimeBlock
from app.scheduling import availability, booking
from tests import factories
from tests.scheduling.conftest import MONDAY, NOW, at


def reasons(exc: Conflict) -> set[str]:
    return {p.details.get("reason") for p in exc.problems}


def book(clinic, start, **kw):
    kw.setdefault("session_type", clinic.physio)
    kw.setdefault("case", clinic.case)
    kw.setdefault("calendar", clinic.provider)
    return booking.book(start=start, actor=None, now=NOW, **kw)


def test_a_free_time_inside_the_shift_is_booked_with_its_occupancy(clinic, db):
    result = book(clinic, at(9, 30))
    appt = result.appointment
    assert (appt.starts_at, appt.ends_at) == (at(9, 30), at(10))
    assert [(o.calendar_id, o.starts_at, o.ends_at, o.exclusive) for o in appt.occupancies] == [
        (clinic.provider.id, at(9, 30), at(10), True)]


@pytest.mark.parametrize("hour, minute, reason", [
    (8, 30, "outside_shift"),    # starts before the shift
    (16, 45, "outside_shift"),   # runs past its end
    (11, 45, "in_break"),        # runs into lunch
    (12, 0, "in_break"),
])
def test_times_outside_working_hours_are_refused_with_the_reason(clinic, db, hour, minute, reason):
    with pytest.raises(Conflict) as refused:
        book(clinic, at(hour, minute))
    assert reason in reasons(refused.value)


def test_blocked_time_is_refused(clinic, db):
    db.session.add(TimeBlock(calendar=clinic.provider, starts_at=at(14), ends_at=at(15), reason="Team meeting"))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        book(clinic, at(14, 15))
    assert reasons(refused.value) == {"blocked"}
    assert "Team meeting" in refused.value.problems[0].message


def test_an_overlap_names_the_appointment_and_calendar(clinic, db):
    first = book(clinic, at(10)).appointment
    with pytest.raises(Conflict) as refused:
        book(clinic, at(10, 15))
    (problem,) = refused.value.problems
    assert problem.details == {"calendar_id": clinic.provider.id, "reason": "overlaps_appointment",
                               "appointment_id": first.id}


def test_buffers_keep_time_between_appointments(clinic, db):
    clinic.provider.buffer_after_minutes = 10
    db.session.commit()
    book(clinic, at(10))
    with pytest.raises(Conflict):
        book(clinic, at(10, 30))  # the first holds until 10:40
    assert book(clinic, at(10, 45)).appointment


def test_a_session_of_another_discipline_is_refused(clinic, db):
    massage = factories.make_session_type(name="Massage", duration_minutes=60)
    with pytest.raises(Conflict) as refused:
        book(clinic, at(10), session_type=massage, case=factories.make_case(discipline=massage.discipline))
    assert "discipline_not_accepted" in reasons(refused.value)


def test_a_room_session_takes_a_free_room_and_is_refused_when_none_is(clinic, db):
    first = book(clinic, at(10), session_type=clinic.rehab).appointment
    assert {o.calendar_id for o in first.occupancies} == {clinic.provider.id, clinic.room.id}
    with pytest.raises(Conflict) as refused:
        book(clinic, at(10), session_type=clinic.rehab, calendar=clinic.other_provider)
    assert "room_required" in reasons(refused.value)


def test_a_closed_case_or_another_clients_case_is_refused(clinic, db):
    clinic.case.closed_on = date(2026, 3, 10)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        book(clinic, at(10), client_id=clinic.case.client_id + 1000)
    assert {"case_closed", "case_not_clients"} <= reasons(refused.value)


def test_staff_see_a_warning_when_authorised_visits_run_out_and_online_is_refused(clinic, db):
    clinic.case.authorised_visits = 1
    clinic.provider.online_enabled = True
    clinic.physio.online_bookable = True
    db.session.commit()
    assert book(clinic, at(10)).warnings == ["0 authorised visit(s) will remain on the case after this booking."]
    result = book(clinic, at(11))
    assert "used up" in result.warnings[0]
    with pytest.raises(Conflict) as refused:
        book(clinic, at(14), channel="online")
    assert "authorisation_exhausted" in reasons(refused.value)


def test_online_bookings_respect_lead_time_and_only_online_calendars(clinic, db):
    clinic.physio.online_bookable = True
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        book(clinic, at(10), channel="online")
    assert "not_online" in reasons(refused.value)
    clinic.provider.online_enabled = True
    clinic.provider.lead_time_minutes = 24 * 60
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(10),
                     actor=None, channel="online", now=at(9))
    assert reasons(refused.value) == {"lead_time"}


def test_staff_may_overlap_on_purpose_where_the_calendar_allows_it(clinic, db):
    clinic.provider.overlap_policy = OverlapPolicy.staff_may_overlap
    db.session.commit()
    first = book(clinic, at(10)).appointment
    second = book(clinic, at(10), allow_overlap=True)
    assert second.overlaps == [first.id]
    assert [o.exclusive for o in second.appointment.occupancies] == [False]


def test_a_canceled_slot_is_free_again(clinic, db):
    appt = book(clinic, at(10)).appointment
    booking.cancel(appointment=appt, actor=None)
    assert appt.status == AppointmentStatus.canceled
    assert book(clinic, at(10)).appointment.id != appt.id


def test_moving_checks_the_new_time_and_frees_the_old(clinic, db):
    appt = book(clinic, at(10)).appointment
    blocker = book(clinic, at(11)).appointment
    with pytest.raises(Conflict) as refused:
        booking.move(appointment=appt, actor=None, start=at(11), now=NOW)
    assert refused.value.problems[0].details["appointment_id"] == blocker.id
    booking.move(appointment=appt, actor=None, start=at(10, 15), now=NOW)  # overlaps its own old time: fine
    assert appt.starts_at == at(10, 15)
    assert book(clinic, at(9)).appointment  # (unrelated) still bookable


def test_a_stale_edit_is_refused(clinic, db):
    appt = book(clinic, at(10)).appointment
    db.session.commit()
    seen = appt.version
    booking.move(appointment=appt, actor=None, start=at(10, 30), now=NOW, expected_version=seen)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        booking.move(appointment=appt, actor=None, start=at(11), now=NOW, expected_version=seen)
    assert reasons(refused.value) == {"stale"}


def test_rebooking_makes_a_new_appointment_pointing_back(clinic, db):
    old = book(clinic, at(10)).appointment
    new = booking.rebook(appointment=old, start=at(10, 15), actor=None, now=NOW).appointment
    assert old.status == AppointmentStatus.rebooked and new.rebooked_from == old
    assert all(not o.active for o in old.occupancies)


def test_slots_offered_are_exactly_the_bookable_grid_starts(clinic, db):
    book(clinic, at(10))
    slots = availability.find_slots(session_type=clinic.physio, provider_calendars=[clinic.provider],
                                    start_day=MONDAY, end_day=MONDAY, now=NOW)
    offered = {s.start for s in slots}
    grid = [at(8) + timedelta(minutes=15 * i) for i in range(4 * 10)]
    for t in grid:
        ok = not availability.check_booking(session_type=clinic.physio, calendars=[clinic.provider], start=t, now=NOW)
        assert ok == (t in offered), t
    assert at(9) in offered and at(9, 30) in offered and at(10) not in offered and at(11, 45) not in offered


def test_any_provider_returns_the_calendars_that_would_be_used(clinic, db):
    book(clinic, at(9))
    slots = availability.find_slots(session_type=clinic.rehab, location_id=clinic.people.location.id,
                                    start_day=MONDAY, end_day=MONDAY, now=NOW)
    by_start = {s.start: s.calendar_ids for s in slots}
    assert by_start[at(9)] == (clinic.other_provider.id, clinic.room.id)  # the first provider is busy
    assert by_start[at(10)] == (clinic.provider.id, clinic.room.id)


def test_an_appointment_longer_than_a_calendar_can_hold_is_refused(clinic, db):
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(9),
                     actor=None, now=NOW, length=timedelta(hours=17))
    assert "too_long" in reasons(refused.value)


def test_an_occupancy_from_the_evening_before_still_counts_at_midnight(clinic, db):
    """Occupancies are read with a lower bound; one that starts the day before and runs
    past midnight must still be seen."""
    night = clinic.provider
    factories.make_shift(night, MONDAY - timedelta(days=1), time(20), time(23, 59))
    factories.make_shift(night, MONDAY, time(0), time(2))
    factories.make_appointment(night, at(23, 30, MONDAY - timedelta(days=1)), end=at(0, 30, MONDAY),
                               session_type=clinic.physio, case=clinic.case)
    db.session.commit()
    slots = availability.find_slots(session_type=clinic.physio, provider_calendars=[night], start_day=MONDAY,
                                    end_day=MONDAY, now=NOW)
    assert at(0) not in {s.start for s in slots} and at(0, 30) in {s.start for s in slots}
