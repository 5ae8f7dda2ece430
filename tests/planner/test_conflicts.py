"""The planner's preview of what a change leaves outside working hours, table-driven, on
Toronto's spring-forward day and in Lisbon (the same wall-clock rules in both zones)."""
from __future__ import annotations

from datetime import date, time

import pytest

from app.planner import service
from app.planner.service import Hours
from app.timeutil import to_utc
from tests import factories

DST_DAY = date(2026, 3, 8)  # Toronto jumps from 02:00 to 03:00


@pytest.mark.parametrize("zone_of", ["location", "other_location"])
@pytest.mark.parametrize("hours, outside", [
    (Hours(time(8), time(16)), []),                                   # unchanged
    (Hours(time(7), time(17)), []),                                   # longer
    (Hours(time(8), time(14)), ["15:00"]),                            # shortened
    (Hours(time(8), time(16), ((time(15), time(15, 30)),)), ["15:00"]),  # a new break over it
    (Hours(time(10), time(16)), ["09:00"]),
    (None, ["09:00", "15:00"]),                                       # the date removed
])
def test_appointments_left_outside_the_new_hours(db, people, zone_of, hours, outside):
    location = getattr(people, zone_of)
    calendar = factories.make_calendar(name="Room", location=location)
    shift = factories.make_shift(calendar, DST_DAY, time(8), time(16))
    for hh in (9, 15):
        factories.make_appointment(calendar, to_utc(DST_DAY, time(hh), location.timezone))
    canceled = factories.make_appointment(calendar, to_utc(DST_DAY, time(11), location.timezone))
    canceled.occupancies[0].active = False  # released time is never "left outside"
    db.session.flush()
    found = service.conflicts(service.plan_change([shift], hours))
    assert [p.details["start"][11:16] for p in found] == outside
    assert all(p.details["kind"] == "appointment" for p in found)


def test_a_second_shift_that_day_still_covers_its_appointments(db, people):
    calendar = factories.make_calendar(name="Room", location=people.location)
    morning = factories.make_shift(calendar, DST_DAY, time(8), time(12))
    factories.make_shift(calendar, DST_DAY, time(12), time(16))
    factories.make_appointment(calendar, to_utc(DST_DAY, time(13), people.location.timezone))
    db.session.flush()
    assert service.conflicts(service.plan_change([morning], None)) == []
    clash = service.conflicts(service.plan_change([morning], Hours(time(8), time(13))))
    assert [p.details["kind"] for p in clash] == ["shift"]
