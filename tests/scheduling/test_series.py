"""Recurring series: local time kept across DST, preview with alternatives, all or nothing."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, ValidationFailed
from app.models import Appointment, AppointmentStatus, TimeBlock
from app.scheduling import series
from app.timeutil import to_local, to_utc
from tests import factories
from tests.scheduling.conftest import NOW

TUE, THU = 1, 3


def pattern(**kw):
    kw.setdefault("first_day", date(2026, 3, 2))
    kw.setdefault("weekdays", frozenset({TUE, THU}))
    kw.setdefault("at", time(17, 0))
    kw.setdefault("count", 8)
    return series.Pattern(**kw)


@pytest.mark.parametrize("p, expected", [
    (pattern(count=4), [date(2026, 3, 3), date(2026, 3, 5), date(2026, 3, 10), date(2026, 3, 12)]),
    (pattern(count=3, every_weeks=2), [date(2026, 3, 3), date(2026, 3, 5), date(2026, 3, 17)]),
    (pattern(count=None, until=date(2026, 3, 9), weekdays=frozenset({0})), [date(2026, 3, 2), date(2026, 3, 9)]),
    (pattern(first_day=date(2026, 3, 4), count=2), [date(2026, 3, 5), date(2026, 3, 10)]),
])
def test_occurrence_dates_follow_the_pattern(p, expected):
    assert series.occurrence_days(p) == expected


@pytest.mark.parametrize("p", [pattern(weekdays=frozenset()), pattern(count=None), pattern(count=0),
                               pattern(count=4, until=date(2026, 4, 1)), pattern(every_weeks=0)])
def test_a_bad_pattern_is_refused(p):
    with pytest.raises(ValidationFailed):
        series.occurrence_days(p)


@pytest.fixture()
def weeks(clinic, db):
    """Shifts 09:00–19:00 every weekday of March 2026 (Toronto changes clocks on 8 March)."""
    for offset in range(31):
        day = date(2026, 3, 1) + timedelta(days=offset)
        if day.weekday() < 5:
            factories.make_shift(clinic.provider, day, time(9), time(19), breaks=[(time(12), time(13))])
    db.session.commit()
    return clinic


def test_a_weekly_series_keeps_its_local_time_across_the_dst_change(weeks, db):
    _, bookings = series.create(case=weeks.case, session_type=weeks.physio, calendar=weeks.provider,
                                pattern=pattern(), actor=None, now=NOW)
    starts = [b.appointment.starts_at for b in bookings]
    assert {to_local(s, "America/Toronto").time() for s in starts} == {time(17)}
    assert starts[0].hour == 22 and starts[-1].hour == 21  # EST (UTC-5), then EDT (UTC-4)
    assert len({b.appointment.series_id for b in bookings}) == 1


def test_preview_names_the_bad_date_with_nearest_alternatives(weeks, db):
    blocked_day = date(2026, 3, 10)
    db.session.add(TimeBlock(calendar=weeks.provider, starts_at=to_utc(blocked_day, time(16), "America/Toronto"),
                             ends_at=to_utc(blocked_day, time(18), "America/Toronto"), reason="Course"))
    db.session.commit()
    occurrences = series.preview(case=weeks.case, session_type=weeks.physio, calendar=weeks.provider,
                                 pattern=pattern(), now=NOW)
    bad = [o for o in occurrences if not o.free]
    assert [o.day for o in bad] == [blocked_day]
    assert bad[0].problems[0].details["reason"] == "blocked"
    nearest = [to_local(s.start, "America/Toronto") for s in bad[0].alternatives]
    assert [t.time() for t in nearest] == [time(18), time(18, 15), time(15, 30)]  # 60, 75, 90 min away
    assert all(t.date() == blocked_day for t in nearest)


def test_one_bad_date_books_nothing_unless_the_front_desk_leaves_it_out(weeks, db):
    blocked_day = date(2026, 3, 12)
    db.session.add(TimeBlock(calendar=weeks.provider, starts_at=to_utc(blocked_day, time(9), "America/Toronto"),
                             ends_at=to_utc(blocked_day, time(19), "America/Toronto"), reason="Holiday"))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        series.create(case=weeks.case, session_type=weeks.physio, calendar=weeks.provider, pattern=pattern(),
                      actor=None, now=NOW)
    assert [p.details["day"] for p in refused.value.problems] == ["2026-03-12"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Appointment.id))) == 0
    _, bookings = series.create(case=weeks.case, session_type=weeks.physio, calendar=weeks.provider,
                                pattern=pattern(), actor=None, now=NOW, skip_days={blocked_day})
    assert len(bookings) == 7


def test_cancel_this_and_following_leaves_the_earlier_ones(weeks, db):
    _, bookings = series.create(case=weeks.case, session_type=weeks.physio, calendar=weeks.provider,
                                pattern=pattern(), actor=None, now=NOW)
    appointments = [b.appointment for b in bookings]
    series.cancel(appointment=appointments[3], scope="following", actor=None)
    assert [a.status for a in appointments] == [AppointmentStatus.booked] * 3 + [AppointmentStatus.canceled] * 5


def test_moving_all_to_a_new_time_is_all_or_nothing(weeks, db):
    _, bookings = series.create(case=weeks.case, session_type=weeks.physio, calendar=weeks.provider,
                                pattern=pattern(count=4), actor=None, now=NOW)
    first = bookings[0].appointment
    series.move_time(appointment=first, scope="all", at=time(10), actor=None, now=NOW)
    db.session.commit()
    assert {to_local(b.appointment.starts_at, "America/Toronto").time() for b in bookings} == {time(10)}
    with pytest.raises(Conflict) as refused:
        series.move_time(appointment=first, scope="all", at=time(12), actor=None, now=NOW)  # lunch
    assert len(refused.value.problems) == 4
    db.session.rollback()
    # Only the third date is blocked at 15:00: the other three could move, yet none may.
    third = to_local(bookings[2].appointment.starts_at, "America/Toronto").date()
    db.session.add(TimeBlock(calendar=weeks.provider, starts_at=to_utc(third, time(15), "America/Toronto"),
                             ends_at=to_utc(third, time(16), "America/Toronto"), reason="Course"))
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        series.move_time(appointment=first, scope="all", at=time(15), actor=None, now=NOW)
    assert [p.details["day"] for p in refused.value.problems] == [third.isoformat()]
    db.session.rollback()
    db.session.expire_all()
    assert {to_local(b.appointment.starts_at, "America/Toronto").time() for b in bookings} == {time(10)}
