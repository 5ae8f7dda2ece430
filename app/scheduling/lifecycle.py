"""The one place appointment statuses change (ARCHITECTURE §4.5).

Booked → Confirmed → Arrived → Paid, plus No Show, Canceled and Rebooked. Each change is
checked against the allowed transitions, writes an audit event, and applies its side
effects in the same transaction. The money side effects are billing's: it receives
``events.appointment_status_changing`` (before the status is set; it may refuse) and
``appointment_status_changed`` (``app/billing/visit_status.py``); scheduling never imports
billing.

| change                      | side effect                                                       |
|-----------------------------|-------------------------------------------------------------------|
| → Arrived                   | the confirmed charges (default: the session's) land on the case   |
| Arrived → Booked/Confirmed  | refused while a visit charge is invoiced; optionally voids the    |
|                             | default charges that are not invoiced; always gives a package     |
|                             | visit back; kept charges are not posted again on re-arrival       |
| → No Show                   | the policy's fee, as staff decided (accept / change / waive);     |
|                             | repeat no-shows block online booking                              |
| No Show → Booked/Confirmed/ | the uninvoiced no-show fee is removed (refused once invoiced);    |
|   Arrived                   | Canceled / Rebooked keep it                                       |
| → Canceled                  | late-cancel flag inside the policy window, with its fee; the time |
|                             | is released                                                       |
| → Rebooked                  | the time is released                                              |
| Arrived ↔ Paid              | only through payments (``settle``), never by hand                 |

Arrived is possible from the visit's own day, No Show once it has started. Canceled and
Rebooked are final. A refused transition raises Conflict (409) saying why.
"""
from __future__ import annotations

from datetime import datetime

from app import audit, events
from app.errors import Conflict, Problem
from app.extensions import db
from app.models import Appointment, AppointmentStatus
from app.timeutil import to_local, utcnow

S = AppointmentStatus
FINAL = {S.canceled, S.rebooked}
ALLOWED: dict[AppointmentStatus, set[AppointmentStatus]] = {
    S.booked: {S.confirmed, S.arrived, S.no_show, S.canceled, S.rebooked},
    S.confirmed: {S.booked, S.arrived, S.no_show, S.canceled, S.rebooked},
    S.arrived: {S.booked, S.confirmed},
    S.paid: set(),
    S.no_show: {S.booked, S.confirmed, S.arrived, S.canceled, S.rebooked},
    S.canceled: set(),
    S.rebooked: set(),
}
# Reached only by payments settling (or un-settling) the visit's invoices.
AUTOMATIC = {(S.arrived, S.paid), (S.paid, S.arrived)}
RELEASES_TIME = {S.canceled, S.rebooked}
# The client did come (or the no-show was a mistake): its fee goes. Canceled or rebooked
# after a no-show keeps the fee staff accepted.
ROLLED_BACK_FROM_NO_SHOW = {S.booked, S.confirmed, S.arrived}
REASONS = {
    (S.paid, None): "A paid visit changes only through its payments (void a payment to reopen it).",
    (None, S.paid): "An appointment becomes Paid when every charge is on a fully paid invoice.",
}


def label(status: AppointmentStatus) -> str:
    return status.value.replace("_", " ")


def allowed(appointment: Appointment) -> list[AppointmentStatus]:
    """The statuses a user may move this appointment to now."""
    return sorted(ALLOWED[appointment.status], key=lambda s: list(S).index(s))


def change_status(appointment: Appointment, new: AppointmentStatus, *, actor, note: str | None = None,
                  charges=None, fee=None, void_charges: bool = False, now: datetime | None = None) -> None:
    """Move ``appointment`` to ``new`` with its side effects (see the module's table).

    ``charges``: for Arrived, the ChargeInputs to post (None: the session's defaults).
    ``fee``: for No Show / late Canceled, staff's FeeDecision (None: the policy's amount).
    ``void_charges``: when undoing Arrived, remove the default charges not yet invoiced.
    """
    old = appointment.status
    if new not in ALLOWED[old]:
        raise Conflict(_refusal(old, new), [Problem("Transition not allowed.",
                                                    details={"reason": "transition", "from": old.value, "to": new.value})])
    now = now or utcnow()
    _ensure_in_time(appointment, new, now)
    after: dict = {"status": new.value}
    # Billing (app/billing/visit_status.py) posts charges and fees here, or refuses.
    events.appointment_status_changing.send(appointment, actor=actor, old=old, new=new, now=now, charges=charges,
                                            fee=fee, void_charges=void_charges, after=after)
    audit.named_change(db.session, appointment)  # one "status" row, not also "updated"
    appointment.status = new
    if new in RELEASES_TIME:
        for occupancy in appointment.occupancies:
            occupancy.active = False
    appointment.updated_at = now  # an UPDATE even when only side rows changed: the version moves on
    db.session.flush()
    if note:
        after["note"] = note
    audit.record(db.session, entity=appointment, action="status", before={"status": old.value}, after=after,
                 actor_id=getattr(actor, "id", None))
    events.appointment_status_changed.send(appointment, actor=actor, old=old, new=new, note=note)


def settle(appointment: Appointment, *, paid: bool) -> None:
    """Paid when payments settle every charge of the visit; back to Arrived when not."""
    old, new = (S.arrived, S.paid) if paid else (S.paid, S.arrived)
    if appointment.status != old:
        return
    audit.named_change(db.session, appointment)  # one "status" row, not also "updated"
    appointment.status = new
    appointment.updated_at = utcnow()
    db.session.flush()
    audit.record(db.session, entity=appointment, action="status", before={"status": old.value},
                 after={"status": new.value, "by": "payments"})
    events.appointment_status_changed.send(appointment, actor=None, old=old, new=new, note=None)


def _ensure_in_time(appointment: Appointment, new: AppointmentStatus, now) -> None:
    """A client arrives on the day of the visit (or is recorded later), never days ahead; a
    visit is missed only once it has started (a no-show notice must not go out early)."""
    zone = appointment.location.timezone
    start = to_local(appointment.starts_at, zone)
    if new == S.arrived and to_local(now, zone).date() < start.date():
        raise Conflict(f"The visit is on {start:%a %d %b}; the client can be marked arrived from that day.",
                       [Problem("Too early to arrive.", details={"reason": "not_yet"})])
    if new == S.no_show and now < appointment.starts_at:
        raise Conflict(f"The visit starts at {start:%H:%M} on {start:%a %d %b}; it can be marked a no-show once it "
                       "has started.", [Problem("Not started yet.", details={"reason": "not_yet"})])


def _refusal(old: AppointmentStatus, new: AppointmentStatus) -> str:
    if old in FINAL:
        return f"A {label(old)} appointment is final; book a new one instead."
    if old == S.paid:
        return REASONS[(S.paid, None)]
    if new == S.paid:
        return REASONS[(None, S.paid)]
    return f"An appointment that is {label(old)} cannot become {label(new)}."
