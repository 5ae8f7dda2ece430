"""Reminder offsets: "7d, 24h, 2h" in, minutes out, and when each reminder is due.

Offsets are counted on the location's wall clock, the way a client reads them: "24 h
before 09:00" is 09:00 the previous day even when a DST change lies in between (then
it is 23 or 25 real hours). A wall time that falls in a spring-forward gap moves
forward by the gap, and an ambiguous one means its first occurrence (app.timeutil).
Pure functions: no database, so the rules are tested table-driven.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import ngettext

from app.timeutil import to_local, to_utc

MAX_REMINDERS = 5
MAX_OFFSET_MINUTES = 60 * 24 * 60  # 60 days
_UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
          "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
          "d": 1440, "day": 1440, "days": 1440, "w": 10080, "week": 10080, "weeks": 10080}
_TOKEN = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$")


class InvalidOffsets(ValueError):
    """The text is not a list of at most five offsets; the message says why."""


def parse_offsets(text: str | None) -> list[int]:
    """ "7d, 24h, 2h" → [10080, 1440, 120] (minutes, largest first, no repeats)."""
    if text is None or not text.strip():
        return []
    minutes: set[int] = set()
    for raw in re.split(r"[,;]", text):
        if not raw.strip():
            continue
        match = _TOKEN.match(raw.lower())
        if not match or match.group(2) not in _UNITS:
            raise InvalidOffsets(f"“{raw.strip()}” is not an offset; write e.g. 7d, 24h, 2h or 30m.")
        value = int(match.group(1)) * _UNITS[match.group(2)]
        if value <= 0:
            raise InvalidOffsets("An offset must be more than zero.")
        if value > MAX_OFFSET_MINUTES:
            raise InvalidOffsets("A reminder can be at most 60 days before the appointment.")
        minutes.add(value)
    if len(minutes) > MAX_REMINDERS:
        raise InvalidOffsets(f"At most {MAX_REMINDERS} reminders per appointment.")
    return sorted(minutes, reverse=True)


def format_offset(minutes: int) -> str:
    if minutes % 1440 == 0 and minutes >= 2 * 1440:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def format_offsets(minutes: list[int]) -> str:
    return ", ".join(format_offset(m) for m in sorted(set(minutes), reverse=True))


def canonical(text: str | None) -> str:
    return format_offsets(parse_offsets(text))


def describe(minutes: int) -> str:
    """For message texts: "2 hours", "1 day", "7 days", "30 minutes"."""
    if minutes % 1440 == 0:
        return ngettext("%(num)s day", "%(num)s days", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)s hour", "%(num)s hours", minutes // 60)
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)


def reminder_due(starts_at: datetime, zone: str, offset_minutes: int) -> datetime:
    """The UTC instant ``offset_minutes`` of wall-clock time before ``starts_at``."""
    local = to_local(starts_at, zone).replace(tzinfo=None) - timedelta(minutes=offset_minutes)
    return to_utc(local.date(), local.time(), zone)


def reminder_schedule(starts_at: datetime, zone: str, offsets: list[int], now: datetime) -> list[tuple[int, int, datetime]]:
    """(number, offset, due) for each reminder still ahead of ``now``; numbered 1.. from
    the earliest offset configured, so "reminder_2" always means the same offset."""
    schedule = []
    for number, offset in enumerate(sorted(offsets, reverse=True), start=1):
        due = reminder_due(starts_at, zone, offset)
        if due > now:  # an offset already past at booking time is skipped, not sent late
            schedule.append((number, offset, due))
    return schedule
