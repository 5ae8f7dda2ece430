"""Recurring series: a pattern in the location's wall clock (e.g. 8 sessions, Tue/Thu
18:00), previewed date by date, then booked all at once or not at all.

Each occurrence is its own appointment carrying the series id; editing or canceling
takes a scope: this one, this and the following ones, or all of them.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import MO, WEEKLY, rrule
from sqlalchemy import select

from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.models import Appointment, AppointmentStatus, Calendar, Case, SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import availability, booking
from app.scheduling.each_date import EachDateOrNone
from app.scheduling.rules import check_case
from app.timeutil import to_local, to_utc

MAX_OCCURRENCES = 60
SCOPES = ("this", "following", "all")


@dataclass(frozen=True)
class Pattern:
    first_day: date
    weekdays: frozenset[int]  # 0 = Monday
    at: time                  # local wall-clock time, kept across DST changes
    every_weeks: int = 1
    count: int | None = None
    until: date | None = None

    def problems(self) -> list[Problem]:
        problems = []
        if not self.weekdays or not all(0 <= d <= 6 for d in self.weekdays):
            problems.append(Problem("Choose at least one weekday.", field="weekdays"))
        if self.every_weeks < 1 or self.every_weeks > 12:
            problems.append(Problem("Repeat every 1 to 12 weeks.", field="every_weeks"))
        if (self.count is None) == (self.until is None):
            problems.append(Problem("Give either a number of sessions or an end date.", field="count"))
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            problems.append(Problem(f"A series has 1 to {MAX_OCCURRENCES} sessions.", field="count"))
        if self.until is not None and self.until < self.first_day:
            problems.append(Problem("The end date is before the first date.", field="until"))
        return problems


def occurrence_days(pattern: Pattern) -> list[date]:
    """The dates of the series, in order (pure): a weekly rule (dateutil's ``rrule``)
    every ``every_weeks`` weeks counted from the first day's week (weeks start on Monday)."""
    if pattern.problems():
        raise ValidationFailed("The repeat pattern is not valid.", pattern.problems())
    until = datetime.combine(pattern.until, time()) if pattern.until is not None else None
    rule = rrule(WEEKLY, dtstart=datetime.combine(pattern.first_day, time()), interval=pattern.every_weeks,
                 byweekday=sorted(pattern.weekdays), wkst=MO, count=pattern.count, until=until)
    days = [moment.date() for moment in islice(rule, MAX_OCCURRENCES)]
    if pattern.count is None and len(days) == MAX_OCCURRENCES and days[-1] < pattern.until:
        raise ValidationFailed(
            f"Until {pattern.until:%d %b %Y} makes more than {MAX_OCCURRENCES} sessions; choose an earlier end.",
            [Problem("Too many sessions.", field="until")])
    return days


@dataclass
class Occurrence:
    day: date
    start: datetime
    problems: list[Problem] = field(default_factory=list)
    alternatives: list[availability.Slot] = field(default_factory=list)

    @property
    def free(self) -> bool:
        return not self.problems


def preview(*, case: Case, session_type: SessionType, calendar: Calendar, pattern: Pattern,
            now: datetime | None = None, alternatives: int = 3, step_minutes: int | None = None) -> list[Occurrence]:
    """Each date of the series with "free" or its reasons plus the nearest free
    alternatives (on the clinic's time step): the same day first (closest to the asked
    time), then the next days."""
    zone = ZoneInfo(calendar.location.timezone)
    step_minutes = step_minutes or slot_step_minutes()
    result = []
    for day in occurrence_days(pattern):
        start = to_utc(day, pattern.at, zone)
        end = start + timedelta(minutes=session_type.duration_minutes)
        resources = availability.pick_resources(session_type=session_type, provider=calendar, start=start, end=end)
        problems = check_case(case=case, session_type=session_type, start=start, zone=calendar.location.timezone,
                              online=False).problems
        problems += availability.check_booking(session_type=session_type, calendars=[calendar, *resources],
                                               start=start, now=now)
        occurrence = Occurrence(day, start, problems)
        if problems:
            occurrence.alternatives = nearest_free(session_type=session_type, calendar=calendar, wanted=start,
                                                   now=now, limit=alternatives, step_minutes=step_minutes)
        result.append(occurrence)
    return result


def nearest_free(*, session_type: SessionType, calendar: Calendar, wanted: datetime, now: datetime | None,
                 limit: int = 3, days_ahead: int = 7, step_minutes: int | None = None) -> list[availability.Slot]:
    """Free starts nearest to ``wanted``: that day's, closest first, then following days'."""
    zone = ZoneInfo(calendar.location.timezone)
    day = to_local(wanted, zone).date()
    slots = availability.find_slots(session_type=session_type, provider_calendars=[calendar], start_day=day,
                                    end_day=day + timedelta(days=days_ahead), now=now, any_provider=False,
                                    step_minutes=step_minutes or slot_step_minutes())
    same_day = sorted((s for s in slots if to_local(s.start, zone).date() == day),
                      key=lambda s: abs(s.start - wanted))
    later = [s for s in slots if to_local(s.start, zone).date() > day]
    return (same_day + later)[:limit]


def create(*, case: Case, session_type: SessionType, calendar: Calendar, pattern: Pattern, actor,
           skip_days: set[date] = frozenset(), now: datetime | None = None, notify: bool = True,
           notes: str | None = None, step_minutes: int | None = None) -> tuple[str, list[booking.Booking]]:
    """Book every date of the series (except ``skip_days``) or none: a date that cannot be
    booked refuses the whole series, naming each such date and why."""
    step_minutes = step_minutes or slot_step_minutes()
    series_id = str(uuid.uuid4())
    zone = ZoneInfo(calendar.location.timezone)
    bookings, dates = [], EachDateOrNone()
    for day in occurrence_days(pattern):
        if day in skip_days:
            continue
        with dates.attempt(day):
            bookings.append(booking.book(case=case, session_type=session_type, calendar=calendar,
                                         start=to_utc(day, pattern.at, zone), actor=actor, now=now,
                                         series_id=series_id, notify=notify, notes=notes,
                                         step_minutes=step_minutes))
    dates.refuse_if_any("Some dates of the series cannot be booked; nothing was booked.")
    if not bookings:
        raise ValidationFailed("Every date of the series was left out; nothing to book.")
    return series_id, bookings


def members(appointment: Appointment, scope: str) -> list[Appointment]:
    """The appointments of ``appointment``'s series that ``scope`` covers, still active."""
    if scope not in SCOPES:
        raise ValidationFailed(f"Scope must be one of {', '.join(SCOPES)}.", [Problem("Unknown scope.", field="scope")])
    if scope == "this" or appointment.series_id is None:
        return [appointment]
    query = select(Appointment).where(
        Appointment.series_id == appointment.series_id,
        Appointment.status.not_in([AppointmentStatus.canceled, AppointmentStatus.rebooked]),
    ).order_by(Appointment.starts_at)
    if scope == "following":
        query = query.where(Appointment.starts_at >= appointment.starts_at)
    return list(db.session.scalars(query))


def cancel(*, appointment: Appointment, scope: str, actor, reason: str | None = None, fee=None) -> list[Appointment]:
    """Cancel this one, or also the following / all occurrences still ahead (booked or
    confirmed); visits that took place are history and stay as they are."""
    chosen = [m for m in members(appointment, scope)
              if m is appointment or m.status in (AppointmentStatus.booked, AppointmentStatus.confirmed)]
    for member in chosen:
        booking.cancel(appointment=member, actor=actor, reason=reason, fee=fee)
    return chosen


def move_time(*, appointment: Appointment, scope: str, at: time, actor, calendar: Calendar | None = None,
              now: datetime | None = None) -> list[booking.Booking]:
    """Give each covered occurrence a new local time of day (each on its own date), all or
    nothing: every refusal is reported with its date."""
    results, dates = [], EachDateOrNone()
    for member in members(appointment, scope):
        zone = ZoneInfo(member.location.timezone)
        day = to_local(member.starts_at, zone).date()
        with dates.attempt(day):
            results.append(booking.move(appointment=member, actor=actor, start=to_utc(day, at, zone),
                                        calendar=calendar, now=now))
    dates.refuse_if_any("Some occurrences cannot move; nothing was changed.")
    return results
