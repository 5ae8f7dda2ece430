from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import pytest

from app.models import Calendar, CalendarKind, Case, SessionType
from tests import factories

MONDAY = date(2026, 3, 16)  # Toronto is on EDT (UTC-4) that week
NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    """A Toronto wall-clock time that week, as a UTC instant (EDT: +4 h)."""
    from app.timeutil import to_utc

    return to_utc(day, time(hour, minute), "America/Toronto")


@dataclass
class Clinic:
    people: factories.People
    provider: Calendar
    other_provider: Calendar
    room: Calendar
    physio: SessionType
    rehab: SessionType  # needs a room
    case: Case


@pytest.fixture()
def clinic(db, people) -> Clinic:
    other = factories.make_team_member(locations=[people.location], disciplines=[people.discipline])
    room = factories.make_calendar(name="Room 1", kind=CalendarKind.room, location=people.location,
                                   disciplines=[people.discipline])
    physio = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    rehab = factories.make_session_type(name="Rehab", discipline=people.discipline, duration_minutes=45, needs_room=True)
    for cal in (people.provider_calendar, other.calendars[0], room):
        factories.make_shift(cal, MONDAY, time(9), time(17), breaks=[(time(12), time(13))])
    case = factories.make_case(discipline=people.discipline)
    db.session.commit()
    return Clinic(people, people.provider_calendar, other.calendars[0], room, physio, rehab, case)
