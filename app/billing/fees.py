"""No-show and late-cancel fees, from the location's policy (a session type may override).

A fee is offered, not imposed: the status change proposes the policy's amount and staff
accept it, change it or waive it. A fee is a charge on the case, invoiced like any other.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.billing.pricing import money, percent_of
from app.errors import ValidationFailed
from app.extensions import db
from app.i18n import formatting
from app.i18n.locales import language_for
from app.models import Appointment, AppointmentStatus, Charge, ChargeKind, FeeMode, FeePolicy, read_clinic_settings

NO_SHOW = "no_show"
LATE_CANCEL = "late_cancel"
LABELS = {NO_SHOW: _l("No-show fee"), LATE_CANCEL: _l("Late-cancel fee")}


@dataclass
class FeeDecision:
    """What staff decided: accept the proposal (amount None), charge ``amount``, or waive."""
    waive: bool = False
    amount: Decimal | None = None


def policy_for(appointment: Appointment) -> FeePolicy | None:
    rows = db.session.scalars(select(FeePolicy).where(
        FeePolicy.location_id == appointment.location_id,
        (FeePolicy.session_type_id == appointment.session_type_id) | FeePolicy.session_type_id.is_(None))).all()
    own = [r for r in rows if r.session_type_id is not None]
    return (own or rows or [None])[0]


def proposed(appointment: Appointment, kind: str) -> Decimal | None:
    """The policy's fee for ``kind`` on this appointment (None: no fee configured)."""
    policy = policy_for(appointment)
    if policy is None:
        return None
    mode, value = ((policy.no_show_mode, policy.no_show_amount) if kind == NO_SHOW
                   else (policy.late_cancel_mode, policy.late_cancel_amount))
    if mode is None or value is None:
        return None
    return money(value) if mode == FeeMode.fixed else percent_of(appointment.session_type.price, value)


def is_late_cancel(appointment: Appointment, now: datetime) -> bool:
    """Canceled less than the policy's window before the start (and not after it ended)."""
    policy = policy_for(appointment)
    if policy is None:
        return False
    return now < appointment.starts_at and appointment.starts_at - now < timedelta(hours=policy.late_cancel_hours)


def cancel_would_be_late(appointment: Appointment, now: datetime, *, status: AppointmentStatus | None = None) -> bool:
    """Only a visit still ahead (booked or confirmed) can be canceled late: an arrived,
    paid or no-show visit never is, whatever the clock says. The panel's warning and
    the cancel itself both ask here."""
    return (status or appointment.status) in (AppointmentStatus.booked, AppointmentStatus.confirmed) \
        and is_late_cancel(appointment, now)


def charge(*, appointment: Appointment, kind: str, decision: FeeDecision | None, actor) -> Charge | None:
    """Apply staff's decision on the fee (no decision: the proposal as it stands)."""
    offered = proposed(appointment, kind)
    decision = decision or FeeDecision()
    if decision.waive or (decision.amount is None and not offered):
        if offered:
            audit.record(db.session, entity=appointment, action="fee_waived", after={"kind": kind, "offered": str(offered)})
        return None
    value = money(decision.amount) if decision.amount is not None else offered
    if value < 0:
        raise ValidationFailed("A fee cannot be negative.")
    if value == 0:
        return None
    fee = Charge(case_id=appointment.case_id, appointment_id=appointment.id, kind=ChargeKind.fee,
                 description=fee_description(appointment, kind),
                 quantity=Decimal("1"), unit_price=value, tax_rate=Decimal("0"),
                 created_by_id=getattr(actor, "id", None))
    db.session.add(fee)
    db.session.flush()
    audit.record(db.session, entity=appointment, action="fee_charged",
                 after={"kind": kind, "amount": str(value), "offered": str(offered) if offered else None})
    return fee


def fee_description(appointment: Appointment, kind: str) -> str:
    """The fee's invoice line, in the language its invoice will be printed in (the client's,
    else the location's): "Taxa de falta — Massagem, 7/12/2026, 17:00"."""
    location = appointment.location
    with force_locale(language_for(appointment.case.client, location)):
        when = formatting.local_moment(appointment.starts_at, location.timezone)
        return f"{LABELS[kind]} — {appointment.session_type.name}, {when}"


def no_shows(client_id: int) -> int:
    from app.models import Case

    return db.session.scalar(select(func.count(Appointment.id)).join(Case).where(
        Case.client_id == client_id, Appointment.status == AppointmentStatus.no_show))


def block_repeat_no_shows(appointment: Appointment) -> bool:
    """After the clinic's threshold of no-shows the client may no longer book online."""
    threshold = read_clinic_settings().no_show_block_after
    client = appointment.case.client
    if threshold is None or client.online_booking_blocked or no_shows(client.id) < threshold:
        return False
    client.online_booking_blocked = True
    db.session.flush()
    audit.record(db.session, entity=client, action="online_booking_blocked",
                 after={"no_shows": no_shows(client.id), "threshold": threshold})
    return True
