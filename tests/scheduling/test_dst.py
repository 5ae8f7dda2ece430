"""Availability across the daylight-saving changes of both demo zones."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.scheduling import availability, booking
from app.timeutil import to_local, to_utc
from tests import factories

DST_DAYS = [
    ("America/Toronto", date(2026, 3, 8)),   # spring forward: 02:00 → 03:00
    ("America/Toronto", date(2026, 11, 1)),  # fall back: 02:00 → 01:00
    ("Europe/Lisbon", date(2026, 3, 29)),    # 01:00 → 02:00
    ("Europe/Lisbon", date(2026, 10, 25)),   # 02:00 → 01:00
]
BEFORE = to_utc(date(2026, 1, 1), time(0), "UTC")


def provider_in(zone: str):
    location = factories.make_location(timezone=zone)
    discipline = factories.make_discipline()
    member = factories.make_team_member(locations=[location], disciplines=[discipline])
    session = factories.make_session_type(discipline=discipline, duration_minutes=30)
    return member.calendars[0], session


@pytest.mark.parametrize("zone, day", DST_DAYS)
def test_an_eight_hour_shift_on_a_change_day_offers_eight_hours_of_local_starts(db, zone, day):
    calendar, session = provider_in(zone)
    factories.make_shift(calendar, day, time(8), time(16))
    slots = availability.find_slots(session_type=session, provider_calendars=[calendar], start_day=day,
                                    end_day=day, now=BEFORE)
    local = [to_local(s.start, zone) for s in slots]
    assert [t.strftime("%H:%M") for t in local] == [f"{h:02d}:{m:02d}" for h in range(8, 16) for m in (0, 15, 30, 45)][:-1]
    assert slots[-1].end - slots[0].start == timedelta(hours=8)


def test_a_night_shift_across_the_spring_gap_has_only_its_real_hour(db):
    calendar, session = provider_in("America/Toronto")
    factories.make_shift(calendar, date(2026, 3, 8), time(1), time(3))  # 02:00–03:00 never happens
    slots = availability.find_slots(session_type=session, provider_calendars=[calendar],
                                    start_day=date(2026, 3, 8), end_day=date(2026, 3, 8), now=BEFORE)
    assert [to_local(s.start, "America/Toronto").strftime("%H:%M %Z") for s in slots] == [
        "01:00 EST", "01:15 EST", "01:30 EST"]


@pytest.mark.parametrize("zone, day", DST_DAYS)
def test_what_is_offered_on_a_change_day_can_be_booked(db, zone, day):
    calendar, session = provider_in(zone)
    factories.make_shift(calendar, day, time(0), time(5))  # spans the change itself
    case = factories.make_case(discipline=session.discipline)
    slots = availability.find_slots(session_type=session, provider_calendars=[calendar], start_day=day,
                                    end_day=day, now=BEFORE)
    assert slots
    for slot in slots[::2]:  # every other start, so that they do not overlap each other
        booking.book(case=case, session_type=session, calendar=calendar, start=slot.start, actor=None, now=BEFORE)
    db.session.flush()
