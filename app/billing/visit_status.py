"""What a visit's status change does to its money (receivers of ``app/events.py``).

The lifecycle (``app/scheduling/lifecycle.py``) decides which transitions are allowed
and announces each one twice inside its transaction: ``appointment_status_changing``
before the status is set (billing may still refuse with a Conflict, and writes the
charges, filling the audit's ``after``), and ``appointment_status_changed`` after it.
Scheduling never imports billing; billing depends on scheduling.

| change                      | what billing does                                                 |
|-----------------------------|-------------------------------------------------------------------|
| → Arrived                   | the confirmed charges (default: the session's) land on the case   |
| Arrived → Booked/Confirmed  | refused while a visit charge is invoiced; optionally voids the    |
|                             | default charges that are not invoiced; always gives a package     |
|                             | visit back                                                        |
| → No Show                   | the policy's fee, as staff decided; repeat no-shows block online  |
|                             | booking (after the change)                                        |
| No Show → Booked/Confirmed/ | the uninvoiced no-show fee is removed (refused once invoiced)     |
|   Arrived                   |                                                                   |
| → Canceled                  | late-cancel flag inside the policy window, with its fee           |
"""
from __future__ import annotations

from app import events
from app.billing import charges as billing_charges
from app.billing import fees
from app.errors import Conflict, Problem
from app.models import Appointment, AppointmentStatus, ChargeKind
from app.scheduling.lifecycle import ROLLED_BACK_FROM_NO_SHOW

S = AppointmentStatus


def on_status_changing(appointment: Appointment, *, actor, old, new, now, charges=None, fee=None,
                       void_charges: bool = False, after: dict, **_) -> None:
    if old == S.no_show and new in ROLLED_BACK_FROM_NO_SHOW:
        _drop_fees(appointment, actor)
    if old == S.arrived:
        _undo_arrival(appointment, void_charges, actor)
    if new == S.arrived:
        inputs = billing_charges.default_charges(appointment) if charges is None else charges
        # Charges confirmed at arrival are the visit's defaults: undoing the arrival may void them.
        posted = billing_charges.add(case=appointment.case, inputs=inputs, actor=actor, appointment=appointment,
                                     is_default=True)
        after["charge_ids"] = [c.id for c in posted]
    elif new == S.no_show:
        charged = fees.charge(appointment=appointment, kind=fees.NO_SHOW, decision=fee, actor=actor)
        after["fee_charge_id"] = charged.id if charged else None
    elif new == S.canceled:
        # Only a cancel of a visit still ahead can be late (a no-show canceled is not).
        appointment.late_cancel = fees.cancel_would_be_late(appointment, now, status=old)
        after["late_cancel"] = appointment.late_cancel
        if appointment.late_cancel:
            charged = fees.charge(appointment=appointment, kind=fees.LATE_CANCEL, decision=fee, actor=actor)
            after["fee_charge_id"] = charged.id if charged else None


def on_status_changed(appointment: Appointment, *, new, **_) -> None:
    if new == S.no_show:
        fees.block_repeat_no_shows(appointment)


def connect() -> None:
    events.appointment_status_changing.connect(on_status_changing)
    events.appointment_status_changed.connect(on_status_changed)


def _undo_arrival(appointment: Appointment, void_charges: bool, actor) -> None:
    billing_charges.uninvoiced(appointment)  # locks the visit's charges before judging them
    on_invoice = [c for c in billing_charges.invoiced(appointment) if c.kind != ChargeKind.fee]
    if on_invoice:
        numbers = ", ".join(sorted({c.invoice.number for c in on_invoice}))
        raise Conflict(f"The visit's charges are on invoice {numbers}; credit them before undoing the arrival.",
                       [Problem("Charges invoiced.", details={"reason": "charges_invoiced"})])
    if void_charges:
        billing_charges.void_defaults(appointment, actor=actor)
    # A package visit exists only because the client came: give it back to the package.
    for charge in billing_charges.uninvoiced(appointment):
        if charge.client_package_id is not None:
            billing_charges.remove(charge=charge, actor=actor)


def _drop_fees(appointment: Appointment, actor) -> None:
    billing_charges.uninvoiced(appointment)  # locks the visit's charges before judging them
    if billing_charges.invoiced(appointment, kind=ChargeKind.fee):
        raise Conflict("The no-show fee is already invoiced; credit it before changing the status.",
                       [Problem("Fee invoiced.", details={"reason": "fee_invoiced"})])
    for charge in billing_charges.uninvoiced(appointment, kind=ChargeKind.fee):
        billing_charges.remove(charge=charge, actor=actor)
