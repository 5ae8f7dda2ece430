"""What the grid shows, scoped to the user: calendars as resources with their working
hours, appointments as events, breaks and blocked time as background.

Each feed is a fixed handful of SQL statements, whatever the number of calendars or
appointments (tests/calendar/test_feeds.py counts them).
"""
from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.i18n.formatting import clock, day_and_clock, phone
from app.messaging.consent import describe as describe_messaging
from app.models import (
    Appointment,
    AppointmentStatus,
    Calendar,
    CalendarKind,
    Case,
    Client,
    Location,
    Occupancy,
    SessionType,
    Shift,
    TimeBlock,
)
from app.models.calendars import calendar_order
from app.scheduling.calendar_time import MAX_OCCUPANCY, block_overlaps
from app.security import bookable_calendar_ids, visible_calendar_ids
from app.timeutil import local_day_bounds, to_local, to_utc

# Each status's colour in the grid and its legend: white text on each reads at 4.5:1 or
# more (WCAG 1.4.3); the grid also writes the status in words and patterns some (grid.css).
STATUS_COLOURS = {
    AppointmentStatus.booked: "#1f6391", AppointmentStatus.confirmed: "#236b2a",
    AppointmentStatus.arrived: "#a04f00", AppointmentStatus.paid: "#6d4c41",
    AppointmentStatus.no_show: "#b3261e", AppointmentStatus.canceled: "#616161",
    AppointmentStatus.rebooked: "#5f6b73",
}


def _calendars(user, location: Location) -> list[Calendar]:
    calendars = db.session.scalars(
        select(Calendar).where(Calendar.location_id == location.id, Calendar.active.is_(True),
                               Calendar.id.in_(visible_calendar_ids(user)))
        .options(selectinload(Calendar.disciplines))
    ).all()
    return sorted(calendars, key=calendar_order)


def _shifts(calendar_ids: list[int], day_from: date, day_to: date) -> list[Shift]:
    if not calendar_ids:
        return []
    return list(db.session.scalars(
        select(Shift).where(Shift.calendar_id.in_(calendar_ids), Shift.day >= day_from, Shift.day <= day_to)
        .options(selectinload(Shift.breaks)).order_by(Shift.day, Shift.start_time)
    ))


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def _working_pieces(shift: Shift) -> list[tuple[time, time]]:
    """The shift's local hours minus its breaks, as FullCalendar business hours."""
    pieces, cursor = [], shift.start_time
    for brk in shift.breaks:
        if brk.start_time > cursor:
            pieces.append((cursor, brk.start_time))
        cursor = max(cursor, brk.end_time)
    if cursor < shift.end_time:
        pieces.append((cursor, shift.end_time))
    return pieces


def resources(*, user, location: Location, day_from: date, day_to: date, include_idle: bool = False) -> list[dict]:
    """The calendars of ``location`` the user may see: providers, rooms, equipment in their
    order, each with its working hours over the dates. Without ``include_idle`` only the
    calendars with a shift on one of the dates."""
    calendars = _calendars(user, location)
    shifts = _shifts([c.id for c in calendars], day_from, day_to)
    # Whether the user may change each column (book, block, add breaks): one statement.
    bookable = set(db.session.scalars(
        select(Calendar.id).where(Calendar.id.in_([c.id for c in calendars]),
                                  Calendar.id.in_(bookable_calendar_ids(user))))) if calendars else set()
    hours: dict[int, list[dict]] = {}
    for shift in shifts:
        # FullCalendar's days of week: 0 = Sunday.
        weekday = (shift.day.weekday() + 1) % 7
        hours.setdefault(shift.calendar_id, []).extend(
            {"daysOfWeek": [weekday], "startTime": _hm(s), "endTime": _hm(e)} for s, e in _working_pieces(shift)
        )
    return [{
        "id": str(c.id), "title": c.name, "kind": c.kind.value, "eventColor": c.colour,
        "order": index, "businessHours": hours.get(c.id, []),
        "disciplines": [d.id for d in c.disciplines], "bookable": c.id in bookable,
    } for index, c in enumerate(calendars) if include_idle or c.id in hours]


def events(*, user, location: Location, day_from: date, day_to: date) -> list[dict]:
    """Appointments on the user's visible calendars at ``location`` (one event per calendar
    they hold), plus breaks and blocked time as background events."""
    zone = ZoneInfo(location.timezone)
    start, end = local_day_bounds(day_from, zone)[0], local_day_bounds(day_to, zone)[1]
    calendars = _calendars(user, location)
    calendar_ids = [c.id for c in calendars]
    if not calendar_ids:
        return []
    rows = db.session.execute(
        select(Occupancy.calendar_id, Appointment.id, Appointment.version, Appointment.starts_at,
               Appointment.ends_at, Appointment.status, Appointment.booked_via, Appointment.notes,
               Appointment.series_id, Appointment.case_id, Case.title, Client.id, Client.first_name,
               Client.last_name, Client.alerts, SessionType.name, SessionType.id)
        .join(Appointment, Appointment.id == Occupancy.appointment_id)
        .join(Case, Case.id == Appointment.case_id).join(Client, Client.id == Case.client_id)
        .join(SessionType, SessionType.id == Appointment.session_type_id)
        # From the location's visible calendars' occupancies, bounded on both sides like
        # the engine's read, so the (calendar_id, starts_at) index stops at the window
        # instead of joining every clinic's whole history (bench/README.md, "growth").
        # An occupancy holds its appointment's time plus buffers, so it bounds it.
        .where(Occupancy.calendar_id.in_(calendar_ids), Occupancy.starts_at < end,
               Occupancy.starts_at > start - MAX_OCCUPANCY, Occupancy.ends_at > start,
               Appointment.starts_at < end, Appointment.ends_at > start)
        .order_by(Appointment.starts_at)
    ).all()
    result = [{
        "id": f"{appointment_id}-{calendar_id}", "groupId": str(appointment_id), "resourceId": str(calendar_id),
        "start": to_local(starts_at, zone).isoformat(), "end": to_local(ends_at, zone).isoformat(),
        "title": f"{first} {last} · {session_name}", "color": STATUS_COLOURS[status],
        "editable": status not in (AppointmentStatus.canceled, AppointmentStatus.rebooked),
        "classNames": [f"status-{status.value}"],
        "extendedProps": {
            "appointment_id": appointment_id, "version": version, "status": status.value,
            "booked_via": booked_via.value, "client_id": client_id, "client": f"{first} {last}",
            "case_id": case_id, "case": case_title, "session_type": session_name,
            "session_type_id": session_type_id, "series_id": series_id, "has_notes": bool(notes),
            "alerts": alerts or "",
        },
    } for (calendar_id, appointment_id, version, starts_at, ends_at, status, booked_via, notes, series_id,
           case_id, case_title, client_id, first, last, alerts, session_name, session_type_id) in rows]
    for shift in _shifts(calendar_ids, day_from, day_to):
        for brk in shift.breaks:
            result.append(_background(shift.calendar_id, shift.day, brk.start_time, brk.end_time, zone,
                                      brk.label or "Break", brk.id, shift.id, brk.label or ""))
    blocks = db.session.execute(
        select(TimeBlock.id, TimeBlock.calendar_id, TimeBlock.starts_at, TimeBlock.ends_at, TimeBlock.reason)
        .where(*block_overlaps(calendar_ids, start, end))
    ).all()
    for block_id, calendar_id, block_start, block_end, reason in blocks:
        result.append({"id": f"block-{block_id}", "resourceId": str(calendar_id), "display": "background",
                       "start": to_local(block_start, zone).isoformat(), "end": to_local(block_end, zone).isoformat(),
                       "title": reason, "classNames": ["blocked-time"], "color": "#b0bec5",
                       "extendedProps": {"kind": "block", "block_id": block_id, "reason": reason}})
    return result


def _background(calendar_id: int, day: date, start: time, end: time, zone: ZoneInfo, title: str,
                break_id: int, shift_id: int, label: str) -> dict:
    """A break as a background event; its ids let the grid change or remove it."""
    return {"id": f"break-{break_id}", "resourceId": str(calendar_id), "display": "background",
            "start": to_local(to_utc(day, start, zone), zone).isoformat(),
            "end": to_local(to_utc(day, end, zone), zone).isoformat(),
            "title": title, "classNames": ["break-time"], "color": "#cfd8dc",
            "extendedProps": {"kind": "break", "break_id": break_id, "shift_id": shift_id, "label": label}}


def status_counts(event_list: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    seen = set()
    for event in event_list:
        props = event.get("extendedProps")
        if not props or "appointment_id" not in props or props["appointment_id"] in seen:
            continue
        seen.add(props["appointment_id"])
        counts[props["status"]] = counts.get(props["status"], 0) + 1
    return counts



def appointment_panel(*, appointment: Appointment, user) -> dict:
    """What the front desk needs at a glance about one appointment: the client, the case
    and its authorised visits, the last and next visit, prior no-shows, the audit trail."""
    from app.models import AuditEvent
    from app.scheduling.rules import visits_used

    zone = ZoneInfo(appointment.location.timezone)
    case, client = appointment.case, appointment.case.client
    from app.security import appointment_scope

    # Only visits the user may see, each shown in its own location's clock.
    visits = (select(Appointment.starts_at, Location.timezone).join(Case, Case.id == Appointment.case_id)
              .join(Location, Location.id == Appointment.location_id)
              .where(Case.client_id == client.id, Appointment.id != appointment.id,
                     Appointment.id.in_(appointment_scope(user))))
    last = db.session.execute(visits.where(
        Appointment.starts_at < appointment.starts_at,
        Appointment.status.in_([AppointmentStatus.arrived, AppointmentStatus.paid]))
        .order_by(Appointment.starts_at.desc()).limit(1)).first()
    upcoming = db.session.execute(visits.where(
        Appointment.starts_at > appointment.starts_at,
        Appointment.status.in_([AppointmentStatus.booked, AppointmentStatus.confirmed]))
        .order_by(Appointment.starts_at).limit(1)).first()
    no_shows = db.session.scalar(
        select(db.func.count(Appointment.id)).join(Case, Case.id == Appointment.case_id)
        .where(Case.client_id == client.id, Appointment.status == AppointmentStatus.no_show,
               Appointment.id.in_(appointment_scope(user))))
    trail = db.session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.before, AuditEvent.after,
               db.Model.metadata.tables["ab_user"].c.username)
        .outerjoin(db.Model.metadata.tables["ab_user"], db.Model.metadata.tables["ab_user"].c.id == AuditEvent.actor_id)
        .where(AuditEvent.entity_type == "Appointment", AuditEvent.entity_id == appointment.id)
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    local = lambda instant: day_and_clock(to_local(instant, zone))  # noqa: E731  (the reader's language)
    return {
        "id": appointment.id, "version": appointment.version, "status": appointment.status.value,
        "when": f"{local(appointment.starts_at)}–{clock(to_local(appointment.ends_at, zone))}",
        "session_type": appointment.session_type.name, "session_type_id": appointment.session_type_id,
        "notes": appointment.notes or "", "start": to_local(appointment.starts_at, zone).isoformat(),
        "provider_calendar_id": next((o.calendar_id for o in appointment.occupancies
                                      if o.calendar.kind == CalendarKind.provider), None),
        "booked_via": appointment.booked_via.value, "series_id": appointment.series_id,
        "calendar_ids": [o.calendar_id for o in appointment.occupancies if o.active],
        "client": {"id": client.id, "name": client.full_name, "phone": phone(client.phone, appointment.location), "email": client.email or "",
                   "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else "",
                   "alerts": client.alerts or "", "no_shows": no_shows,
                   "online_booking_blocked": client.online_booking_blocked,
                   "messages": describe_messaging(client)},
        "case": {"id": case.id, "title": case.title, "payer": case.payer.name if case.payer else "Self-pay",
                 "claim_number": case.claim_number or "", "authorised_visits": case.authorised_visits,
                 "visits_used": visits_used(case) if case.authorised_visits is not None else None,
                 "authorisation_expires_on": case.authorisation_expires_on.isoformat()
                 if case.authorisation_expires_on else None},
        "last_visit": day_and_clock(to_local(last.starts_at, last.timezone)) if last else None,
        "next_visit": day_and_clock(to_local(upcoming.starts_at, upcoming.timezone)) if upcoming else None,
        "audit": [{"at": local(at), "action": action, "by": username or "system", "before": before, "after": after}
                  for at, action, before, after, username in trail],
    }


def free_extras(*, user, provider: Calendar, session_type: SessionType, start) -> list[dict]:
    """Per kind of resource the session needs (room, equipment): the suitable ones the
    user may book that are free for the session at ``start``, in calendar order. Four
    statements whatever the number of rooms (candidates, then their times)."""
    from app.scheduling import availability
    from app.scheduling import intervals as iv

    # The engine's own rules for which rooms fit a session (kept private there; see the
    # report asking for them to be public), so the list offered is what booking accepts.
    kinds = availability.resources_needed(session_type)
    if not kinds:
        return []
    end = start + timedelta(minutes=session_type.duration_minutes)
    candidates = sorted(db.session.scalars(
        select(Calendar).where(Calendar.location_id == provider.location_id, Calendar.kind.in_(kinds),
                               Calendar.active.is_(True), Calendar.id.in_(bookable_calendar_ids(user)))
        .options(selectinload(Calendar.disciplines), selectinload(Calendar.location))
    ).all(), key=calendar_order)
    suitable = {kind: availability.suitable_resources(session_type, provider, candidates, kind) for kind in kinds}
    everyone = [c for options in suitable.values() for c in options]
    times = availability.load_calendar_times(everyone, (start - timedelta(days=1), end + timedelta(days=1)))
    return [{"kind": kind.value, "options": [{"id": c.id, "name": c.name} for c in suitable[kind]
                                             if iv.covers(times[c.id].free(), start, end)]}
            for kind in kinds]
