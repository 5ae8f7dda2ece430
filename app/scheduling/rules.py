"""Rules about who is booked, beside the time rules of availability.py: the case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.errors import Problem
from app.extensions import db
from app.models import Appointment, AppointmentStatus, Case, SessionType

# Statuses that use up one of a case's authorised visits.
COUNTED = (AppointmentStatus.booked, AppointmentStatus.confirmed, AppointmentStatus.arrived,
           AppointmentStatus.paid)


@dataclass
class CaseCheck:
    problems: list[Problem]  # refuse the booking
    warnings: list[str]      # staff see these and may go ahead


def visits_used(case: Case, *, ignore_appointment_ids=()) -> int:
    query = select(func.count(Appointment.id)).where(
        Appointment.case_id == case.id, Appointment.status.in_(COUNTED)
    )
    if ignore_appointment_ids:
        query = query.where(Appointment.id.not_in(list(ignore_appointment_ids)))
    return db.session.scalar(query)


def check_case(*, case: Case, session_type: SessionType, start: datetime, zone: str, online: bool,
               client_id: int | None = None, ignore_appointment_ids=(), new_visits: int = 1) -> CaseCheck:
    """The case must be the client's, open, and of the session's discipline. Authorised
    visits and their expiry warn staff (with the count) and refuse online bookings."""
    problems: list[Problem] = []
    warnings: list[str] = []
    if client_id is not None and case.client_id != client_id:
        problems.append(Problem("This case belongs to another client.", details={"reason": "case_not_clients"}))
    day = start.astimezone(ZoneInfo(zone)).date()
    if not case.is_open_on(day):
        problems.append(Problem(f"The case “{case.title}” was closed on {case.closed_on:%d %b %Y}.",
                                details={"reason": "case_closed"}))
    if case.discipline_id != session_type.discipline_id:
        problems.append(Problem(
            f"{session_type.name} is {session_type.discipline.name}; the case “{case.title}” is {case.discipline.name}.",
            details={"reason": "case_discipline"}))
    if case.authorised_visits is not None:
        # Count under the case's row lock (taken after the calendar locks, always in that
        # order), so two bookings on different calendars cannot both take the last visit.
        db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
        remaining = case.authorised_visits - visits_used(case, ignore_appointment_ids=ignore_appointment_ids)
        if remaining < new_visits:
            message = (f"The case's {case.authorised_visits} authorised visits are used up"
                       if remaining <= 0 else f"Only {remaining} authorised visit(s) remain on the case")
            (problems.append(Problem(message + ".", details={"reason": "authorisation_exhausted"}))
             if online else warnings.append(message + "."))
        elif remaining - new_visits <= 2:
            warnings.append(f"{remaining - new_visits} authorised visit(s) will remain on the case after this booking.")
    if case.authorisation_expires_on is not None and day > case.authorisation_expires_on:
        message = f"The case's authorisation expired on {case.authorisation_expires_on:%d %b %Y}."
        (problems.append(Problem(message, details={"reason": "authorisation_expired"}))
         if online else warnings.append(message))
    return CaseCheck(problems, warnings)
