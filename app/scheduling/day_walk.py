"""The day-by-day walk of ``find_slots`` (availability.py): which starts each provider has
on one local day, paired with the rooms / equipment it needs, until ``limit`` is certain.

Pure: it works on free-interval lists already loaded (``calendar_time.py``), no I/O.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.models import Calendar, CalendarKind
from app.scheduling import intervals as iv
from app.timeutil import local_day_bounds, to_local


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    calendar_ids: tuple[int, ...]


def walk_days(plans: list[ProviderPlan], start_day: date, end_day: date, free: dict[int, FreeIndex], *,
              step_minutes: int, length: timedelta, any_provider: bool, limit: int | None) -> list[Slot]:
    """The slots of ``plans`` from ``start_day`` to ``end_day``: with ``any_provider`` each
    start once with the first provider (the plans are in calendar order), otherwise once
    per provider; the first ``limit`` when given."""
    # Day by day, so that ``limit`` ends the work once enough starts are certain: a start
    # before the earliest next-day midnight of every zone involved can no longer be
    # preceded by one found later.
    found: dict[datetime, tuple[int, tuple[int, ...]]] = {}  # any_provider: start → (provider rank, calendars)
    listed: list[Slot] = []
    day = start_day
    while day <= end_day:
        for rank, plan in enumerate(plans):
            for t, used in plan.starts_on(day, free, step_minutes):
                if not any_provider:
                    listed.append(Slot(t, t + length, used))
                elif t not in found or found[t][0] > rank:  # the first provider in calendar order wins
                    found[t] = (rank, used)
        day += timedelta(days=1)
        if limit and day <= end_day:
            settled = min(local_day_bounds(day, plan.zone)[0] for plan in plans)
            starts = found if any_provider else [slot.start for slot in listed]
            if sum(1 for t in starts if t < settled) >= limit:
                break
    if any_provider:
        slots = [Slot(t, t + length, used) for t, (_, used) in sorted(found.items())]
    else:
        slots = sorted(listed, key=lambda s: (s.start, s.calendar_ids))
    return slots[:limit] if limit else slots


class FreeIndex:
    """A calendar's free intervals with their ends indexed, to cut out one day quickly."""

    def __init__(self, intervals: list[iv.Interval]):
        self.intervals = intervals
        self.ends = [end for _, end in intervals]

    def within(self, lo: datetime, hi: datetime) -> list[iv.Interval]:
        """The free time inside [lo, hi]."""
        result = []
        for start, end in self.intervals[bisect_right(self.ends, lo):]:
            if start >= hi:
                break
            result.append((max(start, lo), min(end, hi)))
        return result


@dataclass
class ProviderPlan:
    """What ``find_slots`` needs per provider to list one day's starts."""

    provider: Calendar
    zone: ZoneInfo
    free: FreeIndex
    length: timedelta
    options: dict[CalendarKind, list[Calendar]]
    earliest: datetime | None = None
    latest: datetime | None = None

    def starts_on(self, day: date, free: dict[int, FreeIndex], step_minutes: int):
        """(start, (provider, *resources)) for the starts on local ``day``, each start once
        with the first fitting resources in calendar order, in time order."""
        day_start, day_end = local_day_bounds(day, self.zone)
        first = max(day_start, self.earliest)
        last = min(day_end - timedelta(microseconds=1), self.latest - self.length)
        if first > last:
            return []
        # Only the asked day's starts are paired with rooms (clipped first, then matched).
        choices = [(a, b, ()) for a, b in iv.starts_fitting(self.free.within(first, last + self.length), self.length)]
        for options in self.options.values():
            combined = []
            for a, b, used in choices:
                for resource in options:
                    for ra, rb in iv.starts_fitting(free[resource.id].within(a, b + self.length), self.length):
                        combined.append((ra, rb, (*used, resource.id)))
            choices = combined
        starts = [(t, (self.provider.id, *used))
                  for a, b, used in choices for t in _aligned(a, b, self.zone, step_minutes)]
        starts.sort(key=lambda start: start[0])  # stable: resources stay in calendar order
        return _first_per_start(starts)


def _aligned(first: datetime, last: datetime, zone: ZoneInfo, step_minutes: int):
    """Starts from ``first`` to ``last`` (inclusive) on the location's clock grid."""
    if first > last:
        return
    base = first.replace(second=0, microsecond=0)
    if base < first:  # "now" has seconds: the first whole minute after it
        base += timedelta(minutes=1)
    local = to_local(base, zone)
    offset = (-(local.hour * 60 + local.minute)) % step_minutes
    t = base + timedelta(minutes=offset)
    step = timedelta(minutes=step_minutes)
    while t <= last:
        yield t
        t += step


def _first_per_start(starts):
    """Keep the first resource combination listed for each start."""
    result, seen = [], set()
    for t, used in starts:
        if t not in seen:
            seen.add(t)
            result.append((t, used))
    return result
