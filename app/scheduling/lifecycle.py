"""The one place appointment statuses change (ARCHITECTURE §4.5).

Each change is checked against the allowed transitions, writes an audit event, and
applies its side effects in the same transaction: Canceled and Rebooked release the
appointment's calendar time. (Charges, fees and messages join with their issues.)
"""
from __future__ import annotations

from app import audit, events
from app.errors import Conflict, Problem
from app.extensions import db
from app.models import Appointment, AppointmentStatus

S = AppointmentStatus
FINAL = {S.canceled, S.rebooked}
ALLOWED: dict[AppointmentStatus, set[AppointmentStatus]] = {
    S.booked: {S.confirmed, S.arrived, S.no_show, S.canceled, S.rebooked},
    S.confirmed: {S.booked, S.arrived, S.no_show, S.canceled, S.rebooked},
    S.arrived: {S.confirmed, S.paid, S.no_show},
    S.paid: {S.arrived},
    S.no_show: {S.booked, S.confirmed, S.canceled, S.rebooked},
    S.canceled: set(),
    S.rebooked: set(),
}
RELEASES_TIME = {S.canceled, S.rebooked}


def change_status(appointment: Appointment, new: AppointmentStatus, *, actor, note: str | None = None) -> None:
    old = appointment.status
    if new not in ALLOWED[old]:
        raise Conflict(
            f"An appointment that is {old.value.replace('_', ' ')} cannot become {new.value.replace('_', ' ')}.",
            [Problem("Transition not allowed.", details={"reason": "transition", "from": old.value, "to": new.value})],
        )
    appointment.status = new
    if new in RELEASES_TIME:
        for occupancy in appointment.occupancies:
            occupancy.active = False
    db.session.flush()
    audit.record(db.session, entity=appointment, action="status",
                 before={"status": old.value}, after={"status": new.value, **({"note": note} if note else {})},
                 actor_id=getattr(actor, "id", None))
    events.appointment_status_changed.send(appointment, actor=actor, old=old, new=new, note=note)
