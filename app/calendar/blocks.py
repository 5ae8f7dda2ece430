"""Blocked time and breaks changed from the grid (no HTTP, no commit: the edge commits).

A time block is a pair of UTC instants on one calendar. A break belongs to a shift and
is local wall-clock times on the shift's date (like the shift itself, see
app/scheduling/shifts.py), so the grid's instants are turned into the location's
local date and time here, once.

Each change locks the calendar (app/scheduling/locks.py) before it reads what it
checks. Taking time away from a calendar where appointments are already booked is
refused (409, naming them) unless ``keep_appointments`` says the user has seen them
and wants the block anyway: the appointments stay booked, the front desk moves them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.errors import Conflict, NotFound, Problem, ValidationFailed
from app.extensions import db
from app.models import Appointment, AppointmentStatus, Calendar, Case, Client, Occupancy, Shift, ShiftBreak, TimeBlock
from app.scheduling.calendar_time import MAX_BLOCK
from app.scheduling.locks import lock_calendars
from app.setup.validation import check_shift
from app.timeutil import to_local, to_utc

REASON_LENGTH = TimeBlock.__table__.c.reason.type.length  # the columns' own lengths
LABEL_LENGTH = ShiftBreak.__table__.c.label.type.length


@dataclass(frozen=True)
class LocalRange:
    """An instant range read as one local date and two wall-clock times."""

    day: date
    start: time
    end: time


# --- blocked time --------------------------------------------------------------------
def add_block(*, calendar: Calendar, start: datetime, end: datetime, reason: str,
              keep_appointments: bool = False) -> TimeBlock:
    reason = _text(reason, "reason", REASON_LENGTH, "Give a reason (it is shown in the grid).")
    _check_instants(start, end)
    lock_calendars([calendar.id])
    _refuse_booked(calendar, start, end, keep_appointments)
    block = TimeBlock(calendar=calendar, starts_at=start, ends_at=end, reason=reason)
    db.session.add(block)
    db.session.flush()
    return block


def change_block(*, block: TimeBlock, start: datetime | None = None, end: datetime | None = None,
                 reason: str | None = None, keep_appointments: bool = False) -> TimeBlock:
    """Move, resize or retitle; a value left None is kept."""
    new_start = block.starts_at if start is None else start
    new_end = block.ends_at if end is None else end
    new_reason = block.reason if reason is None else _text(
        reason, "reason", REASON_LENGTH, "Give a reason (it is shown in the grid).")
    _check_instants(new_start, new_end)
    lock_calendars([block.calendar_id])
    # Only the time the block newly takes can clash; what it already held was accepted.
    if new_start < block.starts_at or new_end > block.ends_at:
        _refuse_booked(block.calendar, new_start, new_end, keep_appointments)
    block.starts_at, block.ends_at, block.reason = new_start, new_end, new_reason
    db.session.flush()
    return block


def remove_block(*, block: TimeBlock) -> None:
    lock_calendars([block.calendar_id])
    db.session.delete(block)
    db.session.flush()


# --- breaks --------------------------------------------------------------------------
def local_range(calendar: Calendar, start: datetime, end: datetime) -> LocalRange:
    """The grid's instants as the location's date and wall-clock times; a break lies
    inside one day (a shift never crosses midnight)."""
    _check_instants(start, end, longest=timedelta(hours=24))
    zone = ZoneInfo(calendar.location.timezone)
    local_start, local_end = to_local(start, zone), to_local(end, zone)
    if local_end.date() != local_start.date():
        raise ValidationFailed("A break starts and ends on the same day.", [Problem("Across midnight.", field="end")])
    return LocalRange(local_start.date(), local_start.time().replace(tzinfo=None),
                      local_end.time().replace(tzinfo=None))


def add_break(*, calendar: Calendar, start: datetime, end: datetime, label: str | None = None,
              keep_appointments: bool = False) -> ShiftBreak:
    """A break inside the calendar's shift that day (the shift that contains it)."""
    wanted = local_range(calendar, start, end)
    label = _text(label, "label", LABEL_LENGTH) if label else None
    lock_calendars([calendar.id])
    shift = db.session.scalars(
        select(Shift).where(Shift.calendar_id == calendar.id, Shift.day == wanted.day,
                            Shift.start_time <= wanted.start, Shift.end_time >= wanted.end)
    ).first()
    if shift is None:
        raise ValidationFailed(
            f"{calendar.name} has no shift covering {wanted.start:%H:%M}–{wanted.end:%H:%M} on {wanted.day:%a %d %b}; "
            "a break lies inside a shift (use blocked time otherwise).", [Problem("Outside the shifts.", field="start")])
    _check_breaks(shift, [*((b.start_time, b.end_time) for b in shift.breaks), (wanted.start, wanted.end)])
    _refuse_booked(calendar, *_instants(shift, wanted.start, wanted.end), keep_appointments)
    added = ShiftBreak(shift=shift, start_time=wanted.start, end_time=wanted.end, label=label)
    db.session.add(added)
    db.session.flush()
    return added


def change_break(*, brk: ShiftBreak, start: datetime | None = None, end: datetime | None = None,
                 label: str | None = None, keep_appointments: bool = False) -> ShiftBreak:
    """Move, resize or relabel a break within its own shift; ``label`` "" clears it."""
    shift = brk.shift
    zone = shift.calendar.location.timezone
    wanted = local_range(shift.calendar, start or to_utc(shift.day, brk.start_time, zone),
                         end or to_utc(shift.day, brk.end_time, zone))
    if wanted.day != shift.day:
        raise ValidationFailed("A break stays on its shift's day; add a new one on the other day.",
                               [Problem("Another day.", field="start")])
    lock_calendars([shift.calendar_id])
    others = [(b.start_time, b.end_time) for b in shift.breaks if b.id != brk.id]
    _check_breaks(shift, [*others, (wanted.start, wanted.end)])
    if wanted.start < brk.start_time or wanted.end > brk.end_time:
        _refuse_booked(shift.calendar, *_instants(shift, wanted.start, wanted.end), keep_appointments)
    brk.start_time, brk.end_time = wanted.start, wanted.end
    if label is not None:
        brk.label = _text(label, "label", LABEL_LENGTH) if label.strip() else None
    db.session.flush()
    return brk


def remove_break(*, brk: ShiftBreak) -> None:
    lock_calendars([brk.shift.calendar_id])
    db.session.delete(brk)
    db.session.flush()


def get_break(break_id: int, shift_ids) -> ShiftBreak:
    """The break with this id on a shift in ``shift_ids`` (a scope Select); NotFound
    otherwise, so "missing" and "not yours" read the same."""
    found = db.session.scalars(select(ShiftBreak).where(ShiftBreak.id == break_id,
                                                        ShiftBreak.shift_id.in_(shift_ids))).first()
    if found is None:
        raise NotFound(f"There is no break {break_id}.")
    return found


def get_block(block_id: int, block_ids) -> TimeBlock:
    found = db.session.scalars(select(TimeBlock).where(TimeBlock.id == block_id, TimeBlock.id.in_(block_ids))).first()
    if found is None:
        raise NotFound(f"There is no blocked time {block_id}.")
    return found


# --- helpers -------------------------------------------------------------------------
def _text(value: str | None, name: str, length: int, missing: str = "") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(missing or f"Give a {name}.", [Problem("Required.", field=name)])
    if len(value) > length:
        raise ValidationFailed(f"Keep the {name} to {length} characters.", [Problem("Too long.", field=name)])
    return value


def _check_instants(start: datetime, end: datetime, longest: timedelta = MAX_BLOCK) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("Times need their UTC offset.", [Problem("No offset.", field="start")])
    if end <= start:
        raise ValidationFailed("The end must come after the start.", [Problem("Ends before it starts.", field="end")])
    if end - start > longest:
        raise ValidationFailed(f"Block at most {longest.days} days at once.", [Problem("Too long.", field="end")])


def _check_breaks(shift: Shift, breaks: list[tuple[time, time]]) -> None:
    problems = check_shift(shift.start_time, shift.end_time, breaks)
    if problems:
        raise ValidationFailed(problems[0], [Problem(p, field="start") for p in problems])


def _instants(shift: Shift, start: time, end: time) -> tuple[datetime, datetime]:
    zone = shift.calendar.location.timezone
    return to_utc(shift.day, start, zone), to_utc(shift.day, end, zone)


def _refuse_booked(calendar: Calendar, start: datetime, end: datetime, keep_appointments: bool) -> None:
    """409 naming the appointments booked in [start, end) on ``calendar``, unless kept."""
    if keep_appointments:
        return
    rows = db.session.execute(
        select(Appointment.id, Appointment.starts_at, Client.first_name, Client.last_name)
        .join(Occupancy, Occupancy.appointment_id == Appointment.id)
        .join(Case, Case.id == Appointment.case_id).join(Client, Client.id == Case.client_id)
        .where(Occupancy.calendar_id == calendar.id, Occupancy.active.is_(True),
               Appointment.status.not_in([AppointmentStatus.canceled, AppointmentStatus.rebooked]),
               Occupancy.starts_at < end, Occupancy.ends_at > start)
        .order_by(Appointment.starts_at)
    ).all()
    if rows:
        zone = ZoneInfo(calendar.location.timezone)
        raise Conflict(
            f"{len(rows)} appointment{'s are' if len(rows) > 1 else ' is'} booked on {calendar.name} in that time; "
            "they stay booked if you go ahead.",
            [Problem(f"{first} {last} at {to_local(at, zone):%a %H:%M}.",
                     details={"reason": "booked", "appointment_id": appointment_id})
             for appointment_id, at, first, last in rows])
