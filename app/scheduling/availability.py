"""The one availability function (ARCHITECTURE §4.3).

Free time of a calendar = its shifts − their breaks − time blocks − active occupancies
(which already include their appointments' buffers), widened by the new booking's own
buffers. ``find_slots`` lists the starts that fit; ``check_booking`` decides one start.
Both read the same ``CalendarTime`` free lists, so what is offered is exactly what
booking accepts; the reasons ``check_booking`` gives are explanations on top.

Loading (``calendar_time.py``) is a constant handful of SQL statements whatever the
number of days or calendars; the rest is one pass over sorted intervals per calendar,
day by day so that ``limit`` can stop early (``day_walk.py``).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from app.errors import Problem
from app.extensions import db
from app.models import Calendar, CalendarKind, OverlapPolicy, SessionType
from app.models.calendars import calendar_order
from app.scheduling import intervals as iv
from app.scheduling.day_walk import FreeIndex, ProviderPlan, Slot, walk_days
from app.scheduling.overlap_text import holder_name, overlap_messages
# Loading lives in calendar_time.py; these names stay importable from here.
from app.scheduling.calendar_time import (  # noqa: F401
    MAX_BLOCK,
    MAX_OCCUPANCY,
    CalendarTime,
    block_overlaps,
    load_calendar_times,
    occupancy_interval,
    occupancy_overlaps,
)
from app.timeutil import local_day_bounds, to_local, utcnow

STAFF = "staff"
ONLINE = "online"
CHANNELS = (STAFF, ONLINE)


def _load_calendars(where) -> list[Calendar]:
    calendars = db.session.scalars(
        select(Calendar).where(where).options(joinedload(Calendar.location), selectinload(Calendar.disciplines))
    ).unique()
    return sorted(calendars, key=calendar_order)


def resources_needed(session_type: SessionType) -> list[CalendarKind]:
    kinds = []
    if session_type.needs_room:
        kinds.append(CalendarKind.room)
    if session_type.needs_equipment:
        kinds.append(CalendarKind.equipment)
    return kinds


def suitable_resources(session_type: SessionType, provider: Calendar, candidates: list[Calendar],
                        kind: CalendarKind) -> list[Calendar]:
    """Rooms (or equipment) a session can use with this provider: same location, active,
    accepting the discipline, and among the session type's listed ones when it lists any."""
    listed = {c.id for c in session_type.resources if c.kind == kind}
    return [
        c for c in candidates
        if c.kind == kind and c.active and c.location_id == provider.location_id
        and session_type.discipline_id in {d.id for d in c.disciplines}
        and (not listed or c.id in listed)
    ]


# --- rules that do not depend on time ---------------------------------------------------
def calendar_problems(session_type: SessionType, calendar: Calendar, channel: str) -> list[Problem]:
    problems = []
    if not calendar.active:
        problems.append(_problem(calendar, "inactive", f"{calendar.name} is not in use."))
    if session_type.discipline_id not in {d.id for d in calendar.disciplines}:
        problems.append(_problem(calendar, "discipline_not_accepted",
                                 f"{calendar.name} does not take {session_type.discipline.name} sessions."))
    if channel == ONLINE and not calendar.online_enabled:
        problems.append(_problem(calendar, "not_online", f"{calendar.name} does not take online bookings."))
    return problems


def session_problems(session_type: SessionType, channel: str, is_new_client: bool | None) -> list[Problem]:
    problems = []
    if not session_type.active:
        problems.append(Problem(f"{session_type.name} is no longer offered.", details={"reason": "session_inactive"}))
    if channel == ONLINE:
        if not session_type.online_bookable:
            problems.append(Problem(f"{session_type.name} cannot be booked online.",
                                    details={"reason": "session_not_online"}))
        if is_new_client is True and not session_type.for_new_clients:
            problems.append(Problem(f"{session_type.name} is for returning clients.",
                                    details={"reason": "not_for_new_clients"}))
        if is_new_client is False and not session_type.for_returning_clients:
            problems.append(Problem(f"{session_type.name} is for new clients.",
                                    details={"reason": "not_for_returning_clients"}))
    return problems


def _problem(calendar: Calendar, reason: str, message: str, **details) -> Problem:
    return Problem(message, details={"calendar_id": calendar.id, "reason": reason, **details})


def online_window(calendar: Calendar, now: datetime) -> tuple[datetime, datetime]:
    """The starts an online client may pick on this calendar: lead time to horizon."""
    return (now + timedelta(minutes=calendar.lead_time_minutes),
            now + timedelta(days=calendar.booking_horizon_days))


# --- listing -----------------------------------------------------------------------------
def find_slots(
    *, session_type: SessionType, provider_calendars: list[Calendar] | None = None,
    location_id: int | None = None, start_day: date, end_day: date, channel: str = STAFF,
    now: datetime | None = None, is_new_client: bool | None = None, step_minutes: int = 15,
    any_provider: bool = True, limit: int | None = None, ignore_appointment_ids=(),
) -> list[Slot]:
    """Bookable starts for ``session_type`` from ``start_day`` to ``end_day`` (inclusive,
    local dates), never before ``now``. With ``any_provider`` each start appears once with
    the first provider (in calendar order) and resources that would be used; otherwise
    once per provider that is free."""
    now = now or utcnow()
    if session_problems(session_type, channel, is_new_client):
        return []
    if provider_calendars is None:
        provider_calendars = _load_calendars(and_(Calendar.location_id == location_id,
                                                  Calendar.kind == CalendarKind.provider))
    providers = [c for c in provider_calendars
                 if c.kind == CalendarKind.provider and not calendar_problems(session_type, c, channel)]
    if not providers:
        return []
    kinds = resources_needed(session_type)
    locations = {p.location_id for p in providers}
    resources = _load_calendars(and_(Calendar.location_id.in_(locations), Calendar.kind.in_(kinds))) if kinds else []
    w0, w1 = _window(providers, start_day, end_day)
    # The same padding check_booking loads with: an occupancy (buffers included) just
    # before the first day still counts.
    times = load_calendar_times(providers + resources, (w0 - timedelta(days=1), w1 + timedelta(days=1)),
                                ignore_appointment_ids=ignore_appointment_ids)
    length = timedelta(minutes=session_type.duration_minutes)
    free = {cid: FreeIndex(ct.free()) for cid, ct in times.items()}
    plans = [ProviderPlan(provider, times[provider.id].zone, free[provider.id], length,
                           {kind: suitable_resources(session_type, provider, resources, kind) for kind in kinds})
             for provider in providers]
    for plan in plans:
        plan.earliest = max(local_day_bounds(start_day, plan.zone)[0], now)
        plan.latest = local_day_bounds(end_day, plan.zone)[1]
        if channel == ONLINE:
            lead, horizon = online_window(plan.provider, now)
            plan.earliest, plan.latest = max(plan.earliest, lead), min(plan.latest, horizon)

    return walk_days(plans, start_day, end_day, free, step_minutes=step_minutes, length=length,
                     any_provider=any_provider, limit=limit)


def _window(calendars: list[Calendar], start_day: date, end_day: date) -> tuple[datetime, datetime]:
    zones = {c.location.timezone for c in calendars}
    return (min(local_day_bounds(start_day, z)[0] for z in zones),
            max(local_day_bounds(end_day, z)[1] for z in zones))


# --- deciding one booking ---------------------------------------------------------------------
def check_booking(
    *, session_type: SessionType, calendars: list[Calendar], start: datetime, channel: str = STAFF,
    now: datetime | None = None, is_new_client: bool | None = None, allow_overlap: bool = False,
    ignore_appointment_ids=(), step_minutes: int = 15, length: timedelta | None = None,
) -> list[Problem]:
    """Every reason the booking of ``session_type`` at ``start`` holding ``calendars`` (the
    provider first, then rooms/equipment) cannot be made; empty when it can.

    The verdict per calendar is the same free-time computation ``find_slots`` uses;
    ``allow_overlap`` (staff only, calendars whose policy allows it) ignores other
    appointments on that calendar but still respects shifts, breaks and blocks."""
    now = now or utcnow()
    length = length or timedelta(minutes=session_type.duration_minutes)
    end = start + length
    problems = session_problems(session_type, channel, is_new_client)
    if any(occupancy_interval(c, start, end)[1] - occupancy_interval(c, start, end)[0] > MAX_OCCUPANCY
           for c in calendars):
        problems.append(Problem(f"An appointment holds a calendar for at most {MAX_OCCUPANCY.seconds // 3600} hours.",
                                details={"reason": "too_long"}))
    provider = calendars[0]
    if provider.kind != CalendarKind.provider:
        problems.append(_problem(provider, "not_a_provider", f"{provider.name} is not a provider's calendar."))
    seen: set[int] = set()
    for index, cal in enumerate(calendars):
        # Rooms and equipment are internal: only the provider's calendar takes online bookings.
        problems += calendar_problems(session_type, cal, channel if index == 0 else STAFF)
        if index and (cal.kind == CalendarKind.provider or cal.kind not in resources_needed(session_type)):
            problems.append(_problem(cal, "not_needed", f"{session_type.name} does not use {cal.name}."))
        if cal.id in seen:
            problems.append(_problem(cal, "duplicate", f"{cal.name} is listed twice."))
        seen.add(cal.id)
        if cal.location_id != provider.location_id:
            problems.append(_problem(cal, "wrong_location", f"{cal.name} is at another location."))
    for kind in resources_needed(session_type):
        if not any(c.kind == kind for c in calendars[1:]):
            problems.append(Problem(f"{session_type.name} needs a {kind.value}; none is free or chosen.",
                                    details={"reason": f"{kind.value}_required"}))
    if channel == ONLINE:
        lead, horizon = online_window(provider, now)
        if start < lead:
            problems.append(_problem(provider, "lead_time",
                                     f"Online bookings start at least {provider.lead_time_minutes} minutes ahead."))
        if start > horizon - length:
            problems.append(_problem(provider, "too_far_ahead",
                                     f"Online bookings go at most {provider.booking_horizon_days} days ahead."))
        local = to_local(start, ZoneInfo(provider.location.timezone))
        if (local.hour * 60 + local.minute) % step_minutes or local.second or local.microsecond:
            problems.append(_problem(provider, "off_grid", f"Online bookings start on the {step_minutes}-minute grid."))
        allow_overlap = False
    window = (start - timedelta(days=1), end + timedelta(days=1))
    times = load_calendar_times(calendars, window, ignore_appointment_ids=ignore_appointment_ids)
    for cal in calendars:
        ct = times[cal.id]
        may_overlap = allow_overlap and cal.overlap_policy == OverlapPolicy.staff_may_overlap
        if not iv.covers(ct.free(ignore_appointments=may_overlap), start, end):
            problems += _time_reasons(ct, start, end, ignore_appointments=may_overlap)
    return problems


def overlapping_appointments(ct: CalendarTime, start: datetime, end: datetime) -> list[int]:
    occ_start, occ_end = ct.occupancy_for(start, end)
    return [appointment_id for (s, e), appointment_id in ct.occupied if s < occ_end and occ_start < e]


def busy_elsewhere(ct: CalendarTime, start: datetime, end: datetime) -> list[Problem]:
    """The same person's bookings on their other calendars (another location's travel time
    included) that keep [start, end) on this calendar from them, on this calendar's clock: "Maya Chen is at
    Lisboa 10:00–11:00 EDT (30 min travel between locations)." """
    cal = ct.calendar
    occ_start, occ_end = ct.occupancy_for(start, end)
    reasons = []
    for other in ct.elsewhere:
        s, e = other.interval
        if not (s < occ_end and occ_start < e):
            continue
        # On the clock of the location being booked; named when the other location's differs.
        held_from, held_to = (to_local(t, ct.zone) for t in other.held)
        named = f" {held_from:%Z}" if ZoneInfo(other.timezone).key != ct.zone.key else ""
        person = holder_name(cal)
        travel = f" ({other.travel_minutes} min travel between locations)" if other.travel_minutes else ""
        reasons.append(_problem(cal, "busy_elsewhere", f"{person} is at {other.location_name} "
                                f"{held_from:%H:%M}–{held_to:%H:%M}{named}{travel}.",
                                appointment_id=other.appointment_id, other_calendar_id=other.calendar_id))
    return reasons


def _time_reasons(ct: CalendarTime, start: datetime, end: datetime, *, ignore_appointments: bool) -> list[Problem]:
    cal = ct.calendar
    local = to_local(start, ct.zone)
    when = f"{local:%a %d %b %H:%M}"
    reasons = []
    if not iv.covers(ct.shifts, start, end):
        reasons.append(_problem(cal, "outside_shift", f"{when} is outside {cal.name}'s shift."))
    for s, e in iv.overlapping(ct.breaks, start, end):
        reasons.append(_problem(cal, "in_break", f"{when} falls in {cal.name}'s break "
                                f"({to_local(s, ct.zone):%H:%M}–{to_local(e, ct.zone):%H:%M})."))
    occ_start, occ_end = ct.occupancy_for(start, end)
    for (s, e), reason in ct.blocks:
        if s < occ_end and occ_start < e:
            reasons.append(_problem(cal, "blocked", f"{cal.name} is blocked then ({reason})."))
    reasons += busy_elsewhere(ct, start, end)
    if not ignore_appointments:
        clashes = overlapping_appointments(ct, start, end)
        texts = overlap_messages(cal, clashes, ct.zone)  # who is already there, not an id (overlap_text.py)
        for appointment_id in clashes:
            reasons.append(_problem(cal, "overlaps_appointment", texts.get(appointment_id)
                                    or f"{when} overlaps another appointment on {cal.name}.",
                                    appointment_id=appointment_id))
    if not reasons:  # the verdict and the explanations come from the same data; be safe
        reasons.append(_problem(cal, "unavailable", f"{cal.name} is not free at {when}."))
    return reasons


def pick_resources(*, session_type: SessionType, provider: Calendar, start: datetime, end: datetime,
                   ignore_appointment_ids=()) -> list[Calendar]:
    """The first suitable free room / equipment (calendar order) for each kind the session
    needs, at [start, end) with ``provider``; kinds with none free are left out (the
    check then says which is missing)."""
    kinds = resources_needed(session_type)
    if not kinds:
        return []
    candidates = _load_calendars(and_(Calendar.location_id == provider.location_id, Calendar.kind.in_(kinds)))
    suitable = {kind: suitable_resources(session_type, provider, candidates, kind) for kind in kinds}
    everyone = [c for options in suitable.values() for c in options]
    times = load_calendar_times(everyone, (start - timedelta(days=1), end + timedelta(days=1)),
                                ignore_appointment_ids=ignore_appointment_ids)
    chosen = []
    for kind in kinds:
        for resource in suitable[kind]:
            if iv.covers(times[resource.id].free(), start, end):
                chosen.append(resource)
                break
    return chosen
