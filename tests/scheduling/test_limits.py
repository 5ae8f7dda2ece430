"""``find_slots(limit=n)`` stops working day by day once n starts are certain; the answer
is still exactly the first n of the unlimited list, across zones, rooms and both modes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.extensions import db as ext_db
from app.models import CalendarKind
from app.scheduling import availability
from app.timeutil import to_utc
from tests import factories

START = date(2026, 3, 6)  # Friday; Toronto springs forward on Sunday 8 March
NOW = datetime(2026, 3, 6, 14, 7, tzinfo=timezone.utc)
DAYS = 6


def two_zone_clinic():
    discipline = factories.make_discipline()
    session = factories.make_session_type(discipline=discipline, needs_room=True, duration_minutes=50)
    providers = []
    # Toronto's evening and Lisbon's next early morning are the same UTC hours, so a day
    # processed in one zone is not yet complete in the other.
    for zone, hours in (("America/Toronto", (time(8), time(23))), ("Europe/Lisbon", (time(0, 30), time(23)))):
        location = factories.make_location(timezone=zone)
        rooms = [factories.make_calendar(kind=CalendarKind.room, location=location, disciplines=[discipline])
                 for _ in range(2)]
        for index in range(2):
            calendar = factories.make_team_member(locations=[location], disciplines=[discipline]).calendars[0]
            providers.append(calendar)
            for offset in range(DAYS):
                day = START + timedelta(days=offset)
                factories.make_shift(calendar, day, *hours, breaks=[(time(12), time(13))])
                for hour in range(9 + index, 22, 3):
                    factories.make_appointment(calendar, to_utc(day, time(hour, 15), zone), session_type=session)
        for room in rooms:
            for offset in range(DAYS):
                factories.make_shift(room, START + timedelta(days=offset), time(0), time(23, 59))
    ext_db.session.commit()
    return session, providers


@pytest.mark.parametrize("any_provider", [True, False])
def test_a_limited_answer_is_the_start_of_the_whole_answer(db, any_provider):
    session, providers = two_zone_clinic()

    def slots(limit=None):
        return availability.find_slots(session_type=session, provider_calendars=providers, start_day=START,
                                       end_day=START + timedelta(days=DAYS - 1), now=NOW,
                                       any_provider=any_provider, limit=limit)

    everything = slots()
    assert len(everything) > 100
    for limit in (*range(1, len(everything) // DAYS * 2, 3), len(everything) - 1, len(everything), len(everything) + 5):
        assert slots(limit) == everything[:limit], limit
