"""Finding time ahead (issue 14, item 5): Find Time Slot's first openings over the coming
days and weeks ("any provider of this discipline" or one), and "book next" (same session,
same provider, same local time a week later, or the nearest openings)."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.models import Calendar, CalendarKind
from app.scheduling import find_time
from tests import factories
from tests.scheduling.conftest import MONDAY, NOW, at

TORONTO = "America/Toronto"


@pytest.fixture()
def ahead(clinic, db):
    """The clinic's provider works only MONDAY (full) and two weeks later; a massage
    therapist at the same location works every day and takes no physio."""
    people = clinic.people
    factories.make_appointment(clinic.provider, at(9), end=at(12), session_type=clinic.physio)
    factories.make_appointment(clinic.provider, at(13), end=at(17), session_type=clinic.physio)
    later = MONDAY + timedelta(weeks=2)
    factories.make_shift(clinic.provider, later, time(9), time(17))
    massage = factories.make_discipline(name="Massage")
    therapist = factories.make_calendar(name="Massage therapist", kind=CalendarKind.provider,
                                        location=people.location, disciplines=[massage])
    for offset in range(21):
        factories.make_shift(therapist, MONDAY + timedelta(days=offset), time(9), time(17))
    db.session.commit()
    return later


@pytest.mark.parametrize("limit, weeks, first_day, count", [
    (3, 4, "later", 3),     # the provider's first free day is two weeks on
    (20, 4, "later", 20),
    (40, 4, "later", 31),   # the whole day: 9:00 to 16:30 every 15 minutes
    (5, 2, None, 0),        # two weeks do not reach it
    (5, 3, "later", 5),
])
def test_the_first_openings_of_one_provider_look_ahead_week_by_week(clinic, ahead, db, limit, weeks, first_day, count):
    found = find_time.first_openings(session_type=clinic.physio, calendars=[clinic.provider], from_day=MONDAY,
                                     limit=limit, weeks=weeks, now=NOW)
    assert len(found) == min(count, limit)
    if first_day:
        assert found[0].start == at(9, day=ahead)
        assert [s.start for s in found] == sorted(s.start for s in found)
        assert all(s.calendar_ids[0] == clinic.provider.id for s in found)


def test_any_provider_of_the_discipline_skips_those_who_do_not_take_it(clinic, ahead, db):
    from sqlalchemy import select

    from app.models import Calendar

    everyone = list(db.session.scalars(select(Calendar).where(Calendar.location_id == clinic.people.location.id,
                                                              Calendar.kind == CalendarKind.provider)))
    found = find_time.first_openings(session_type=clinic.physio, calendars=everyone, from_day=MONDAY, limit=4,
                                     now=NOW)
    # The colleague (physio, works MONDAY) is free at 9:00; the massage therapist never appears.
    assert found[0].start == at(9) and found[0].calendar_ids == (clinic.other_provider.id,)
    takers = {clinic.provider.id, clinic.other_provider.id}
    assert all(s.calendar_ids[0] in takers for s in found)


def test_book_next_offers_the_same_time_a_week_later_when_free(clinic, db):
    factories.make_shift(clinic.provider, MONDAY + timedelta(weeks=1), time(9), time(17))
    visit = factories.make_appointment(clinic.provider, at(10), session_type=clinic.physio, case=clinic.case)
    db.session.commit()
    found = find_time.next_visit(appointment=visit, now=NOW)
    assert found.free and found.start == at(10, day=MONDAY + timedelta(weeks=1))
    assert found.calendar.id == clinic.provider.id and found.session_type.id == clinic.physio.id


def test_book_next_when_taken_names_why_and_offers_the_nearest_openings(clinic, db):
    next_week = MONDAY + timedelta(weeks=1)
    factories.make_shift(clinic.provider, next_week, time(9), time(17))
    visit = factories.make_appointment(clinic.provider, at(10), session_type=clinic.physio, case=clinic.case)
    factories.make_appointment(clinic.provider, at(10, day=next_week), end=at(11, day=next_week),
                               session_type=clinic.physio)
    db.session.commit()
    found = find_time.next_visit(appointment=visit, now=NOW)
    assert not found.free and {p.details["reason"] for p in found.problems} == {"overlaps_appointment"}
    # Nearest first: 9:30 (30 min before), 9:15, then 9:00 and 11:00 (an hour either side).
    assert [s.start for s in found.alternatives[:4]] == [at(h, m, day=next_week)
                                                         for h, m in ((9, 30), (9, 15), (9, 0), (11, 0))]


def test_book_next_keeps_the_wall_clock_across_a_dst_change(db, people):
    """Toronto moves its clocks forward on 8 March 2026: 10:00 stays 10:00."""
    from app.timeutil import to_utc

    session = factories.make_session_type(discipline=people.discipline, duration_minutes=30)
    calendar = people.provider_calendar
    before, after = date(2026, 3, 2), date(2026, 3, 9)
    for day in (before, after):
        factories.make_shift(calendar, day, time(9), time(17))
    visit = factories.make_appointment(calendar, to_utc(before, time(10), TORONTO), session_type=session)
    db.session.commit()
    found = find_time.next_visit(appointment=visit, now=NOW - timedelta(days=30))
    assert found.start == to_utc(after, time(10), TORONTO)
    assert found.start - visit.starts_at == timedelta(days=7) - timedelta(hours=1)


# --- the endpoints (app/api/find_ahead.py) ---------------------------------------------------
from tests.scheduling.test_api import DAY as API_DAY, desk, local  # noqa: E402,F401  (the front desk's API client)


def test_find_time_answers_the_first_openings_ahead_in_local_time(desk, db):
    response = desk.get(f"/api/v1/find_time?session_type_id={desk.ids['session']}&location_id={desk.ids['location']}"
                        f"&limit=3&weeks=4")
    assert response.status_code == 200, response.json
    openings = response.json["openings"]
    assert [o["start"][:16] for o in openings] == [f"{API_DAY}T09:00", f"{API_DAY}T09:15", f"{API_DAY}T09:30"]
    # The outsider's Lisbon calendar is not the front desk's: only Downtown's provider.
    assert {o["calendar_ids"][0] for o in openings} == {desk.ids["calendar"]}
    # Named, so an opening on a day the grid does not show reads as its provider, not "Calendar 3".
    assert {o["calendar_names"][0] for o in openings} == {db.session.get(Calendar, desk.ids["calendar"]).name}


@pytest.mark.parametrize("query, status", [
    ("", 422),                                    # no session type
    ("session_type_id=1", 422),                   # neither calendar nor location
    ("session_type_id=1&location_id=1&limit=0", 422),
    ("session_type_id=1&location_id=1&weeks=9", 422),
    ("session_type_id=1&calendar_id=outsider", 404),
])
def test_find_time_refuses_bad_questions_with_4xx(desk, query, status):
    query = query.replace("session_type_id=1", f"session_type_id={desk.ids['session']}").replace(
        "location_id=1", f"location_id={desk.ids['location']}").replace(
        "calendar_id=outsider", f"calendar_id={desk.ids['outsider_calendar']}")
    assert desk.get("/api/v1/find_time?" + query).status_code == status


def test_book_next_from_the_api_then_booked_as_any_other(desk, db, people):
    factories.make_shift(people.provider_calendar, API_DAY - timedelta(weeks=1), time(9), time(17))
    db.session.commit()
    first = desk.post("/api/v1/appointments", json={
        "case_id": desk.ids["case"], "session_type_id": desk.ids["session"], "calendar_id": desk.ids["calendar"],
        "start": local(10, day=API_DAY - timedelta(weeks=1))})
    assert first.status_code == 201, first.json
    found = desk.get(f"/api/v1/appointments/{first.json['id']}/next_visit").json
    assert found["free"] is True and found["start"].startswith(f"{API_DAY}T10:00")
    assert (found["calendar_id"], found["session_type_id"], found["case_id"]) == (
        desk.ids["calendar"], desk.ids["session"], desk.ids["case"])
    booked = desk.post("/api/v1/appointments", json={k: found[k] for k in ("case_id", "session_type_id",
                                                                          "calendar_id", "start")})
    assert booked.status_code == 201
    again = desk.get(f"/api/v1/appointments/{first.json['id']}/next_visit").json
    assert again["free"] is False and again["alternatives"]
    assert desk.get("/api/v1/appointments/999999/next_visit").status_code == 404
