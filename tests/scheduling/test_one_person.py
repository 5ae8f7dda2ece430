"""A team member is one resource across locations (issue 14, item 2): a booking on one of
their calendars keeps every other calendar of theirs free for that time, plus the clinic's
travel time when the other calendar is at another location. Offered (find_slots) and
accepted (check_booking / book / move) come from the same free lists, and a refusal names
where the person is."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.errors import Conflict
from app.models import AppointmentStatus, CalendarKind
from app.models.settings import clinic_settings
from app.scheduling import availability, booking, series
from tests import factories
from tests.scheduling.conftest import MONDAY, NOW, at


def reasons(exc: Conflict) -> set[str]:
    return {p.details.get("reason") for p in exc.problems}


@pytest.fixture()
def two_places(clinic, db):
    """The clinic's provider also works at Uptown (same zone) and Lisbon (another zone),
    each a calendar of theirs with a shift on MONDAY; a colleague works at Uptown too."""
    people = clinic.people
    uptown = factories.make_location(name="Uptown", timezone="America/Toronto")
    member = people.provider
    calendars = {}
    for name, location in (("Uptown", uptown), ("Lisbon", people.other_location)):
        calendars[name] = factories.make_calendar(name=f"{member.display_name} ({name})", kind=CalendarKind.provider,
                                                  location=location, team_member=member,
                                                  disciplines=[people.discipline])
        factories.make_shift(calendars[name], MONDAY, time(6), time(23))
    colleague = factories.make_calendar(name="Colleague (Uptown)", kind=CalendarKind.provider, location=uptown,
                                        team_member=people.outsider, disciplines=[people.discipline])
    factories.make_shift(colleague, MONDAY, time(6), time(23))
    calendars["colleague"] = colleague
    db.session.commit()
    return calendars


def set_travel(db, minutes):
    clinic_settings().travel_minutes = minutes
    db.session.commit()


def offered(clinic, calendar, now=NOW, channel="staff"):
    return {s.start for s in availability.find_slots(
        session_type=clinic.physio, provider_calendars=[calendar], start_day=MONDAY, end_day=MONDAY,
        now=now, any_provider=False, channel=channel)}


# Existing: the provider at Uptown 10:00–11:00. New: a 30-minute visit at Downtown.
@pytest.mark.parametrize("travel, hour, minute, free", [
    (0, 9, 30, True),     # ends as the other begins
    (0, 9, 45, False),    # runs into it
    (0, 10, 30, False),   # inside it
    (0, 11, 0, True),     # starts as it ends
    (30, 9, 0, True),     # ends 9:30, leaving 30 minutes to get there
    (30, 9, 30, False),   # no time to travel
    (30, 11, 0, False),   # no time to come back
    (30, 11, 30, True),
    (15, 11, 15, True),
    (15, 11, 0, False),
])
def test_a_booking_elsewhere_and_the_travel_time_keep_the_person_free(clinic, two_places, db, travel, hour, minute,
                                                                        free):
    set_travel(db, travel)
    factories.make_appointment(two_places["Uptown"], at(10), end=at(11))
    db.session.commit()
    start = at(hour, minute)
    problems = availability.check_booking(session_type=clinic.physio, calendars=[clinic.provider], start=start, now=NOW)
    assert (not problems) == free, problems
    assert (start in offered(clinic, clinic.provider)) == free
    if not free:
        assert {p.details["reason"] for p in problems} == {"busy_elsewhere"}


@pytest.mark.parametrize("where, status, blocks", [
    ("colleague", AppointmentStatus.booked, False),   # another person at the other location
    ("Uptown", AppointmentStatus.canceled, False),    # a canceled visit holds no time
    ("Uptown", AppointmentStatus.booked, True),
])
def test_only_the_same_persons_active_bookings_count(clinic, two_places, db, where, status, blocks):
    appointment = factories.make_appointment(two_places[where], at(10), end=at(11), status=status)
    if status == AppointmentStatus.canceled:
        for occupancy in appointment.occupancies:
            occupancy.active = False
    db.session.commit()
    assert (at(10) not in offered(clinic, clinic.provider)) == blocks


# The other visit is 11:00–12:00 Toronto time (EDT, UTC-4) = 15:00–16:00 in Lisbon (WET, UTC+0).
@pytest.mark.parametrize("held_on, booked_on, says", [
    ("Lisbon", "Toronto", "is at Lisbon 11:00–12:00 EDT"),  # Lisbon's visit on Toronto's clock, named
    ("Toronto", "Lisbon", "is at {toronto} 15:00–16:00 WET"),  # and the other way round
    ("Uptown", "Toronto", "is at Uptown 11:00–12:00"),  # same zone: the clock needs no name
])
def test_the_refusal_names_the_person_the_place_and_the_time_on_the_booked_locations_clock(
        clinic, two_places, db, held_on, booked_on, says):
    set_travel(db, 30)
    calendar = {"Toronto": clinic.provider, "Lisbon": two_places["Lisbon"], "Uptown": two_places["Uptown"]}
    factories.make_appointment(calendar[held_on], at(11), end=at(12))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.physio, calendar=calendar[booked_on], start=at(10, 15),
                     actor=None, now=NOW)
    (problem,) = refused.value.problems
    name = clinic.people.provider.display_name
    where = says.format(toronto=clinic.provider.location.name)
    assert problem.message == f"{name} {where} (30 min travel between locations)."
    assert refused.value.message == problem.message


def test_staff_overlap_permission_does_not_put_one_person_in_two_places(clinic, two_places, db):
    from app.models import OverlapPolicy

    clinic.provider.overlap_policy = OverlapPolicy.staff_may_overlap
    factories.make_appointment(two_places["Uptown"], at(10), end=at(11))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(10),
                     actor=None, now=NOW, allow_overlap=True)
    assert reasons(refused.value) == {"busy_elsewhere"}


def test_a_move_into_the_persons_time_elsewhere_is_refused_and_out_of_it_accepted(clinic, two_places, db):
    factories.make_appointment(two_places["Uptown"], at(10), end=at(11))
    here = booking.book(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider, start=at(14),
                        actor=None, now=NOW).appointment
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        booking.move(appointment=here, actor=None, start=at(10, 30), now=NOW)
    assert reasons(refused.value) == {"busy_elsewhere"}
    db.session.rollback()
    # Moving the Uptown visit itself never collides with its own time.
    there = booking.book(case=clinic.case, session_type=clinic.physio, calendar=two_places["Uptown"],
                         start=at(15), actor=None, now=NOW).appointment
    booking.move(appointment=there, actor=None, start=at(15, 15), now=NOW)
    db.session.commit()


def test_online_times_hide_the_persons_time_elsewhere(clinic, two_places, db):
    clinic.provider.online_enabled, clinic.provider.lead_time_minutes = True, 0
    clinic.physio.online_bookable = True
    factories.make_appointment(two_places["Uptown"], at(10), end=at(11))
    db.session.commit()
    online = offered(clinic, clinic.provider, channel="online")
    assert at(9, 30) in online and at(10) not in online and at(11) in online


def test_a_series_marks_the_weeks_the_person_is_elsewhere(clinic, two_places, db):
    for week in (1, 2):
        factories.make_shift(clinic.provider, MONDAY + timedelta(weeks=week), time(9), time(17))
        factories.make_shift(two_places["Uptown"], MONDAY + timedelta(weeks=week), time(9), time(17))
    factories.make_appointment(two_places["Uptown"], at(10, day=MONDAY + timedelta(weeks=1)),
                               end=at(11, day=MONDAY + timedelta(weeks=1)))
    db.session.commit()
    pattern = series.Pattern(first_day=MONDAY, weekdays=frozenset({0}), at=time(10), count=3)
    occurrences = series.preview(case=clinic.case, session_type=clinic.physio, calendar=clinic.provider,
                                 pattern=pattern, now=NOW)
    assert [o.free for o in occurrences] == [True, False, True]
