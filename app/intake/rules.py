"""Sending rules: when a visit is booked, the forms its rules ask for go out through the
outbox, with the confirmation or N days before the visit (same wall-clock time at the
location, so DST does not shift it by an hour). A receiver of ``appointment_booked``:
it runs inside the booking's transaction, so a refused booking sends nothing.

"New" means the client has no earlier visit that is not canceled or rebooked; a form the
client already has pending (and not expired) is not asked again.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from app import events
from app.extensions import db
from app.intake import sending, service
from app.models import (
    Appointment, AppointmentStatus, BookedVia, Case, FormRequest, FormRule, FormTemplate, FormVersion, Location,
)
from app.timeutil import to_local, to_utc, utcnow

# A rule's "Patients": who it asks (the stored value, then how a manager reads it).
PATIENT_KINDS = {"any": _l("Any patient"), "new": _l("New patients (no earlier visit)"),
                 "returning": _l("Returning patients")}
GONE = (AppointmentStatus.canceled, AppointmentStatus.rebooked)
# Visits that count towards "every N visits": not canceled, rebooked or missed.
NOT_COUNTED = (*GONE, AppointmentStatus.no_show)


def connect() -> None:
    """Subscribe to the domain events (called once by ``create_app``; blinker ignores a repeat)."""
    events.appointment_booked.connect(on_booked)


def is_new_patient(appointment: Appointment) -> bool:
    client_id = select(Case.client_id).where(Case.id == appointment.case_id).scalar_subquery()
    return not db.session.scalar(select(exists().where(
        Appointment.id != appointment.id, Appointment.status.not_in(GONE),
        Appointment.starts_at < appointment.starts_at,
        Appointment.case_id.in_(select(Case.id).where(Case.client_id == client_id)))))


def due_time(appointment: Appointment, days_before: int | None, now: datetime) -> datetime:
    """When a rule's form goes out: now, or N days before at the visit's local time."""
    if not days_before:
        return now
    zone = db.session.get(Location, appointment.location_id).timezone
    local = to_local(appointment.starts_at, zone)
    due = to_utc(local.date() - timedelta(days=days_before), local.time().replace(tzinfo=None), zone)
    return max(due, now)


def visit_number_in_case(appointment: Appointment) -> int:
    """1 for the case's first visit (canceled, rebooked and no-show ones do not count)."""
    from sqlalchemy import func

    return 1 + db.session.scalar(select(func.count(Appointment.id)).where(
        Appointment.case_id == appointment.case_id, Appointment.id != appointment.id,
        Appointment.status.not_in(NOT_COUNTED), Appointment.starts_at < appointment.starts_at))


def matching_rules(appointment: Appointment) -> list[FormRule]:
    kind = "new" if is_new_patient(appointment) else "returning"
    found = list(db.session.scalars(select(FormRule).join(FormTemplate).where(
        FormRule.active.is_(True), FormRule.at_discharge.is_(False), FormTemplate.active.is_(True),
        or_(FormRule.session_type_id.is_(None), FormRule.session_type_id == appointment.session_type_id),
        FormRule.patient_kind.in_((kind, "any"))).order_by(FormRule.id)))
    if any(rule.every_n_visits for rule in found):
        number = visit_number_in_case(appointment)
        found = [rule for rule in found if not rule.every_n_visits or (number - 1) % rule.every_n_visits == 0]
    return found


def on_booked(appointment: Appointment, actor=None, now: datetime | None = None, **_) -> None:
    rules = matching_rules(appointment)
    if not rules:
        return
    now = now or utcnow()
    client_id = db.session.scalar(select(Case.client_id).where(Case.id == appointment.case_id))
    for rule in rules:
        if already_pending(client_id, rule.template_id, now):
            continue
        form_request = service.create_request(rule.template, client_id, case_id=appointment.case_id,
                                              appointment_id=appointment.id,
                                              user_id=getattr(actor, "id", None), now=now)
        # Staff bookings wait for the front desk's edits like the confirmation does.
        sending.send(form_request, due_at=due_time(appointment, rule.days_before, now)
                     if rule.days_before or appointment.booked_via == BookedVia.online
                     else now + _confirmation_delay(), now=now)


def _confirmation_delay() -> timedelta:
    from app.messaging.settings import notification_settings

    return timedelta(minutes=notification_settings().new_booking_delay_minutes or 0)


def already_pending(client_id: int, template_id: int, now: datetime) -> bool:
    return bool(db.session.scalar(select(exists().where(
        FormRequest.client_id == client_id, FormRequest.status == "pending", FormRequest.expires_at > now,
        FormRequest.version_id.in_(select(FormVersion.id).where(FormVersion.template_id == template_id))))))
