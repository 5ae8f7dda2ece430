"""Booking, moving, resizing, copying, reassigning, canceling and rebooking.

Every write follows one path (ARCHITECTURE §4.4): lock the calendars it touches, check
with the same rules the slot lists use (availability.check_booking) plus the case rules,
then write the appointment and its occupancies. Services flush; the caller commits. A
refusal raises Conflict carrying every reason. On PostgreSQL the exclusion constraint is
the backstop: its violation (and a deadlock) also comes back as Conflict, never a 500.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app import audit, events
from app.i18n import N_
from app.dialect import is_postgresql
from app.errors import Conflict, Problem, ValidationFailed
from app.plausible_dates import schedule_date_problem
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    Calendar,
    CalendarKind,
    Case,
    Occupancy,
    OverlapPolicy,
    SessionType,
)
from app.models.settings import slot_step_minutes
from app.scheduling import availability, lifecycle
from app.scheduling.availability import ONLINE, STAFF
from app.scheduling.locks import lock_calendars
from app.scheduling.rules import check_case
from app.timeutil import utcnow

EXCLUSION_VIOLATION = "23P01"
DEADLOCK = "40P01"
LOCK_TIMEOUT = "55P03"
SERIALIZATION = "40001"


@dataclass
class Booking:
    appointment: Appointment
    warnings: list[str] = field(default_factory=list)
    overlaps: list[int] = field(default_factory=list)  # appointments knowingly overlapped


def book(
    *, case: Case, session_type: SessionType, calendar: Calendar, start: datetime, actor: User | None,
    extra_calendars: list[Calendar] | None = None, channel: str = STAFF, allow_overlap: bool = False,
    notify: bool = True, notes: str | None = None, now: datetime | None = None,
    series_id: str | None = None, client_id: int | None = None, is_new_client: bool | None = None,
    step_minutes: int | None = None, length: timedelta | None = None, rebooked_from: Appointment | None = None,
) -> Booking:
    """Book ``session_type`` for ``case`` at ``start`` on ``calendar`` (a provider's),
    with ``extra_calendars`` or else the first suitable free room/equipment it needs."""
    length = length or timedelta(minutes=session_type.duration_minutes)
    calendars = _calendars_for(session_type, calendar, extra_calendars, start, start + length, ())
    placed = _checked(
        case=case, session_type=session_type, calendars=calendars, start=start, length=length,
        channel=channel, allow_overlap=allow_overlap, now=now, client_id=client_id,
        is_new_client=is_new_client, step_minutes=step_minutes, ignore=(),
    )
    appointment = Appointment(
        case=case, session_type=session_type, location_id=calendar.location_id, starts_at=start,
        ends_at=start + length, status=AppointmentStatus.booked,
        booked_via=BookedVia.online if channel == ONLINE else BookedVia.staff,
        notify=notify, notes=notes, series_id=series_id, created_by=actor, rebooked_from=rebooked_from,
    )
    db.session.add(appointment)
    _hold(appointment, placed)
    _flush()
    if placed.overlaps:
        audit.record(db.session, entity=appointment, action="booked_overlapping",
                     after={"overlaps": placed.overlaps}, actor_id=_id(actor))
    events.appointment_booked.send(appointment, actor=actor)
    return Booking(appointment, placed.warnings, placed.overlaps)


def move(
    *, appointment: Appointment, actor: User | None, start: datetime | None = None,
    calendar: Calendar | None = None, extra_calendars: list[Calendar] | None = None,
    length: timedelta | None = None, expected_version: int | None = None, allow_overlap: bool = False,
    now: datetime | None = None, channel: str = STAFF, step_minutes: int | None = None,
) -> Booking:
    """Move (time and/or provider calendar), resize (``length``) or reassign resources.
    ``channel`` ONLINE applies the online rules (a patient rescheduling from their link).
    Rooms/equipment stay when still free at the new time, else the first suitable free
    one is taken. A stale ``expected_version`` (someone changed it meanwhile) is refused."""
    ensure_current(appointment, expected_version)
    _ensure_movable(appointment)
    current_provider, current_resources = _split(appointment)
    provider = calendar or current_provider
    start = start or appointment.starts_at
    length = (appointment.ends_at - appointment.starts_at) if length is None else length
    if length <= timedelta(0):
        raise ValidationFailed("An appointment must end after it starts.")
    if extra_calendars is None and provider.location_id == current_provider.location_id:
        extra_calendars = _still_free(appointment, current_resources, start, start + length)
    calendars = _calendars_for(appointment.session_type, provider, extra_calendars, start, start + length,
                               (appointment.id,), lock_also=[c.id for c in appointment_calendars(appointment)])
    _relock(appointment, expected_version)
    placed = _checked(
        case=appointment.case, session_type=appointment.session_type, calendars=calendars, start=start,
        length=length, channel=channel, allow_overlap=allow_overlap, now=now, client_id=None,
        is_new_client=None, step_minutes=step_minutes, ignore=(appointment.id,), counts_new_visit=False,
    )
    before = _where(appointment)
    audit.named_change(db.session, appointment)  # one "moved" row, not also "updated"
    held_before = {"starts_at": appointment.starts_at, "ends_at": appointment.ends_at,
                   "calendar_ids": sorted(o.calendar_id for o in appointment.occupancies)}
    appointment.starts_at, appointment.ends_at = start, start + length
    appointment.updated_at = utcnow()  # always an UPDATE, so the version check applies
    appointment.location_id = provider.location_id
    for occupancy in list(appointment.occupancies):
        appointment.occupancies.remove(occupancy)
    db.session.flush()  # delete the old time first: the exclusion constraint checks each row
    _hold(appointment, placed)
    _flush()
    audit.record(db.session, entity=appointment, action="moved", before=before, after=_where(appointment),
                 actor_id=_id(actor))
    if placed.overlaps:
        audit.record(db.session, entity=appointment, action="moved_overlapping",
                     after={"overlaps": placed.overlaps}, actor_id=_id(actor))
    events.appointment_moved.send(appointment, actor=actor, before=held_before)
    return Booking(appointment, placed.warnings, placed.overlaps)


def copy(*, appointment: Appointment, start: datetime, actor: User | None, calendar: Calendar | None = None,
         allow_overlap: bool = False, now: datetime | None = None) -> Booking:
    """A new appointment for the same case and session at another time or calendar."""
    provider, resources = _split(appointment)
    target = calendar or provider
    return book(case=appointment.case, session_type=appointment.session_type, calendar=target, start=start,
                actor=actor, allow_overlap=allow_overlap, notify=appointment.notify, notes=appointment.notes,
                now=now, length=appointment.ends_at - appointment.starts_at,
                extra_calendars=None if target.location_id != provider.location_id else
                _still_free(None, resources, start, start + (appointment.ends_at - appointment.starts_at)))


def cancel(*, appointment: Appointment, actor: User | None, reason: str | None = None,
           expected_version: int | None = None, fee=None, now: datetime | None = None) -> Appointment:
    """Cancel; a late cancel gets the policy's fee unless ``fee`` (a FeeDecision) says otherwise."""
    ensure_current(appointment, expected_version)
    lock_calendars(c.id for c in appointment_calendars(appointment))
    _relock(appointment, expected_version)
    lifecycle.change_status(appointment, AppointmentStatus.canceled, actor=actor, note=reason, fee=fee, now=now)
    return appointment


def rebook(*, appointment: Appointment, start: datetime, actor: User | None, calendar: Calendar | None = None,
           expected_version: int | None = None, allow_overlap: bool = False, now: datetime | None = None,
           channel: str = STAFF, step_minutes: int | None = None) -> Booking:
    """A new appointment replacing this one; this one becomes Rebooked and the new one
    points back to it. Its time is released first, so the new time may overlap it."""
    ensure_current(appointment, expected_version)
    _ensure_movable(appointment)
    provider, resources = _split(appointment)
    target = calendar or provider
    # One lock for the old time and the new provider, so two crossing rebooks queue
    # instead of deadlocking (resources are locked by id order in book()).
    lock_calendars([*(c.id for c in appointment_calendars(appointment)), target.id])
    _relock(appointment, expected_version)
    _ensure_movable(appointment)
    lifecycle.change_status(appointment, AppointmentStatus.rebooked, actor=actor)
    db.session.flush()
    length = appointment.ends_at - appointment.starts_at
    booking = book(case=appointment.case, session_type=appointment.session_type, calendar=target, start=start,
                   actor=actor, allow_overlap=allow_overlap, notify=appointment.notify, notes=appointment.notes,
                   now=now, length=length, series_id=appointment.series_id, rebooked_from=appointment, channel=channel,
                   step_minutes=step_minutes,
                   extra_calendars=_still_free(None, resources, start, start + length)
                   if target.location_id == provider.location_id else None)
    return booking


# --- shared steps ------------------------------------------------------------------------------
@dataclass
class _Placed:
    calendars: list[Calendar]
    exclusive: dict[int, bool]
    overlaps: list[int]
    warnings: list[str]
    start: datetime
    length: timedelta


def appointment_calendars(appointment: Appointment) -> list[Calendar]:
    return [o.calendar for o in appointment.occupancies]


def _split(appointment: Appointment) -> tuple[Calendar, list[Calendar]]:
    calendars = sorted(appointment_calendars(appointment), key=lambda c: c.kind != CalendarKind.provider)
    if not calendars:
        raise Conflict(f"Appointment {appointment.id} holds no calendar time.")
    return calendars[0], calendars[1:]


def _calendars_for(session_type, provider, extra, start, end, ignore, lock_also=()) -> list[Calendar]:
    """Lock first, then choose resources, so the choice is made on settled data."""
    if provider.kind != CalendarKind.provider:
        raise ValidationFailed(f"{provider.name} is not a provider's calendar; book into a provider's column.")
    if extra is None:
        candidates = availability.pick_resources(session_type=session_type, provider=provider, start=start,
                                                 end=end, ignore_appointment_ids=ignore)
        lock_calendars([provider.id, *(c.id for c in candidates), *lock_also])
        extra = availability.pick_resources(session_type=session_type, provider=provider, start=start,
                                            end=end, ignore_appointment_ids=ignore)
    else:
        lock_calendars([provider.id, *(c.id for c in extra), *lock_also])
    return [provider, *extra]


def _still_free(appointment, resources, start, end) -> list[Calendar] | None:
    """Keep the current rooms/equipment when they are free at the new time; else None
    (pick again)."""
    if not resources:
        return None if appointment is None else []
    times = availability.load_calendar_times(
        resources, (start - timedelta(days=1), end + timedelta(days=1)),
        ignore_appointment_ids=(appointment.id,) if appointment is not None else (),
    )
    from app.scheduling import intervals as iv

    return resources if all(iv.covers(times[r.id].free(), start, end) for r in resources) else None


def _checked(*, case, session_type, calendars, start, length, channel, allow_overlap, now, client_id,
             is_new_client, step_minutes, ignore, counts_new_visit: bool = True) -> _Placed:
    implausible = schedule_date_problem(start.date(), what=N_("The appointment's date"))
    if implausible:
        raise ValidationFailed(implausible, [Problem(implausible, field="start")])
    if step_minutes is None and channel == ONLINE:  # only online starts keep to the grid
        step_minutes = slot_step_minutes()  # the clinic's one slot step
    problems = availability.check_booking(
        session_type=session_type, calendars=calendars, start=start, channel=channel, now=now,
        is_new_client=is_new_client, allow_overlap=allow_overlap, ignore_appointment_ids=ignore,
        length=length, **({"step_minutes": step_minutes} if step_minutes else {}),
    )
    case_check = check_case(case=case, session_type=session_type, start=start,
                            zone=calendars[0].location.timezone, online=channel == ONLINE,
                            client_id=client_id, ignore_appointment_ids=ignore,
                            new_visits=1 if counts_new_visit else 0)
    problems = case_check.problems + problems
    if problems:
        raise Conflict(_summary(problems), problems)
    exclusive, overlaps = {}, []
    if allow_overlap and channel == STAFF:
        times = availability.load_calendar_times(calendars, (start - timedelta(days=1), start + length + timedelta(days=1)),
                                                 ignore_appointment_ids=ignore)
        for cal in calendars:
            clashes = availability.overlapping_appointments(times[cal.id], start, start + length)
            if clashes and cal.overlap_policy == OverlapPolicy.staff_may_overlap:
                exclusive[cal.id] = False
                overlaps += clashes
    return _Placed(calendars, exclusive, sorted(set(overlaps)), case_check.warnings, start, length)


def _hold(appointment: Appointment, placed: _Placed) -> None:
    for cal in placed.calendars:
        occ_start, occ_end = availability.occupancy_interval(cal, placed.start, placed.start + placed.length)
        appointment.occupancies.append(Occupancy(
            calendar=cal, starts_at=occ_start, ends_at=occ_end,
            exclusive=placed.exclusive.get(cal.id, True), active=True,
        ))


def is_concurrency_error(exc: Exception) -> bool:
    """A database refusal caused by another transaction at the same moment (exclusion
    constraint, deadlock, lock timeout, serialization, a stale version)."""
    if isinstance(exc, StaleDataError):
        return True
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in (
        EXCLUSION_VIOLATION, DEADLOCK, LOCK_TIMEOUT, SERIALIZATION)


def _flush() -> None:
    try:
        db.session.flush()
    except DBAPIError as exc:
        if is_concurrency_error(exc):
            # The edge's unit_of_work rolls the transaction back.
            raise Conflict("That time was taken by another booking a moment ago. Please pick another.",
                           [Problem("The calendar was booked concurrently.", details={"reason": "taken_concurrently"})]) from exc
        raise


def _relock(appointment: Appointment, expected_version: int | None) -> None:
    """Re-read the appointment under a row lock once its calendars are locked: what was
    loaded before may have been changed (canceled, moved) by a transaction we waited for;
    then every decision made on the old copy is void, so refuse rather than guess."""
    seen = appointment.version
    if is_postgresql():  # SQLite: the one writer already holds the database, nothing changed it
        db.session.execute(select(Appointment.id).where(Appointment.id == appointment.id).with_for_update())
        db.session.refresh(appointment)
    ensure_current(appointment, expected_version if expected_version is not None else seen)
    _ensure_movable(appointment)


def ensure_current(appointment: Appointment, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != appointment.version:
        raise Conflict(
            "Someone else changed this appointment a moment ago; reload to see their change before editing it.",
            [Problem("The appointment changed meanwhile.", details={"reason": "stale", "version": appointment.version})],
        )


def _ensure_movable(appointment: Appointment) -> None:
    if appointment.status in (AppointmentStatus.canceled, AppointmentStatus.rebooked):
        raise Conflict(f"A {appointment.status.value} appointment cannot be changed; book a new one.",
                       [Problem("Final status.", details={"reason": "final_status"})])


def _where(appointment: Appointment) -> dict:
    return {"starts_at": appointment.starts_at.isoformat(), "ends_at": appointment.ends_at.isoformat(),
            "calendar_ids": sorted(o.calendar_id for o in appointment.occupancies)}


def _summary(problems: list[Problem]) -> str:
    return problems[0].message if len(problems) == 1 else f"{problems[0].message} (and {len(problems) - 1} more)"


def _id(user) -> int | None:
    return getattr(user, "id", None)


__all__ = ["Booking", "book", "cancel", "copy", "move", "rebook", "utcnow"]
