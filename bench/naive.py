"""Naive availability baselines for the benchmark: ask the database per day and per
candidate start, the way availability code is often written (one small query per
question, in Python loops).

Two strengths of naive, both giving exactly the engine's answers (the benchmark asserts it):

``PerCandidate`` (the baseline the tables call "naive"):
  * per provider and local day: 1 query for that day's shifts (to know where candidate
    starts lie);
  * per 15-minute candidate start inside a shift: up to 3 queries — a break of that shift
    overlapping the candidate, a time block overlapping it (widened by the calendar's
    buffers), an active occupancy overlapping it (likewise) — stopping at the first "no";
  * per room tried for a candidate that needs one (rooms in calendar order, first free
    wins): 4 queries — the room's shift covering the candidate, then break, block,
    occupancy.

``PerDay`` (a less naive variant, reported for context): per calendar and local day,
4 queries fetch that day's shifts, breaks, blocks and occupancies; every candidate of
that calendar and day is then checked in memory.

Candidate starts are the location's quarter-hour wall-clock grid; both benchmark zones
are whole hours from UTC, so the grid is computed on UTC minutes. The checks compare
local wall-clock times for breaks (as stored) and UTC instants for blocks and
occupancies, like the engine's rules (app/scheduling/availability.py): a start ``t``
fits a calendar when ``[t, t+len)`` lies in a shift outside its breaks and
``[t-buffer_before, t+len+buffer_after)`` overlaps no block and no active occupancy.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Calendar,
    CalendarKind,
    Occupancy,
    SessionType,
    Shift,
    ShiftBreak,
    TimeBlock,
)
from app.scheduling import intervals as iv
from app.timeutil import local_day_bounds, to_local, to_utc

STEP = 15


@dataclass(frozen=True)
class ShiftRow:
    id: int
    day: date
    start: time
    end: time


def ordered_calendars(where) -> list[Calendar]:
    """Calendars in the engine's order (kind, sort_order, name, id), location loaded: 1 query."""
    return list(db.session.scalars(
        select(Calendar).where(where).options(joinedload(Calendar.location))
        .order_by(Calendar.kind, Calendar.sort_order, Calendar.name, Calendar.id)))


def _ceil_grid(t: datetime) -> datetime:
    extra = t.minute % STEP
    if extra or t.second or t.microsecond:
        t = t.replace(second=0, microsecond=0) + timedelta(minutes=STEP - extra)
    return t


class PerCandidate:
    """Every question is one query."""

    def shifts(self, cal: Calendar, day: date) -> list[ShiftRow]:
        return [ShiftRow(*row) for row in db.session.execute(
            select(Shift.id, Shift.day, Shift.start_time, Shift.end_time)
            .where(Shift.calendar_id == cal.id, Shift.day == day).order_by(Shift.start_time))]

    def in_break(self, cal: Calendar, shift: ShiftRow, local_start: time, local_end: time) -> bool:
        return db.session.execute(
            select(ShiftBreak.id).where(ShiftBreak.shift_id == shift.id, ShiftBreak.start_time < local_end,
                                        ShiftBreak.end_time > local_start).limit(1)).first() is not None

    def blocked(self, cal: Calendar, start: datetime, end: datetime) -> bool:
        return db.session.execute(
            select(TimeBlock.id).where(TimeBlock.calendar_id == cal.id, TimeBlock.starts_at < end,
                                       TimeBlock.ends_at > start).limit(1)).first() is not None

    def occupied(self, cal: Calendar, start: datetime, end: datetime) -> bool:
        return db.session.execute(
            select(Occupancy.id).where(Occupancy.calendar_id == cal.id, Occupancy.active.is_(True),
                                       Occupancy.starts_at < end, Occupancy.ends_at > start).limit(1)
        ).first() is not None

    def room_shifts(self, cal: Calendar, day: date) -> list[ShiftRow]:
        return self.shifts(cal, day)  # asked again for every candidate


class PerDay(PerCandidate):
    """Per calendar and day, 4 queries; the checks are then answered in memory."""

    def __init__(self):
        self._days: dict[tuple[int, date], tuple] = {}

    def _load(self, cal: Calendar, day: date):
        key = (cal.id, day)
        if key not in self._days:
            shifts = PerCandidate.shifts(self, cal, day)
            breaks: dict[int, list] = {}
            if shifts:
                for shift_id, b0, b1 in db.session.execute(
                        select(ShiftBreak.shift_id, ShiftBreak.start_time, ShiftBreak.end_time)
                        .where(ShiftBreak.shift_id.in_([s.id for s in shifts]))):
                    breaks.setdefault(shift_id, []).append((b0, b1))
            d0, d1 = local_day_bounds(day, cal.location.timezone)
            span = (d0 - timedelta(hours=2), d1 + timedelta(hours=2))  # room for buffers
            blocks = db.session.execute(select(TimeBlock.starts_at, TimeBlock.ends_at).where(
                TimeBlock.calendar_id == cal.id, TimeBlock.starts_at < span[1], TimeBlock.ends_at > span[0])).all()
            occupied = db.session.execute(select(Occupancy.starts_at, Occupancy.ends_at).where(
                Occupancy.calendar_id == cal.id, Occupancy.active.is_(True),
                Occupancy.starts_at < span[1], Occupancy.ends_at > span[0])).all()
            self._days[key] = (shifts, breaks, blocks, occupied)
        return self._days[key]

    def shifts(self, cal, day):
        return self._load(cal, day)[0]

    def in_break(self, cal, shift, local_start, local_end):
        return any(b0 < local_end and local_start < b1 for b0, b1 in self._load(cal, shift.day)[1].get(shift.id, ()))

    def _day_of(self, cal, start):
        return to_local(start, cal.location.timezone).date()

    def blocked(self, cal, start, end):
        return any(s < end and start < e for s, e in self._load(cal, self._day_of(cal, start))[2])

    def occupied(self, cal, start, end):
        return any(s < end and start < e for s, e in self._load(cal, self._day_of(cal, start))[3])


# --- the questions the benchmark asks ---------------------------------------------------------
def _fits(ask: PerCandidate, cal: Calendar, shift: ShiftRow, t: datetime, length: timedelta) -> bool:
    """Whether [t, t+len) fits ``cal`` inside ``shift`` (checked by the caller to contain it)."""
    zone = cal.location.timezone
    if ask.in_break(cal, shift, to_local(t, zone).time(), to_local(t + length, zone).time()):
        return False
    lo = t - timedelta(minutes=cal.buffer_before_minutes)
    hi = t + length + timedelta(minutes=cal.buffer_after_minutes)
    return not ask.blocked(cal, lo, hi) and not ask.occupied(cal, lo, hi)


def _shift_utc(cal: Calendar, shift: ShiftRow) -> tuple[datetime, datetime]:
    zone = cal.location.timezone
    return to_utc(shift.day, shift.start, zone), to_utc(shift.day, shift.end, zone)


def _candidates(cal: Calendar, shifts: list[ShiftRow], day: date, length: timedelta, now: datetime):
    """(t, shift) for every grid start t with [t, t+len) inside a shift, t >= now, within the day."""
    day_end = local_day_bounds(day, cal.location.timezone)[1]
    for shift in shifts:
        s, e = _shift_utc(cal, shift)
        t = _ceil_grid(max(s, now))
        while t + length <= min(e, day_end):
            yield t, shift
            t += timedelta(minutes=STEP)


def _first_free_room(ask: PerCandidate, rooms: list[Calendar], day: date, t: datetime,
                     length: timedelta) -> Calendar | None:
    for room in rooms:
        for shift in ask.room_shifts(room, day):
            s, e = _shift_utc(room, shift)
            if s <= t and t + length <= e and _fits(ask, room, shift, t, length):
                return room
    return None


def _rooms_for(session_type: SessionType, provider: Calendar) -> list[Calendar]:
    if not session_type.needs_room:
        return []
    return ordered_calendars((Calendar.location_id == provider.location_id) & (Calendar.kind == CalendarKind.room)
                             & Calendar.active.is_(True))


def provider_slots(ask: PerCandidate, *, session_type: SessionType, providers: list[Calendar], start_day: date,
                   end_day: date, now: datetime) -> list[tuple[datetime, tuple[int, ...]]]:
    """Every (start, (provider id, room id?)) from start_day to end_day, one per provider and
    start, sorted by (start, ids): the engine's ``find_slots(any_provider=False)``."""
    length = timedelta(minutes=session_type.duration_minutes)
    result = []
    rooms_by_location: dict[int, list[Calendar]] = {}
    for provider in providers:
        if session_type.needs_room and provider.location_id not in rooms_by_location:
            rooms_by_location[provider.location_id] = _rooms_for(session_type, provider)
        rooms = rooms_by_location.get(provider.location_id, [])
        day = start_day
        while day <= end_day:
            for t, shift in _candidates(provider, ask.shifts(provider, day), day, length, now):
                if not _fits(ask, provider, shift, t, length):
                    continue
                if session_type.needs_room:
                    room = _first_free_room(ask, rooms, day, t, length)
                    if room is not None:
                        result.append((t, (provider.id, room.id)))
                else:
                    result.append((t, (provider.id,)))
            day += timedelta(days=1)
    return sorted(result)


def first_openings(ask: PerCandidate, *, session_type: SessionType, location_id: int, start_day: date,
                   end_day: date, now: datetime, limit: int) -> list[tuple[datetime, tuple[int, ...]]]:
    """The first ``limit`` starts at a location, each with the first free provider in
    calendar order; walks day by day and start by start and stops as soon as it has
    ``limit``: the engine's ``find_slots(location_id=..., any_provider=True, limit=...)``."""
    length = timedelta(minutes=session_type.duration_minutes)
    providers = ordered_calendars((Calendar.location_id == location_id) & (Calendar.kind == CalendarKind.provider)
                                  & Calendar.active.is_(True))
    rooms = _rooms_for(session_type, providers[0]) if providers else []
    found: list[tuple[datetime, tuple[int, ...]]] = []
    day = start_day
    while day <= end_day and len(found) < limit:
        per_provider = {p.id: dict(_candidates(p, ask.shifts(p, day), day, length, now)) for p in providers}
        for t in sorted({t for starts in per_provider.values() for t in starts}):
            for provider in providers:
                shift = per_provider[provider.id].get(t)
                if shift is None or not _fits(ask, provider, shift, t, length):
                    continue
                if session_type.needs_room:
                    room = _first_free_room(ask, rooms, day, t, length)
                    if room is None:
                        continue
                    found.append((t, (provider.id, room.id)))
                else:
                    found.append((t, (provider.id,)))
                break
            if len(found) >= limit:
                break
        day += timedelta(days=1)
    return found


def calendar_times(calendars: list[Calendar], window: tuple[datetime, datetime]) -> dict[int, dict]:
    """What ``load_calendar_times`` returns, fetched one calendar at a time (and the breaks
    one shift at a time): shifts, breaks, working time, blocks and occupancies as sorted
    UTC intervals, over the same ranges the engine reads."""
    w0, w1 = window
    result = {}
    for cal in calendars:
        zone = ZoneInfo(cal.location.timezone)
        shifts = db.session.execute(
            select(Shift.id, Shift.day, Shift.start_time, Shift.end_time)
            .where(Shift.calendar_id == cal.id, Shift.day >= (w0 - timedelta(days=1)).date(),
                   Shift.day <= (w1 + timedelta(days=1)).date())).all()
        shift_list, break_list, working = [], [], []
        for shift_id, day, start, end in shifts:
            s, e = to_utc(day, start, zone), to_utc(day, end, zone)
            breaks = [(to_utc(day, b0, zone), to_utc(day, b1, zone)) for b0, b1 in db.session.execute(
                select(ShiftBreak.start_time, ShiftBreak.end_time).where(ShiftBreak.shift_id == shift_id))]
            shift_list.append((s, max(s, e)))
            break_list += breaks
            working += iv.subtract(iv.normalise([(s, max(s, e))]), iv.normalise(breaks))
        blocks = db.session.execute(select(TimeBlock.starts_at, TimeBlock.ends_at, TimeBlock.reason).where(
            TimeBlock.calendar_id == cal.id, TimeBlock.starts_at < w1, TimeBlock.ends_at > w0)).all()
        occupied = db.session.execute(select(Occupancy.starts_at, Occupancy.ends_at, Occupancy.appointment_id).where(
            Occupancy.calendar_id == cal.id, Occupancy.active.is_(True),
            Occupancy.starts_at < w1, Occupancy.ends_at > w0)).all()
        result[cal.id] = {
            "shifts": iv.normalise(shift_list), "breaks": iv.normalise(break_list), "working": iv.normalise(working),
            "blocks": sorted(((s, e), r) for s, e, r in blocks), "occupied": sorted(((s, e), a) for s, e, a in occupied),
        }
    return result


def check_and_insert(ask: PerCandidate, *, provider: Calendar, session_type: SessionType, case_id: int,
                     start: datetime) -> int | None:
    """Naive booking: check the start with the per-candidate questions, then insert the
    appointment and its occupancy with two INSERTs and commit. Returns the new id."""
    from app.models import Appointment, AppointmentStatus, BookedVia

    length = timedelta(minutes=session_type.duration_minutes)
    day = to_local(start, provider.location.timezone).date()
    shift = next((sh for sh in ask.shifts(provider, day)
                  if _shift_utc(provider, sh)[0] <= start and start + length <= _shift_utc(provider, sh)[1]), None)
    if shift is None or not _fits(ask, provider, shift, start, length):
        return None
    appointment_id = db.session.execute(
        Appointment.__table__.insert().returning(Appointment.__table__.c.id),
        {"case_id": case_id, "location_id": provider.location_id, "session_type_id": session_type.id,
         "starts_at": start, "ends_at": start + length, "status": AppointmentStatus.booked,
         "booked_via": BookedVia.staff, "notify": True, "version": 1}).scalar_one()
    db.session.execute(Occupancy.__table__.insert(), {
        "appointment_id": appointment_id, "calendar_id": provider.id,
        "starts_at": start - timedelta(minutes=provider.buffer_before_minutes),
        "ends_at": start + length + timedelta(minutes=provider.buffer_after_minutes),
        "exclusive": True, "active": True})
    db.session.commit()
    return appointment_id
