"""The weekly shift planner's operations on top of ``app.scheduling.shifts`` (no HTTP,
no commit).

The planner never writes a shift another way than the scheduling service does: adding
and repeating go through ``repeat_shift``, one date through ``change_shift`` /
``remove_shift``, "this and following" through the same functions over the pattern's
later dates, so every rule (sound times and breaks, no overlapping shifts, audit) lives
in one place. What this module adds is what a manager needs to see *before* saving:

* **shift clashes** — a new or changed shift overlapping another shift of its calendar;
* **appointments left outside** — booked time that is inside the calendar's working
  hours now and would not be after the change (a shortened day, a new break, a removed
  date). Those appointments stay booked (the front desk moves or cancels them), but a
  change that leaves any outside is refused unless the caller says it has shown them
  (``accept_outside``), so they are never dropped silently.

Every preview is a constant number of statements: the shifts of the calendars and days
involved, then the active occupancies of those calendars over those days.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from flask_babel import gettext, ngettext

from app.errors import Conflict, Problem, ValidationFailed
from app.extensions import db
from app.models import Appointment, Calendar, Location, Occupancy, Shift
from app.scheduling import shifts as shift_service
from app.scheduling.intervals import normalise, subtract
from app.i18n.formatting import day_weekday
from app.timeutil import local_day_bounds, to_local, to_utc

SCOPES = ("this", "following")
MAX_COPY_WEEKS = shift_service.MAX_REPEAT_WEEKS

Breaks = Sequence[tuple[time, time]]


@dataclass(frozen=True)
class Hours:
    """A planned shift's wall-clock hours: start, end and breaks."""

    start: time
    end: time
    breaks: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True)
class Planned:
    """What one (calendar, date) should work after a change; ``hours`` None = nothing
    (the shift is removed). ``replaces`` is the shift being changed, if any."""

    calendar: Calendar
    day: date
    hours: Hours | None
    replaces: Shift | None = None


# --- previews --------------------------------------------------------------------

def conflicts(planned: Sequence[Planned]) -> list[Problem]:
    """Every shift clash and every appointment left outside working hours, for a set of
    planned (calendar, date) changes, without writing anything."""
    if not planned:
        return []
    calendar_ids = sorted({p.calendar.id for p in planned})
    days = sorted({p.day for p in planned})
    existing = _shifts_on(calendar_ids, days)
    replaced_ids = {p.replaces.id for p in planned if p.replaces is not None}
    problems: list[Problem] = []
    for p in planned:
        others = [s for s in existing[(p.calendar.id, p.day)] if s.id not in replaced_ids]
        if p.hours is not None:
            problems += [_clash(p.calendar, s) for s in others
                         if s.start_time < p.hours.end and s.end_time > p.hours.start]
    problems += _outside(planned, existing, replaced_ids)
    return problems


def _outside(planned: Sequence[Planned], existing, replaced_ids: set[int]) -> list[Problem]:
    """Appointments covered by today's hours but not by the planned ones."""
    changing = [p for p in planned if p.replaces is not None]
    if not changing:
        return []  # adding hours never leaves an appointment outside
    zone = changing[0].calendar.location.timezone
    first, last = min(p.day for p in changing), max(p.day for p in changing)
    lower, _ = local_day_bounds(first, zone)
    _, upper = local_day_bounds(last, zone)
    rows = db.session.execute(
        select(Occupancy.calendar_id, Appointment.id, Appointment.starts_at, Appointment.ends_at)
        .join(Appointment, Appointment.id == Occupancy.appointment_id)
        .where(Occupancy.calendar_id.in_(sorted({p.calendar.id for p in changing})),
               Occupancy.active.is_(True), Appointment.starts_at < upper, Appointment.ends_at > lower)
        .order_by(Appointment.starts_at)
    ).all()
    by_day = defaultdict(list)
    for calendar_id, appointment_id, starts_at, ends_at in rows:
        by_day[(calendar_id, to_local(starts_at, zone).date())].append((appointment_id, starts_at, ends_at))
    problems = []
    for p in changing:
        kept = [s for s in existing[(p.calendar.id, p.day)] if s.id not in replaced_ids]
        now = _working(existing[(p.calendar.id, p.day)], zone)
        after = _working(kept, zone) + (_hours_working(p.day, p.hours, zone) if p.hours else [])
        after = normalise(after)
        for appointment_id, starts_at, ends_at in by_day[(p.calendar.id, p.day)]:
            span = [(starts_at, ends_at)]
            if not subtract(span, now) and subtract(span, after):
                local = to_local(starts_at, zone)
                problems.append(Problem(
                    gettext("%(calendar)s: the appointment at %(time)s on %(day)s would be outside working hours.",
                            calendar=p.calendar.name, time=f"{local:%H:%M}", day=day_weekday(local)),
                    field="appointments",
                    details={"kind": "appointment", "calendar_id": p.calendar.id, "calendar": p.calendar.name,
                             "day": p.day.isoformat(), "appointment_id": appointment_id,
                             "start": local.isoformat()}))
    return problems


def _working(day_shifts: Iterable[Shift], zone: str) -> list:
    return normalise(i for s in day_shifts for i in shift_service.working_intervals(s, zone))


def _hours_working(day: date, hours: Hours, zone: str) -> list:
    span = normalise([(to_utc(day, hours.start, zone), to_utc(day, hours.end, zone))])
    breaks = normalise((to_utc(day, b0, zone), to_utc(day, b1, zone)) for b0, b1 in hours.breaks)
    return subtract(span, breaks)


def _shifts_on(calendar_ids: list[int], days: list[date]) -> dict:
    found = db.session.scalars(
        select(Shift).where(Shift.calendar_id.in_(calendar_ids), Shift.day.in_(days))
        .options(selectinload(Shift.breaks)).order_by(Shift.start_time)
    ).all()
    by_key = defaultdict(list)
    for shift in found:
        by_key[(shift.calendar_id, shift.day)].append(shift)
    return by_key


def _clash(calendar: Calendar, shift: Shift) -> Problem:
    return Problem(
        gettext("%(calendar)s already works %(start)s–%(end)s on %(day)s.", calendar=calendar.name,
                start=f"{shift.start_time:%H:%M}", end=f"{shift.end_time:%H:%M}", day=day_weekday(shift.day)),
        field="day", details={"kind": "shift", "calendar_id": calendar.id, "calendar": calendar.name,
                              "day": shift.day.isoformat(), "shift_id": shift.id})


# --- what each planner action would do -------------------------------------------

def plan_repeat(*, calendars: Sequence[Calendar], first_day: date, weekdays: Iterable[int], weeks: int,
                hours: Hours) -> list[Planned]:
    days = shift_service.repeat_days(first_day, weekdays, min(weeks, MAX_COPY_WEEKS))
    return [Planned(c, d, hours) for d in days for c in calendars]


def pattern_dates(shift: Shift, scope: str) -> list[Shift]:
    """The shifts a change of ``shift`` reaches: it alone, or it and the later shifts of
    its repeat pattern on the same calendar."""
    if scope not in SCOPES:
        raise ValidationFailed(gettext("Choose this date or this and following."),
                               [Problem(gettext("Unknown scope."), field="scope")])
    if scope == "this" or shift.pattern_id is None:
        return [shift]
    return list(db.session.scalars(
        select(Shift).where(Shift.pattern_id == shift.pattern_id, Shift.calendar_id == shift.calendar_id,
                            Shift.day >= shift.day)
        .options(selectinload(Shift.breaks)).order_by(Shift.day)
    ).all())


def plan_change(targets: Sequence[Shift], hours: Hours | None) -> list[Planned]:
    return [Planned(s.calendar, s.day, hours, replaces=s) for s in targets]


def plan_copy(*, location: Location, source_week: date, weeks: int,
              calendar_ids: Iterable[int] | None = None) -> list[tuple[Shift, Planned]]:
    """Each shift of the seven days from ``source_week`` laid on the same weekday of the
    next ``weeks`` weeks (source shift, planned copy)."""
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_COPY_WEEKS:
        raise ValidationFailed(gettext("Copy to 1 to %(count)s weeks.", count=MAX_COPY_WEEKS),
                               [Problem(gettext("Out of range."), field="weeks")])
    rows = shift_service.week_of_shifts(location=location, week_start=source_week,
                                        calendar_ids=calendar_ids)
    return [(s, Planned(row.calendar, s.day + timedelta(weeks=n),
                        Hours(s.start_time, s.end_time, tuple((b.start_time, b.end_time) for b in s.breaks))))
            for row in rows for s in row.shifts for n in range(1, weeks + 1)]


# --- writes ------------------------------------------------------------------------

def refuse_unless_shown(problems: list[Problem], *, skip_clashes: bool = False,
                        accept_outside: bool = False) -> None:
    """Refuse (409, every problem listed) unless each kind of problem was shown and
    accepted: clashing dates skipped, appointments left outside acknowledged."""
    blocking = [p for p in problems
                if (p.details.get("kind") == "shift" and not skip_clashes)
                or (p.details.get("kind") == "appointment" and not accept_outside)]
    if blocking:
        raise Conflict(ngettext("%(num)s conflict needs a decision; nothing was saved.",
                                 "%(num)s conflicts need a decision; nothing was saved.", len(blocking)), problems)


def copy_week(*, location: Location, source_week: date, weeks: int, calendar_ids=None,
              skip_clashes: bool = False) -> int:
    """Copy a week's shifts onto the next ``weeks`` weeks; dates that would clash are
    refused, or left alone with ``skip_clashes``. Returns how many shifts were made.

    Laid with ``repeat_shift``: one repeat per distinct (weekday, hours) of the source
    week, over every calendar that works those hours that day."""
    pairs = plan_copy(location=location, source_week=source_week, weeks=weeks, calendar_ids=calendar_ids)
    refuse_unless_shown(conflicts([p for _, p in pairs]), skip_clashes=skip_clashes)
    groups: dict[tuple, dict[int, Calendar]] = defaultdict(dict)
    for source, planned in pairs:
        groups[(source.day.weekday(), planned.hours)][planned.calendar.id] = planned.calendar
    made = 0
    step = shift_service.MAX_REPEAT_CALENDARS
    for (weekday, hours), by_id in groups.items():
        calendars = list(by_id.values())
        for chunk in (calendars[n:n + step] for n in range(0, len(calendars), step)):
            made += len(shift_service.repeat_shift(
                calendars=chunk, first_day=source_week + timedelta(weeks=1), weekdays={weekday}, weeks=weeks,
                start=hours.start, end=hours.end, breaks=hours.breaks, skip_conflicts=skip_clashes))
    return made


def change(*, shift: Shift, scope: str, hours: Hours, accept_outside: bool = False) -> int:
    targets = pattern_dates(shift, scope)
    refuse_unless_shown(conflicts(plan_change(targets, hours)), accept_outside=accept_outside)
    for target in targets:
        shift_service.change_shift(shift=target, start=hours.start, end=hours.end, breaks=list(hours.breaks))
    return len(targets)


def remove(*, shift: Shift, scope: str, accept_outside: bool = False) -> int:
    targets = pattern_dates(shift, scope)
    refuse_unless_shown(conflicts(plan_change(targets, None)), accept_outside=accept_outside)
    if scope == "following":
        return shift_service.remove_pattern_from(shift=shift)
    shift_service.remove_shift(shift=shift)
    return 1


def set_visible_hours(*, location: Location, start: time | None, end: time | None) -> None:
    """The location's grid hours (None: follow the shifts)."""
    if start is not None and end is not None and end <= start:
        raise ValidationFailed(gettext("The grid's last hour must come after its first hour."),
                               [Problem(gettext("Ends before it starts."), field="grid_end")])
    location.grid_start, location.grid_end = start, end
    db.session.flush()
