"""Reminder offsets: parsing, and due times on the location's wall clock across DST."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.messaging.delivery import backoff
from app.messaging.offsets import (
    InvalidOffsets,
    canonical,
    describe,
    parse_offsets,
    reminder_due,
    reminder_schedule,
)
from app.timeutil import to_local

UTC = timezone.utc


def z(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text, minutes", [
    ("7d, 24h, 2h", [10080, 1440, 120]),
    ("2h,24h", [1440, 120]),
    ("30m; 1 day", [1440, 30]),
    ("1w", [10080]),
    ("24h, 1d", [1440]),  # the same offset twice is one reminder
    ("", []),
    (None, []),
    ("  90 minutes ", [90]),
])
def test_offsets_parse(text, minutes):
    assert parse_offsets(text) == minutes


@pytest.mark.parametrize("text, problem", [
    ("soon", "not an offset"),
    ("0h", "more than zero"),
    ("61d", "60 days"),
    ("1h, 2h, 3h, 4h, 5h, 6h", "At most 5"),
    ("-2h", "not an offset"),
])
def test_offsets_refused_with_a_reason(text, problem):
    with pytest.raises(InvalidOffsets, match=problem):
        parse_offsets(text)


def test_offsets_canonical_and_described():
    assert canonical("2h, 7 days, 1440m") == "7d, 24h, 2h"
    assert describe(120) == "2 hours" and describe(1440) == "1 day" and describe(30) == "30 minutes"


# (zone, appointment start UTC, offset minutes, reminder due UTC, why)
DST_TABLE = [
    ("America/Toronto", z(2026, 3, 8, 13), 1440, z(2026, 3, 7, 14),
     "24h before Sunday 09:00 EDT (the DST day) is Saturday 09:00 EST: 23 real hours"),
    ("America/Toronto", z(2026, 3, 9, 13), 1440, z(2026, 3, 8, 13),
     "24h before Monday 09:00 EDT is Sunday 09:00 EDT"),
    ("America/Toronto", z(2026, 3, 9, 13), 2880, z(2026, 3, 7, 14),
     "48h before Monday 09:00 EDT is Saturday 09:00 EST"),
    ("America/Toronto", z(2026, 3, 13, 13), 10080, z(2026, 3, 6, 14),
     "7d before Friday 09:00 EDT is the Friday before at 09:00 EST"),
    ("America/Toronto", z(2026, 11, 1, 14), 1440, z(2026, 10, 31, 13),
     "24h before Sunday 09:00 EST (fall back) is Saturday 09:00 EDT: 25 real hours"),
    ("America/Toronto", z(2026, 11, 2, 14), 1440, z(2026, 11, 1, 14),
     "the day after fall back: Sunday 09:00 EST"),
    ("America/Toronto", z(2026, 3, 8, 8), 120, z(2026, 3, 8, 7),
     "2h before 04:00 EDT is 02:00, which does not exist: moved forward to 03:00 EDT"),
    ("America/Toronto", z(2026, 11, 1, 8), 120, z(2026, 11, 1, 5),
     "2h before 03:00 EST is 01:00, which happens twice: the first (EDT)"),
    ("America/Toronto", z(2026, 6, 10, 13), 120, z(2026, 6, 10, 11), "no DST nearby: plain 2 hours"),
    ("Europe/Lisbon", z(2026, 3, 29, 9), 1440, z(2026, 3, 28, 10),
     "Lisbon: 24h before Sunday 10:00 WEST is Saturday 10:00 WET"),
    ("Europe/Lisbon", z(2026, 10, 25, 10), 1440, z(2026, 10, 24, 9),
     "Lisbon: 24h before Sunday 10:00 WET is Saturday 10:00 WEST"),
]


@pytest.mark.parametrize("zone, start, offset, due, why", DST_TABLE, ids=[row[-1][:40] for row in DST_TABLE])
def test_reminders_fire_at_the_local_wall_clock_time(zone, start, offset, due, why):
    assert reminder_due(start, zone, offset) == due, why


def test_offsets_already_past_are_skipped_and_numbers_stay_stable():
    start = z(2026, 6, 10, 13)
    now = start - timedelta(hours=5)
    schedule = reminder_schedule(start, "America/Toronto", [10080, 1440, 120], now)
    assert [(n, offset) for n, offset, _ in schedule] == [(3, 120)]
    assert reminder_schedule(start, "America/Toronto", [120], start - timedelta(minutes=30)) == []


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
    offset=st.sampled_from([30, 120, 1440, 2880, 10080]),
    zone=st.sampled_from(["America/Toronto", "Europe/Lisbon", "Australia/Lord_Howe", "UTC"]),
)
def test_due_is_the_wall_clock_minus_the_offset(start, offset, zone):
    due = reminder_due(start, zone, offset)
    wanted = to_local(start, zone).replace(tzinfo=None) - timedelta(minutes=offset)
    got = to_local(due, zone).replace(tzinfo=None)
    # Equal, unless the wanted wall time does not exist (moved forward by the gap, ≤ 1 h).
    assert got == wanted or timedelta(0) < got - wanted <= timedelta(hours=1)
    assert due < start


@pytest.mark.parametrize("attempt, seconds", [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (20, 3600)])
def test_backoff_doubles_and_is_capped(attempt, seconds):
    assert backoff(attempt, 30) == timedelta(seconds=seconds)
