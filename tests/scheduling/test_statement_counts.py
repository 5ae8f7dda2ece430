"""Availability reads a constant number of SQL statements, whatever the span or the
number of calendars (no per-day or per-calendar queries)."""
from __future__ import annotations

from datetime import date, time, timedelta, timezone, datetime


from app.extensions import db as ext_db
from app.models import CalendarKind
from app.scheduling import availability
from tests import factories
from tests.sql import counting

START = date(2026, 4, 6)
NOW = datetime(2026, 4, 1, tzinfo=timezone.utc)


def clinic(providers: int, days: int):
    location = factories.make_location()
    discipline = factories.make_discipline()
    session = factories.make_session_type(discipline=discipline, needs_room=True, duration_minutes=45)
    room = factories.make_calendar(kind=CalendarKind.room, location=location, disciplines=[discipline])
    calendars = []
    for _ in range(providers):
        calendar = factories.make_team_member(locations=[location], disciplines=[discipline]).calendars[0]
        calendars.append(calendar)
        for offset in range(days):
            factories.make_shift(calendar, START + timedelta(days=offset), time(9), time(17), breaks=[(time(12), time(13))])
            factories.make_appointment(calendar, datetime.combine(START + timedelta(days=offset), time(15), timezone.utc),
                                       session_type=session)
    for offset in range(days):
        factories.make_shift(room, START + timedelta(days=offset), time(8), time(18))
    ext_db.session.commit()
    return location, session, calendars


def statements_for(providers: int, days: int) -> int:
    location, session, calendars = clinic(providers, days)
    ext_db.session.expire_all()
    with counting() as statements:
        slots = availability.find_slots(session_type=session, location_id=location.id, start_day=START,
                                        end_day=START + timedelta(days=days - 1), now=NOW)
    assert slots
    return len(statements)


def test_the_statement_count_does_not_grow_with_days_or_calendars(db):
    small = statements_for(providers=1, days=1)
    large = statements_for(providers=6, days=10)
    assert small == large, (small, large)
    assert small <= 12  # calendars (+disciplines), resources, shifts (+breaks), blocks, occupancies, ...
