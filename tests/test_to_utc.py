"""to_utc: wall clock → UTC, with its offset-per-day shortcut exact on DST-change days.

The shortcut (``day_offset``) must give what the plain zoneinfo conversion gives for
every wall time, including the spring-forward gap (a time that does not exist moves on
by the gap) and the fall-back fold (a time that occurs twice means its first occurrence).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.timeutil import _to_utc_exact, day_offset, local_day_bounds, to_utc

UTC = timezone.utc
TORONTO, LISBON = ZoneInfo("America/Toronto"), ZoneInfo("Europe/Lisbon")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("zone, day, at, expected", [
    # Toronto springs forward at 02:00 on 8 Mar 2026 (EST −5 → EDT −4).
    (TORONTO, date(2026, 3, 8), time(1, 59), utc(2026, 3, 8, 6, 59)),
    (TORONTO, date(2026, 3, 8), time(2, 0), utc(2026, 3, 8, 7, 0)),    # gap: 02:00 is 03:00 EDT
    (TORONTO, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30)),  # gap: pushed on by an hour
    (TORONTO, date(2026, 3, 8), time(3, 0), utc(2026, 3, 8, 7, 0)),
    (TORONTO, date(2026, 3, 8), time(9, 0), utc(2026, 3, 8, 13, 0)),
    # Toronto falls back at 02:00 on 1 Nov 2026: 01:00–02:00 happens twice; the first one counts.
    (TORONTO, date(2026, 11, 1), time(0, 30), utc(2026, 11, 1, 4, 30)),
    (TORONTO, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # EDT, not EST
    (TORONTO, date(2026, 11, 1), time(2, 0), utc(2026, 11, 1, 7, 0)),
    (TORONTO, date(2026, 11, 1), time(9, 0), utc(2026, 11, 1, 14, 0)),
    # Lisbon springs forward at 01:00 on 29 Mar 2026 (WET +0 → WEST +1).
    (LISBON, date(2026, 3, 29), time(0, 59), utc(2026, 3, 29, 0, 59)),
    (LISBON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 30)),  # gap: 01:30 is 02:30 WEST
    (LISBON, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0)),
    # Lisbon falls back at 02:00 on 25 Oct 2026: 01:00–02:00 twice, the first (WEST) counts.
    (LISBON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),
    (LISBON, date(2026, 10, 25), time(2, 0), utc(2026, 10, 25, 2, 0)),
    # Ordinary days on either side.
    (TORONTO, date(2026, 3, 7), time(9, 0), utc(2026, 3, 7, 14, 0)),
    (TORONTO, date(2026, 3, 9), time(9, 0), utc(2026, 3, 9, 13, 0)),
    (LISBON, date(2026, 7, 1), time(23, 59, 59, 999999), utc(2026, 7, 1, 22, 59, 59, 999999)),
])
def test_wall_times_on_and_around_dst_days(zone, day, at, expected):
    assert to_utc(day, at, zone) == expected
    assert to_utc(day, at, zone.key) == expected
    assert to_utc(day, at, zone).tzinfo is UTC


@pytest.mark.parametrize("zone, day", [
    (TORONTO, date(2026, 3, 8)), (TORONTO, date(2026, 11, 1)),
    (LISBON, date(2026, 3, 29)), (LISBON, date(2026, 10, 25)),
])
def test_dst_days_are_converted_exactly_every_quarter_hour(zone, day):
    assert day_offset(day, zone) is None  # no one offset all day: the exact conversion is used
    for minutes in range(0, 24 * 60, 15):
        at = time(minutes // 60, minutes % 60)
        assert to_utc(day, at, zone) == _to_utc_exact(day, at, zone), at


@pytest.mark.parametrize("zone, day, hours", [
    (TORONTO, date(2026, 3, 8), 23), (TORONTO, date(2026, 11, 1), 25), (TORONTO, date(2026, 6, 1), 24),
    (LISBON, date(2026, 3, 29), 23), (LISBON, date(2026, 10, 25), 25),
])
def test_day_lengths(zone, day, hours):
    start, end = local_day_bounds(day, zone)
    assert end - start == timedelta(hours=hours)


def test_ordinary_days_have_one_offset():
    assert day_offset(date(2026, 3, 7), TORONTO) == timedelta(hours=-5)
    assert day_offset(date(2026, 3, 9), TORONTO) == timedelta(hours=-4)
    assert day_offset(date(2026, 1, 15), LISBON) == timedelta(0)
    assert day_offset(date(2026, 7, 15), LISBON) == timedelta(hours=1)


ZONES = [ZoneInfo(name) for name in (
    "America/Toronto", "Europe/Lisbon", "UTC", "America/St_Johns", "Australia/Lord_Howe",  # 30-min DST
    "America/Santiago", "America/Havana", "Asia/Beirut",  # changes at midnight
    "Pacific/Apia", "Asia/Kolkata", "Pacific/Chatham", "Africa/Casablanca",
)]


@settings(max_examples=1000, deadline=None)
@given(zone=st.sampled_from(ZONES), day=st.dates(date(1990, 1, 1), date(2040, 12, 31)),
       at=st.times())
def test_equals_the_plain_conversion(zone, day, at):
    assert to_utc(day, at, zone) == _to_utc_exact(day, at, zone)


@settings(max_examples=150, deadline=None)
@given(zone=st.sampled_from(ZONES), year=st.integers(2000, 2035))
def test_every_quarter_hour_of_a_zones_transition_days(zone, year):
    """Around each offset change of the year: every quarter hour of the day before, the
    day of and the day after equals the plain conversion."""
    day = date(year, 1, 1)
    previous = day_offset(day, zone)
    while day.year == year:
        offset = day_offset(day, zone)
        if offset != previous or offset is None:
            for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
                for minutes in range(0, 24 * 60, 15):
                    at = time(minutes // 60, minutes % 60)
                    assert to_utc(d, at, zone) == _to_utc_exact(d, at, zone), (d, at)
        previous = offset
        day += timedelta(days=1)
