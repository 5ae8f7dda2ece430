"""Shifts: a calendar's working hours, one local date at a time (no HTTP, no commit).

A shift is a local date with local start and end times in its location's wall clock,
not a pair of instants, because that is what a clinic means: "08:00–16:00 on Sunday
8 March 2026" in Toronto opens at 08:00 and closes at 16:00 by the clock on the wall,
which is 8 real hours even though that day is only 23 hours long (the jump from 02:00
to 03:00 happens outside working hours). Instants are derived when they are needed,
by ``shift_instants`` and ``working_intervals`` through ``app.timeutil.to_utc``, whose
two rules settle the rare shift that touches the jump itself:

* a local time that does not exist (spring-forward gap) moves forward by the gap, so
  a Toronto shift 01:00–03:00 on 2026-03-08 is 06:00–07:00 UTC: 1 real hour;
* a local time that occurs twice (fall back) means its first occurrence, so a Toronto
  shift 01:00–03:00 on 2026-11-01 is 05:00–08:00 UTC: 3 real hours.

Services here only flush; the caller commits with ``unit_of_work()``. Every refusal is
a ``DomainError`` carrying every problem found, raised before anything is written.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import joinedload, selectinload

from flask_babel import gettext

from app.errors import Conflict, NotFound, Problem, ValidationFailed
from app.extensions import db
from app.models import Calendar, Location, Shift, ShiftBreak
from app.models.calendars import calendar_order
from app.scheduling.intervals import normalise, subtract
from app.scheduling.locks import lock_calendars
from app.plausible_dates import schedule_date_problem
from app.setup.validation import shift_problems
from app.i18n.formatting import day_medium, day_weekday
from app.timeutil import to_utc

# A repeat writes weeks × weekdays × calendars rows (plus breaks and audit rows) in one
# transaction; these caps keep that to a size one request can write comfortably.
MAX_REPEAT_WEEKS = 52
MAX_REPEAT_CALENDARS = 50
DEFAULT_GRID_HOURS = (time(8), time(18))

Breaks = Sequence[tuple[time, time]]


# --- reading a shift as instants ---------------------------------------------------

def shift_instants(shift: Shift, zone: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which ``shift`` starts and ends (module docstring: DST rules).

    When the start lies in a spring-forward gap and the end just after it (02:30–03:15
    in Toronto on 2026-03-08), moving the start forward puts it after the end; the shift
    then has no real time at all and comes back as an empty pair (start, start), never
    as an inverted one.
    """
    start = to_utc(shift.day, shift.start_time, zone)
    end = to_utc(shift.day, shift.end_time, zone)
    return start, max(start, end)


def working_intervals(shift: Shift, zone: str | ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The shift minus its breaks, as sorted, non-overlapping UTC instant pairs."""
    start, end = shift_instants(shift, zone)
    breaks = normalise(
        (to_utc(shift.day, b.start_time, zone), to_utc(shift.day, b.end_time, zone))
        for b in shift.breaks
    )
    return subtract(normalise([(start, end)]), breaks)


# --- writing shifts ----------------------------------------------------------------

def add_shift(*, calendar: Calendar, day: date, start: time, end: time, breaks: Breaks = (),
              actor=None) -> Shift:
    """Add one shift. Refuses a shift whose times or breaks are unsound (422) and one
    that overlaps another shift of the same calendar on that day (409); two shifts that
    only touch (08:00–12:00 and 12:00–16:00) or leave a gap are both fine.

    ``actor`` is accepted for the services' common signature; the audit trail takes the
    acting user from the request (app/audit.py).
    """
    problems = _calendar_problems(calendar) + _day_problems(day, "day") + _times_problems(start, end, breaks)
    if problems:
        raise ValidationFailed(gettext("The shift cannot be saved."), problems)
    lock_calendars([calendar.id])
    clashes = _clashing_shifts([calendar.id], [day], start, end)
    if clashes:
        raise Conflict(gettext("The shift overlaps another shift of this calendar."),
                       [_clash_problem(calendar, c) for c in clashes])
    shift = _new_shift(calendar, day, start, end, breaks, pattern_id=None)
    db.session.add(shift)
    db.session.flush()
    return shift


def repeat_days(first_day: date, weekdays: Iterable[int], weeks: int) -> list[date]:
    """The chosen weekdays (0 = Monday) among the ``weeks`` weeks counted from
    ``first_day`` (``first_day`` … ``first_day + 7·weeks − 1``), in order: a weekly
    ``dateutil.rrule``, as a series' dates are (``series.occurrence_days``)."""
    wanted = sorted({d for d in weekdays if isinstance(d, int) and 0 <= d <= 6})
    if not wanted or weeks < 1:
        return []
    start = datetime.combine(first_day, time())
    rule = rrule(WEEKLY, dtstart=start, byweekday=wanted, until=start + timedelta(days=7 * weeks - 1))
    return [moment.date() for moment in rule]


def repeat_shift(*, calendars: Sequence[Calendar], first_day: date, weekdays: Iterable[int],
                 weeks: int, start: time, end: time, breaks: Breaks = (),
                 skip_conflicts: bool = False, actor=None) -> list[Shift]:
    """Lay the same shift on the chosen weekdays (0 = Monday) of ``weeks`` weeks counted
    from ``first_day`` (the days ``first_day`` … ``first_day + 7·weeks − 1``), on every
    calendar given. The shifts made share one new ``pattern_id``.

    All or nothing: if any (calendar, date) already has an overlapping shift, nothing is
    written and the Conflict lists every such calendar and date — unless
    ``skip_conflicts``, which leaves those dates alone and creates the rest. Returns the
    shifts created, by date then in the order the calendars were given.
    """
    given = list(calendars or ())
    # The same calendar chosen twice gets one shift a date, not a clash with itself.
    calendars = list({c.id: c for c in given if not _calendar_problems(c)}.values())
    days_wanted = set(weekdays or ())
    problems = _times_problems(start, end, breaks) + _day_problems(first_day, "first_day")
    if any(_calendar_problems(c) for c in given):
        problems.append(Problem(gettext("Every calendar chosen must be a saved calendar."), field="calendars"))
    elif not calendars:
        problems.append(Problem(gettext("Choose at least one calendar."), field="calendars"))
    elif len(calendars) > MAX_REPEAT_CALENDARS:
        problems.append(Problem(gettext(
            "A repeat can cover at most %(most)s calendars at once (%(count)s were chosen); split it into several.",
            most=MAX_REPEAT_CALENDARS, count=len(calendars)), field="calendars"))
    if not days_wanted:
        problems.append(Problem(gettext("Choose at least one day of the week."), field="weekdays"))
    elif not days_wanted <= set(range(7)):
        problems.append(Problem(gettext("Days of the week are 0 (Monday) to 6 (Sunday)."), field="weekdays"))
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= MAX_REPEAT_WEEKS:
        problems.append(Problem(gettext("Repeat for 1 to %(count)s weeks.", count=MAX_REPEAT_WEEKS), field="weeks"))
    if problems:
        raise ValidationFailed(gettext("The repeating shift cannot be saved."), problems)

    days = repeat_days(first_day, days_wanted, weeks)
    ids = [c.id for c in calendars]
    lock_calendars(ids)
    clashes = _clashing_shifts(ids, days, start, end)
    if clashes and not skip_conflicts:
        by_id = {c.id: c for c in calendars}
        raise Conflict(
            gettext("%(count)s of the new shifts would overlap existing shifts; nothing was saved.", count=len(clashes)),
            [_clash_problem(by_id[c.calendar_id], c) for c in clashes])
    taken = {(c.calendar_id, c.day) for c in clashes}
    pattern_id = str(uuid.uuid4())
    created = [_new_shift(calendar, day, start, end, breaks, pattern_id=pattern_id)
               for day in days for calendar in calendars if (calendar.id, day) not in taken]
    db.session.add_all(created)
    db.session.flush()
    return created


def change_shift(*, shift: Shift, start: time | None = None, end: time | None = None,
                 breaks: Breaks | None = None, actor=None) -> Shift:
    """Change one date's shift; the other shifts of its pattern stay as they are (it
    keeps its ``pattern_id``, so "remove this and following" still reaches it). A value
    left as None is kept; ``breaks`` given replaces all the breaks (``[]`` removes them).
    The same rules as ``add_shift`` apply, and nothing changes if any is broken."""
    _require_persistent(shift)
    new_start = shift.start_time if start is None else start
    new_end = shift.end_time if end is None else end
    new_breaks = [(b.start_time, b.end_time) for b in shift.breaks] if breaks is None else list(breaks)
    problems = _times_problems(new_start, new_end, new_breaks)
    if problems:
        raise ValidationFailed(gettext("The shift cannot be changed."), problems)
    lock_calendars([shift.calendar_id])
    clashes = _clashing_shifts([shift.calendar_id], [shift.day], new_start, new_end, exclude_id=shift.id)
    if clashes:
        raise Conflict(gettext("The changed shift would overlap another shift of this calendar."),
                       [_clash_problem(shift.calendar, c) for c in clashes])
    shift.start_time, shift.end_time = new_start, new_end
    if breaks is not None:
        shift.breaks = [ShiftBreak(start_time=b0, end_time=b1) for b0, b1 in new_breaks]
    db.session.flush()
    return shift


def remove_shift(*, shift: Shift, actor=None) -> None:
    """Remove one date's shift (with its breaks); the rest of its pattern stays."""
    _require_persistent(shift)
    lock_calendars([shift.calendar_id])
    db.session.delete(shift)
    db.session.flush()


def remove_pattern_from(*, shift: Shift, actor=None) -> int:
    """Remove ``shift`` and the later shifts of its pattern on the same calendar (the
    other calendars the pattern was laid on keep theirs). A shift made on its own is
    its own pattern: only it goes. Returns how many shifts were removed."""
    _require_persistent(shift)
    lock_calendars([shift.calendar_id])
    if shift.pattern_id is None:
        doomed = [shift]
    else:
        # Deleted through the ORM, not with one bulk DELETE, so that the audit trail
        # records every shift and break removed; breaks are loaded up front in one go.
        doomed = db.session.scalars(
            select(Shift)
            .where(Shift.pattern_id == shift.pattern_id, Shift.calendar_id == shift.calendar_id,
                   Shift.day >= shift.day)
            .options(selectinload(Shift.breaks))
        ).all()
    for row in doomed:
        db.session.delete(row)
    db.session.flush()
    return len(doomed)


def get_shift(*, shift_id: int, calendar_ids: Select | None = None) -> Shift:
    """The shift with this id, within ``calendar_ids`` (a scope Select) when given;
    NotFound otherwise, so an edge never tells apart "missing" and "not yours"."""
    query = select(Shift).where(Shift.id == shift_id).options(selectinload(Shift.breaks))
    if calendar_ids is not None:
        query = query.where(Shift.calendar_id.in_(calendar_ids))
    shift = db.session.scalars(query).first()
    if shift is None:
        raise NotFound(gettext("That shift does not exist."),
                       [Problem(gettext("No shift %(id)s.", id=shift_id), field="shift_id")])
    return shift


# --- reading a week ----------------------------------------------------------------

@dataclass
class CalendarWeek:
    """One row of the weekly shift planner: a calendar and its shifts on each of the
    seven days (every day present, in order; a day without shifts has ``[]``)."""

    calendar: Calendar
    days: dict[date, list[Shift]] = field(default_factory=dict)

    @property
    def shifts(self) -> list[Shift]:
        return [s for day_shifts in self.days.values() for s in day_shifts]


def week_of_shifts(*, location: Location, week_start: date,
                   calendar_ids: Select | None = None) -> list[CalendarWeek]:
    """The active calendars of ``location`` (providers, then rooms, then equipment; each
    by sort order then name), restricted to ``calendar_ids`` when given, with their
    shifts and breaks on the seven days from ``week_start``.

    Two SQL statements however many calendars or shifts: the calendars, then the
    shifts joined to their breaks.
    """
    problems = _day_problems(week_start, "week_start")
    if problems:
        raise ValidationFailed(gettext("Choose a week."), problems)
    query = select(Calendar).where(Calendar.location_id == location.id, Calendar.active.is_(True))
    if calendar_ids is not None:
        query = query.where(Calendar.id.in_(calendar_ids))
    # Ordered here rather than in SQL so that names sort the same on SQLite and on
    # PostgreSQL (whose collation depends on the server's locale).
    calendars = sorted(db.session.scalars(query).all(),
                       key=calendar_order)
    days = [week_start + timedelta(days=n) for n in range(7)]
    rows = {c.id: CalendarWeek(calendar=c, days={d: [] for d in days}) for c in calendars}
    if rows:
        shifts = db.session.scalars(
            select(Shift)
            .where(Shift.calendar_id.in_(list(rows)), Shift.day >= days[0], Shift.day <= days[-1])
            .options(joinedload(Shift.breaks))
            .order_by(Shift.day, Shift.start_time, Shift.id)
        ).unique().all()
        for shift in shifts:
            rows[shift.calendar_id].days[shift.day].append(shift)
    return list(rows.values())


def visible_hours(*, location: Location, day_from: date, day_to: date) -> tuple[time, time]:
    """The hours the scheduling grid shows for ``location`` from ``day_from`` to
    ``day_to`` (both included).

    Each end is the location's manual setting (``grid_start`` / ``grid_end``) when set,
    otherwise the earliest shift start / latest shift end of the location's active
    calendars over those days, otherwise 08:00 / 18:00. If a manual end and a derived
    one leave nothing to show (grid_start 19:00 with shifts ending at 18:00), the
    derived end gives way to the edge of the day, so the manual setting is honoured.
    One aggregate query at most; none when both ends are set by hand.
    """
    problems = _day_problems(day_from, "day_from") + _day_problems(day_to, "day_to")
    if not problems and day_to < day_from:
        problems.append(Problem(gettext("The last day comes before the first."), field="day_to"))
    if problems:
        raise ValidationFailed(gettext("Choose the days to show."), problems)
    if location.grid_start is not None and location.grid_end is not None:
        return location.grid_start, location.grid_end
    earliest, latest = db.session.execute(
        select(func.min(Shift.start_time), func.max(Shift.end_time))
        .join(Calendar, Calendar.id == Shift.calendar_id)
        .where(Calendar.location_id == location.id, Calendar.active.is_(True),
               Shift.day >= day_from, Shift.day <= day_to)
    ).one()
    if earliest is None:
        earliest, latest = DEFAULT_GRID_HOURS
    start = location.grid_start if location.grid_start is not None else earliest
    end = location.grid_end if location.grid_end is not None else latest
    if start >= end:
        start, end = (start, time(23, 59)) if location.grid_start is not None else (time(0), end)
    return start, end


# --- helpers -----------------------------------------------------------------------

def _new_shift(calendar: Calendar, day: date, start: time, end: time, breaks: Breaks,
               *, pattern_id: str | None) -> Shift:
    return Shift(calendar=calendar, day=day, start_time=start, end_time=end, pattern_id=pattern_id,
                 breaks=[ShiftBreak(start_time=b0, end_time=b1) for b0, b1 in breaks or ()])


def _calendar_problems(calendar) -> list[Problem]:
    if not isinstance(calendar, Calendar) or calendar.id is None:
        return [Problem(gettext("Choose a saved calendar."), field="calendar")]
    return []


def _day_problems(day, name: str) -> list[Problem]:
    # datetime is a subclass of date; a shift's day is a calendar date, never an instant.
    if not isinstance(day, date) or isinstance(day, datetime):
        return [Problem(gettext("Give a date (year, month and day)."), field=name)]
    implausible = schedule_date_problem(day)
    return [Problem(implausible, field=name)] if implausible else []


def _times_problems(start, end, breaks) -> list[Problem]:
    """Type checks that check_shift assumes, then check_shift's own rules."""
    bounds = [("start", start), ("end", end)]
    problems = [
        Problem(gettext("Give a local time of day without a time zone, e.g. 08:30."), field=name)
        for name, value in bounds
        if value is not None and (not isinstance(value, time) or value.tzinfo is not None)
    ]
    pairs = []
    for pair in breaks or ():
        try:
            b0, b1 = pair
        except (TypeError, ValueError):
            problems.append(Problem(gettext("A break is a start and an end time."), field="breaks"))
            continue
        if not all(isinstance(t, time) and t.tzinfo is None for t in (b0, b1)):
            # check_shift quietly skips a break missing a time; here it is an error.
            problems.append(Problem(gettext("A break needs a start and an end time of day."), field="breaks"))
            continue
        pairs.append((b0, b1))
    if problems:
        return problems
    return [Problem(message, field=name) for name, message in shift_problems(start, end, pairs)]


def overlap_problems(*, calendar_id: int, day: date, start: time, end: time,
                     exclude_id: int | None = None) -> list[str]:
    """Why a shift at these times would overlap another shift of its calendar that day
    (two shifts a day are fine when they do not overlap); for the edges that edit shift
    rows directly (the setup screen and the REST resource)."""
    if start is None or end is None or calendar_id is None or day is None:
        return []
    return [gettext("It overlaps the shift %(start)s–%(end)s on %(day)s.", start=f"{c.start_time:%H:%M}",
                    end=f"{c.end_time:%H:%M}", day=day_medium(c.day))
            for c in _clashing_shifts([calendar_id], [day], start, end, exclude_id)]


def _clashing_shifts(calendar_ids: list[int], days: list[date], start: time, end: time,
                     exclude_id: int | None = None) -> list[Shift]:
    if not days:
        return []
    query = (
        select(Shift)
        .where(Shift.calendar_id.in_(calendar_ids), Shift.day.in_(days),
               Shift.start_time < end, Shift.end_time > start)
        .order_by(Shift.day, Shift.calendar_id, Shift.start_time)
    )
    if exclude_id is not None:
        query = query.where(Shift.id != exclude_id)
    return list(db.session.scalars(query).all())


def _clash_problem(calendar: Calendar, clash: Shift) -> Problem:
    return Problem(
        gettext("%(calendar)s already works %(start)s–%(end)s on %(day)s.", calendar=calendar.name,
                start=f"{clash.start_time:%H:%M}", end=f"{clash.end_time:%H:%M}", day=day_weekday(clash.day)),
        field="day",
        details={"calendar_id": calendar.id, "calendar": calendar.name, "day": clash.day.isoformat(),
                 "shift_id": clash.id},
    )


def _require_persistent(shift) -> None:
    if not isinstance(shift, Shift) or not inspect(shift).persistent:
        raise NotFound(gettext("That shift does not exist (it may have been removed)."),
                       [Problem(gettext("The shift was not found."), field="shift")])
