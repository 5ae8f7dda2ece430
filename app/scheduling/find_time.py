"""Finding time ahead (issue 14, item 5), no HTTP: the first openings over the coming days
and weeks, and the next visit of an appointment ("book next").

Both ask the one availability function (``availability.find_slots`` / ``check_booking``),
so what is offered here is what booking accepts, one person across locations included.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.errors import Conflict, Problem
from app.models import Appointment, Calendar, CalendarKind, SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import availability, series
from app.scheduling.rules import check_case
from app.timeutil import to_local, to_utc

MAX_WEEKS = 8
MAX_OPENINGS = 50


def first_openings(*, session_type: SessionType, calendars: list[Calendar], from_day: date, limit: int = 10,
                   weeks: int = 4, now: datetime | None = None, step_minutes: int | None = None) -> list[availability.Slot]:
    """The first ``limit`` starts from ``from_day`` on, looking ahead up to ``weeks`` weeks
    a week at a time (so a near opening reads one week, not all of them). Each start once,
    with the first free provider in calendar order among ``calendars`` (one provider's
    calendar, or every provider of a location: "any provider of this discipline", since
    providers who do not take the session's discipline are left out by the engine)."""
    limit = max(1, min(limit, MAX_OPENINGS))
    weeks = max(1, min(weeks, MAX_WEEKS))
    step_minutes = step_minutes or slot_step_minutes()  # the clinic's one slot step
    found: list[availability.Slot] = []
    last_day = from_day + timedelta(weeks=weeks) - timedelta(days=1)
    day = from_day
    while day <= last_day and len(found) < limit:
        end = min(day + timedelta(days=6), last_day)
        found += availability.find_slots(session_type=session_type, provider_calendars=calendars, start_day=day,
                                         end_day=end, now=now, step_minutes=step_minutes, any_provider=True,
                                         limit=limit - len(found))
        day = end + timedelta(days=1)
    return found[:limit]


@dataclass
class NextVisit:
    """The same session with the same provider a week (``every_days``) after the
    appointment, at the same local time; free, or why not and the nearest openings."""
    start: datetime
    end: datetime
    calendar: Calendar
    session_type: SessionType
    problems: list[Problem] = field(default_factory=list)
    alternatives: list[availability.Slot] = field(default_factory=list)

    @property
    def free(self) -> bool:
        return not self.problems


def next_visit(*, appointment: Appointment, now: datetime | None = None, every_days: int = 7,
               alternatives: int = 5, step_minutes: int | None = None) -> NextVisit:
    """Where "book next" would put the next visit. The wall-clock time is kept across a DST
    change (10:00 stays 10:00), and the nearest free starts are offered when it is taken:
    that day's closest first, then the following days'."""
    step_minutes = step_minutes or slot_step_minutes()  # the clinic's one slot step
    provider = next((o.calendar for o in appointment.occupancies if o.calendar.kind == CalendarKind.provider), None)
    if provider is None:
        raise Conflict(f"Appointment {appointment.id} holds no provider's calendar.")
    zone = ZoneInfo(provider.location.timezone)
    local = to_local(appointment.starts_at, zone)
    start = to_utc(local.date() + timedelta(days=every_days), local.time().replace(tzinfo=None), zone)
    length = appointment.ends_at - appointment.starts_at
    session_type = appointment.session_type
    resources = availability.pick_resources(session_type=session_type, provider=provider, start=start,
                                            end=start + length)
    problems = check_case(case=appointment.case, session_type=session_type, start=start, zone=zone.key,
                          online=False).problems
    problems += availability.check_booking(session_type=session_type, calendars=[provider, *resources],
                                           start=start, now=now, length=length, step_minutes=step_minutes)
    result = NextVisit(start, start + length, provider, session_type, problems)
    if problems:
        result.alternatives = series.nearest_free(session_type=session_type, calendar=provider, wanted=start,
                                                  now=now, limit=alternatives, step_minutes=step_minutes)
    return result
