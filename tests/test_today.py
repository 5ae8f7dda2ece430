""""Today" belongs to a location: its wall-clock date, whatever the server's zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from app.timeutil import local_today

LATE_UTC = datetime(2026, 3, 17, 2, 30, tzinfo=timezone.utc)  # Toronto: still the 16th


@pytest.mark.parametrize(("where", "expected"), [
    ("America/Toronto", date(2026, 3, 16)),
    ("Europe/Lisbon", date(2026, 3, 17)),
    ("UTC", date(2026, 3, 17)),
    (SimpleNamespace(timezone="America/Toronto"), date(2026, 3, 16)),  # a Location
    (SimpleNamespace(location=SimpleNamespace(timezone="Pacific/Auckland")), date(2026, 3, 17)),  # a calendar
])
def test_today_is_the_locations_wall_clock_date(where, expected):
    assert local_today(where, now=LATE_UTC) == expected
