"""The provider's day: their visits today at one location, in order, with what they need
before each one, and their marks of a visit started and completed.

Started and completed are the provider's own marks (``VisitProgress``), beside the status
machine rather than in it: Arrived stays the front desk's (and billing's) fact that the
client is here; a visit can only be started once it is Arrived (or already Paid), and
only completed once started. Neither changes the appointment's status.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import ngettext

from sqlalchemy import func, select

from app import audit
from app.clinical import plans
from app.clinical.notes import ATTENDED, member_of, treating_provider_id
from app.clinical.templates import summary
from app.errors import Conflict, Forbidden
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    Calendar,
    CalendarKind,
    Case,
    Client,
    Location,
    Note,
    Occupancy,
    SessionType,
    TeamMember,
    VisitProgress,
)
from app.security import appointment_scope, note_scope
from app.timeutil import local_day_bounds, to_local, utcnow

NOT_VISITS = (AppointmentStatus.canceled, AppointmentStatus.rebooked)
# Other areas add alerts to the day's visits (intake forms: "intake not completed") by
# registering a function ``(visits: list[DayVisit]) -> dict[appointment_id, list[str]]``;
# it should answer in a fixed number of statements for all the visits at once.
VISIT_ALERTS: list[Callable[[list["DayVisit"]], dict[int, list[str]]]] = []


@dataclass
class DayVisit:
    appointment_id: int
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    client_id: int
    client_name: str
    client_alerts: str | None
    case_id: int
    case_title: str
    session: str
    session_number: int = 0
    note_id: int | None = None
    note_signed: bool = False
    started_at: datetime | None = None
    completed_at: datetime | None = None
    last_note: str = ""
    last_note_id: int | None = None
    alerts: list[str] = field(default_factory=list)


@dataclass
class ProviderDay:
    member: TeamMember
    location: Location
    day: date
    visits: list[DayVisit]
    unsigned: list[dict]
    locations: list[Location]


def provider_locations(member: TeamMember) -> list[Location]:
    return list(db.session.scalars(
        select(Location).where(Location.id.in_(select(Calendar.location_id).where(
            Calendar.team_member_id == member.id, Calendar.kind == CalendarKind.provider)))
        .order_by(Location.name)))


def provider_day(*, user, member: TeamMember, location: Location, day: date) -> ProviderDay:
    """The member's visits on ``day`` (the location's wall clock) on their own provider
    calendars, with alerts and the case's last note: a fixed number of statements."""
    start, end = local_day_bounds(day, location.timezone)
    own = select(Calendar.id).where(Calendar.team_member_id == member.id, Calendar.kind == CalendarKind.provider,
                                    Calendar.location_id == location.id)
    rows = db.session.execute(
        select(Appointment.id, Appointment.starts_at, Appointment.ends_at, Appointment.status, Client.id,
               Client.first_name, Client.last_name, Client.alerts, Case.id, Case.title, SessionType.name)
        .join(Case, Case.id == Appointment.case_id).join(Client, Client.id == Case.client_id)
        .join(SessionType, SessionType.id == Appointment.session_type_id)
        .where(Appointment.location_id == location.id, Appointment.starts_at >= start, Appointment.starts_at < end,
               Appointment.status.notin_(NOT_VISITS),
               Appointment.id.in_(select(Occupancy.appointment_id).where(Occupancy.calendar_id.in_(own))),
               Appointment.id.in_(appointment_scope(user)))
        .order_by(Appointment.starts_at, Appointment.id)).all()
    visits = [DayVisit(r[0], r[1], r[2], r[3], r[4], f"{r[5]} {r[6]}", r[7], r[8], r[9], r[10]) for r in rows]
    _add_notes_and_progress(visits)
    _add_history(user, visits, before=start, day=day)
    for provider in VISIT_ALERTS:
        extra = provider(visits)
        for visit in visits:
            visit.alerts.extend(extra.get(visit.appointment_id, ()))
    return ProviderDay(member, location, day, visits, unsigned_notes(member, before=start),
                       provider_locations(member))


def _add_notes_and_progress(visits: list[DayVisit]) -> None:
    ids = [v.appointment_id for v in visits]
    if not ids:
        return
    notes = {a: (n, s) for n, a, s in db.session.execute(
        select(Note.id, Note.appointment_id, Note.signed_at).where(Note.appointment_id.in_(ids)))}
    progress = {p.appointment_id: p for p in db.session.scalars(
        select(VisitProgress).where(VisitProgress.appointment_id.in_(ids)))}
    for visit in visits:
        if visit.appointment_id in notes:
            visit.note_id, signed_at = notes[visit.appointment_id]
            visit.note_signed = signed_at is not None
        if visit.appointment_id in progress:
            visit.started_at = progress[visit.appointment_id].started_at
            visit.completed_at = progress[visit.appointment_id].completed_at


def _add_history(user, visits: list[DayVisit], *, before: datetime, day: date) -> None:
    """No-shows per client, session numbers, case alerts and each case's last note."""
    if not visits:
        return
    client_ids = sorted({v.client_id for v in visits})
    case_ids = sorted({v.case_id for v in visits})
    no_shows = dict(db.session.execute(
        select(Case.client_id, func.count(Appointment.id)).join(Case, Case.id == Appointment.case_id)
        .where(Case.client_id.in_(client_ids), Appointment.status == AppointmentStatus.no_show)
        .group_by(Case.client_id)).all())
    attended = dict(db.session.execute(
        select(Appointment.case_id, func.count(Appointment.id))
        .where(Appointment.case_id.in_(case_ids), Appointment.status.in_(ATTENDED), Appointment.starts_at < before)
        .group_by(Appointment.case_id)).all())
    alerts = plans.case_alerts(case_ids, today=day)
    latest = (select(Note.id, Note.case_id, Note.sections, Note.content, Appointment.starts_at,
                     func.row_number().over(partition_by=Note.case_id, order_by=Appointment.starts_at.desc()).label("n"))
              .join(Appointment, Appointment.id == Note.appointment_id)
              .where(Note.case_id.in_(case_ids), Appointment.starts_at < before,
                     Note.id.in_(note_scope(user))).subquery())
    last = {row.case_id: row for row in db.session.execute(select(latest).where(latest.c.n == 1))}
    for visit in visits:
        visit.session_number = attended.get(visit.case_id, 0) + 1
        count = no_shows.get(visit.client_id, 0)
        if count:
            visit.alerts.append(ngettext("%(num)s no-show", "%(num)s no-shows", count))
        if visit.case_id in alerts:
            visit.alerts.extend(alerts[visit.case_id].messages)
        if visit.case_id in last:
            row = last[visit.case_id]
            visit.last_note_id = row.id
            visit.last_note = summary(row.sections, row.content or {})


MISSING_NOTE_DAYS = 14


def unsigned_notes(member: TeamMember, *, before: datetime) -> list[dict]:
    """What the member still owes from visits before today: their unsigned drafts (until
    signed), and attended visits of the last two weeks on their calendars with no note."""
    drafts = db.session.execute(
        select(Note.id, Appointment.id, Appointment.starts_at, Location.timezone, Client.first_name, Client.last_name)
        .join(Appointment, Appointment.id == Note.appointment_id).join(Location, Location.id == Appointment.location_id)
        .join(Case, Case.id == Note.case_id).join(Client, Client.id == Case.client_id)
        .where(Note.author_id == member.id, Note.signed_at.is_(None), Appointment.starts_at < before)).all()
    own = select(Calendar.id).where(Calendar.team_member_id == member.id, Calendar.kind == CalendarKind.provider)
    missing = db.session.execute(
        select(Appointment.id, Appointment.starts_at, Location.timezone, Client.first_name, Client.last_name)
        .join(Location, Location.id == Appointment.location_id)
        .join(Case, Case.id == Appointment.case_id).join(Client, Client.id == Case.client_id)
        .outerjoin(Note, Note.appointment_id == Appointment.id)
        .where(Note.id.is_(None), Appointment.status.in_(ATTENDED),
               Appointment.starts_at >= before - timedelta(days=MISSING_NOTE_DAYS), Appointment.starts_at < before,
               Appointment.id.in_(select(Occupancy.appointment_id).where(Occupancy.calendar_id.in_(own))))).all()
    owed = [{"note_id": n, "appointment_id": a, "when": to_local(s, tz), "client": f"{f} {l}"}
            for n, a, s, tz, f, l in drafts]
    owed += [{"note_id": None, "appointment_id": a, "when": to_local(s, tz), "client": f"{f} {l}"}
             for a, s, tz, f, l in missing]
    return sorted(owed, key=lambda entry: entry["when"])


# --- started / completed --------------------------------------------------------------
def _progress_for(appointment: Appointment, actor) -> tuple[VisitProgress, TeamMember]:
    member = member_of(actor)
    if member is None or treating_provider_id(appointment) != member.id:
        raise Forbidden("Only the visit's treating provider marks it started or completed.")
    progress = db.session.get(VisitProgress, appointment.id) or VisitProgress(appointment_id=appointment.id)
    db.session.add(progress)
    return progress, member


def start_visit(*, appointment: Appointment, actor) -> VisitProgress:
    """Mark the visit started: the client must have arrived (the front desk's Arrived)."""
    progress, member = _progress_for(appointment, actor)
    if appointment.status not in ATTENDED:
        raise Conflict("Mark the client arrived first: a visit starts once they are here.")
    if progress.started_at is None:
        progress.started_at, progress.started_by_id = utcnow(), member.id
    db.session.flush()
    return progress


def complete_visit(*, appointment: Appointment, actor) -> VisitProgress:
    progress, member = _progress_for(appointment, actor)
    if progress.started_at is None:
        raise Conflict("Start the visit before completing it.")
    if progress.completed_at is None:
        progress.completed_at, progress.completed_by_id = utcnow(), member.id
    db.session.flush()
    return progress


def undo_progress(*, appointment: Appointment, actor) -> None:
    """Take back a started/completed mark made by mistake (audited like any change)."""
    progress, _ = _progress_for(appointment, actor)
    progress.started_at = progress.started_by_id = progress.completed_at = progress.completed_by_id = None
    db.session.flush()
    audit.record(db.session, entity=appointment, action="visit_progress_undone")


