"""A calendar's time over a window, read from the database (no HTTP, no writes).

Shifts (local wall clock) and their breaks, time blocks and active occupancies of many
calendars, loaded in three statements whatever the span or the number of calendars and
turned into sorted UTC interval lists (``CalendarTime``). A team member is one person
wherever they work: a provider calendar's time also holds the member's appointments on
their other calendars (``elsewhere``), widened by the clinic's travel time when at another
location (a fourth statement, only when a calendar belongs to a team member). Every read is bounded on both
sides of the (calendar_id, starts_at) index: nothing is longer than ``MAX_OCCUPANCY`` /
``MAX_BLOCK``. The availability engine (``availability.py``) and the grid's feeds read
through here; tests/calendar/test_bounded_reads.py checks the plans.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache, partial
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, select

from app.extensions import db
from app.models import Calendar, Location, Occupancy, Shift, ShiftBreak, TimeBlock
from app.scheduling import driver_reads
from app.scheduling import intervals as iv
from app.timeutil import UTC, UTCDateTime, day_offset, to_utc

# The longest time one appointment may hold a calendar, buffers included (booking
# refuses longer), so occupancy reads can be bounded on both sides.
MAX_OCCUPANCY = timedelta(hours=16)
# The longest time block (a long holiday; longer is more likely a typing slip, and a
# longer absence is entered as several blocks), so block reads are bounded the same way.
MAX_BLOCK = timedelta(days=62)


@dataclass
class CalendarTime:
    """One calendar's time over a window, as sorted UTC intervals."""

    calendar: Calendar
    shifts: list[iv.Interval] = field(default_factory=list)
    breaks: list[iv.Interval] = field(default_factory=list)
    working: list[iv.Interval] = field(default_factory=list)
    blocks: list[tuple[iv.Interval, str]] = field(default_factory=list)
    occupied: list[tuple[iv.Interval, int]] = field(default_factory=list)  # (interval, appointment id)
    # The same person's occupancies on their other calendars, travel time included.
    elsewhere: list[Elsewhere] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.calendar.location.timezone)

    def free(self, *, ignore_appointments: bool = False) -> list[iv.Interval]:
        """Where a new appointment's own time may lie on this calendar: working time
        outside blocks and (unless ignored) other occupancies, each of those widened by
        this calendar's buffers so the new occupancy, buffers included, touches none."""
        cal = self.calendar
        taken = [interval for interval, _ in self.blocks]
        # Another location's booking is never overlapped: one person cannot be in two places.
        taken += [e.interval for e in self.elsewhere]
        if not ignore_appointments:
            taken += [interval for interval, _ in self.occupied]
        before, after = timedelta(minutes=cal.buffer_after_minutes), timedelta(minutes=cal.buffer_before_minutes)
        if before or after:  # widening every interval alike and merging once = merge, widen, merge
            taken = [(start - before, end + after) for start, end in taken]
        return iv.subtract(self.working, iv.normalise(taken))

    def occupancy_for(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        return occupancy_interval(self.calendar, start, end)


@dataclass(frozen=True)
class Elsewhere:
    """One occupancy of the same team member on another of their calendars."""

    interval: iv.Interval  # what it keeps this calendar from: the occupancy ± travel
    held: iv.Interval  # the occupancy itself
    appointment_id: int
    calendar_id: int
    location_name: str
    timezone: str
    travel_minutes: int


def occupancy_interval(calendar: Calendar, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The interval a booking [start, end) holds on ``calendar``, its buffers included."""
    return (start - timedelta(minutes=calendar.buffer_before_minutes),
            end + timedelta(minutes=calendar.buffer_after_minutes))


# --- loading -------------------------------------------------------------------------
def block_overlaps(calendar_ids, w0: datetime, w1: datetime) -> list:
    """Where-clauses for the time blocks of ``calendar_ids`` overlapping [w0, w1): bounded
    on both sides of ``starts_at`` (no block is longer than ``MAX_BLOCK``), so the
    (calendar_id, starts_at) index stops at the window. The engine and the grid's feed
    both read blocks through this."""
    return [TimeBlock.calendar_id.in_(list(calendar_ids)), TimeBlock.starts_at < w1,
            TimeBlock.starts_at > w0 - MAX_BLOCK, TimeBlock.ends_at > w0]


def occupancy_overlaps(calendar_ids, w0: datetime, w1: datetime) -> list:
    """Where-clauses for the occupancies of ``calendar_ids`` overlapping [w0, w1), bounded
    on both sides of ``starts_at`` like ``block_overlaps`` (no occupancy is longer than
    ``MAX_OCCUPANCY``). Canceled ones included: callers add ``active`` when they need it."""
    return [Occupancy.calendar_id.in_(list(calendar_ids)), Occupancy.starts_at < w1,
            Occupancy.starts_at > w0 - MAX_OCCUPANCY, Occupancy.ends_at > w0]


class _WallClock:
    """Local date + wall-clock time → UTC. A day's UTC offset is found once per (zone, day)
    (``day_offset``), so a shift's times are a subtraction each; DST-change days go
    through the exact ``to_utc``. Dates and times may be the driver's text (SQLite,
    ``driver_reads``): each distinct one parsed once."""

    def __init__(self, values: driver_reads.TextValues):
        self._days: dict[tuple, tuple] = {}
        self._values = values

    def __call__(self, day, at, zone: ZoneInfo) -> datetime:
        found = self._days.get((zone, day))
        if found is None:
            local_date = self._values.day(day)
            found = self._days[(zone, day)] = (local_date, day_offset(local_date, zone))
        local_date, offset = found
        if offset is None:
            return to_utc(local_date, self._values.time(at), zone)
        return datetime.combine(local_date, self._values.time(at), UTC) - offset


@lru_cache(maxsize=None)
def _time_statements(ignoring: bool) -> tuple:
    """The three statements, built once with named parameters (``time_selects``): building
    and cache-keying a select costs more than running one of these on SQLite."""
    ids = bindparam("ids", expanding=True)
    w0, w1 = bindparam("w0", type_=UTCDateTime()), bindparam("w1", type_=UTCDateTime())
    # Shifts are stored by local date; a day either side covers every zone's offset.
    # One row per (shift, break); a shift without breaks comes once with NULL times.
    shifts = (select(Shift.id, Shift.calendar_id, Shift.day, Shift.start_time, Shift.end_time,
                     ShiftBreak.start_time, ShiftBreak.end_time)
              .outerjoin(ShiftBreak, ShiftBreak.shift_id == Shift.id)
              .where(Shift.calendar_id.in_(ids), Shift.day >= bindparam("first_day", type_=Date()),
                     Shift.day <= bindparam("last_day", type_=Date()))
              .order_by(Shift.calendar_id, Shift.day, Shift.start_time, Shift.id))
    # The same predicates as block_overlaps / occupancy_overlaps, with the lower bounds
    # (w0 - MAX_BLOCK, w0 - MAX_OCCUPANCY) computed in Python.
    blocks = (select(TimeBlock.calendar_id, TimeBlock.starts_at, TimeBlock.ends_at, TimeBlock.reason)
              .where(TimeBlock.calendar_id.in_(ids), TimeBlock.starts_at < w1,
                     TimeBlock.starts_at > bindparam("block_floor", type_=UTCDateTime()), TimeBlock.ends_at > w0)
              .order_by(TimeBlock.starts_at))
    occupied = select(Occupancy.calendar_id, Occupancy.starts_at, Occupancy.ends_at, Occupancy.appointment_id).where(
        # Also the same people's other calendars (``occupied_ids``): one person, one place.
        Occupancy.calendar_id.in_(bindparam("occupied_ids", expanding=True)), Occupancy.starts_at < w1,
        Occupancy.starts_at > bindparam("occupancy_floor", type_=UTCDateTime()), Occupancy.ends_at > w0,
        Occupancy.active.is_(True))
    if ignoring:
        occupied = occupied.where(Occupancy.appointment_id.not_in(bindparam("ignored", expanding=True)))
    return shifts, blocks, occupied.order_by(Occupancy.starts_at)


def time_selects(ids: list[int], window: tuple[datetime, datetime], ignore_appointment_ids=(),
                 also_occupied_ids=()) -> tuple[tuple, dict]:
    """The three statements ``load_calendar_times`` sends (bench/ replays them as its
    "fetch" baseline) and their parameters: shifts joined with their breaks, blocks,
    active occupancies (also of ``also_occupied_ids``: the same people's other calendars)."""
    w0, w1 = window
    params = {"ids": list(ids), "occupied_ids": sorted({*ids, *also_occupied_ids}), "w0": w0, "w1": w1,
              "first_day": (w0 - timedelta(days=1)).date(), "last_day": (w1 + timedelta(days=1)).date(),
              "block_floor": w0 - MAX_BLOCK, "occupancy_floor": w0 - MAX_OCCUPANCY}
    if ignore_appointment_ids:
        params["ignored"] = list(ignore_appointment_ids)
    return _time_statements(bool(ignore_appointment_ids)), params


def load_calendar_times(
    calendars: list[Calendar], window: tuple[datetime, datetime], *, ignore_appointment_ids=()
) -> dict[int, CalendarTime]:
    """Shifts, breaks, blocks and occupancies of ``calendars`` over ``window`` (UTC):
    three statements (``time_selects``), whatever the span, read as plain rows (no ORM
    objects: this is the engine's hot path)."""
    times = {cal.id: CalendarTime(cal) for cal in calendars}
    if not times:
        return times
    db.session.flush()  # plain Core reads below do not autoflush; pending changes count too
    connection = db.session.connection()
    siblings = _siblings(connection, times)
    (shifts, blocks, occupied), params = time_selects(list(times), window, ignore_appointment_ids,
                                                      also_occupied_ids=[c for c in siblings if c not in times])
    zones = {cid: ZoneInfo(ct.calendar.location.timezone) for cid, ct in times.items()}
    if driver_reads.uses_driver_path(connection):  # SQLite: the driver's rows, text parsed here
        rows_of = partial(driver_reads.execute, connection, params=params)
        values = driver_reads.TextValues(connection.dialect)
        instant = values.instant
    else:
        rows_of = lambda statement: connection.execute(statement, params).all()  # noqa: E731
        values, instant = driver_reads.TextValues(), None
    wall = _WallClock(values)
    for _, group in groupby(rows_of(shifts), key=itemgetter(0)):
        group = list(group)
        _, calendar_id, day, start_time, end_time, _, _ = group[0]
        ct, zone = times[calendar_id], zones[calendar_id]
        # The same instants shift_instants / working_intervals give (app/scheduling/shifts.py).
        start = wall(day, start_time, zone)
        shift = (start, max(start, wall(day, end_time, zone)))
        breaks = [(wall(day, b0, zone), wall(day, b1, zone)) for *_, b0, b1 in group if b0 is not None]
        ct.shifts.append(shift)
        ct.breaks.extend(breaks)
        if len(breaks) == 1 and shift[0] <= breaks[0][0] < breaks[0][1] <= shift[1]:
            # Most shifts have one break inside them: the cut is two pieces, no merging.
            ct.working.extend(piece for piece in ((shift[0], breaks[0][0]), (breaks[0][1], shift[1]))
                              if piece[0] < piece[1])
        else:
            ct.working.extend(iv.subtract([shift] if shift[0] < shift[1] else [], iv.normalise(breaks)))
    for calendar_id, start, end, reason in rows_of(blocks):
        if instant:
            start, end = instant(start), instant(end)
        times[calendar_id].blocks.append(((start, end), reason))
    travel = None
    by_member: dict[int, list[CalendarTime]] = {}
    for ct in times.values():
        if ct.calendar.team_member_id is not None:
            by_member.setdefault(ct.calendar.team_member_id, []).append(ct)
    rows = rows_of(occupied)
    if not siblings:  # no team member among the calendars: only their own occupancies
        occupied_of = {cid: ct.occupied for cid, ct in times.items()}
        if instant:
            parsed = values.instants_in(rows, 1, 2)
            for calendar_id, start, end, appointment_id in rows:
                occupied_of[calendar_id].append(((parsed[start], parsed[end]), appointment_id))
        else:
            for calendar_id, start, end, appointment_id in rows:
                occupied_of[calendar_id].append(((start, end), appointment_id))
        rows = ()
    for calendar_id, start, end, appointment_id in rows:
        if instant:
            start, end = instant(start), instant(end)
        if calendar_id in times:
            times[calendar_id].occupied.append(((start, end), appointment_id))
        sibling = siblings.get(calendar_id)
        if sibling is None:
            continue
        member, location_id, location_name, timezone = sibling
        for ct in by_member.get(member, ()):
            cal = ct.calendar
            if cal.id == calendar_id:
                continue
            minutes = 0
            if location_id != cal.location_id:
                if travel is None:
                    from app.models.settings import travel_minutes
                    travel = travel_minutes()
                minutes = travel
            pad = timedelta(minutes=minutes)
            ct.elsewhere.append(Elsewhere((start - pad, end + pad), (start, end), appointment_id, calendar_id,
                                          location_name, timezone, minutes))
    for ct in times.values():
        ct.shifts = iv.normalise(ct.shifts)
        ct.breaks = iv.normalise(ct.breaks)
        ct.working = iv.normalise(ct.working)
        ct.elsewhere.sort(key=lambda e: e.interval)
    return times


def _siblings(connection, times: dict[int, CalendarTime]) -> dict[int, tuple]:
    """Every calendar of the team members owning any of ``times``' calendars (their own
    included): id → (team member, location id, location name, zone). One statement, none
    when no calendar belongs to a team member."""
    members = {ct.calendar.team_member_id for ct in times.values()} - {None}
    if not members:
        return {}
    rows = connection.execute(
        select(Calendar.id, Calendar.team_member_id, Calendar.location_id, Location.name, Location.timezone)
        .join(Location, Location.id == Calendar.location_id)
        .where(Calendar.team_member_id.in_(sorted(members))))
    return {row[0]: tuple(row[1:]) for row in rows}
