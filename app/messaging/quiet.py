"""Quiet hours: no text message at night, on the location's wall clock (pure).

``quiet_start``..``quiet_end`` is a wall-clock window; start after end means it runs
across midnight (21:00–08:00). A time inside it moves to the window's end on the
location's clock, converted with app.timeutil, so a DST change is counted the way the
clinic's clock counts it (08:00 is 08:00 whatever the offset that morning).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from app.timeutil import to_local, to_utc


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_allowed(instant: datetime, zone: str, start: time | None, end: time | None) -> datetime:
    """``instant`` itself if texts may go then, else the end of its quiet hours (UTC)."""
    local = to_local(instant, zone)
    if not in_quiet_hours(local.time().replace(tzinfo=None), start, end):
        return instant
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)  # the evening part: quiet until tomorrow morning
    return to_utc(day, end, zone)
