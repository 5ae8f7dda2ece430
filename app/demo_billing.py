"""The demo clinic's money: settings, fee policies, packages, and the charges, invoices and
payments its past visits would have produced.

Past visits the demo marks Arrived or Paid get their session's charges; Paid ones are
invoiced on the day and paid (insurers by insurer payment, everyone else at the desk);
some Arrived ones are invoiced and still owed, so receivables have something to age;
half of the no-shows carry the policy's fee. Everything goes through the billing services,
so the demo's numbers obey the same rules as a clinic's.
"""
from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from app.billing import charges as billing_charges
from app.billing import fees, invoicing, payments
from app.models import (
    Appointment,
    AppointmentStatus,
    FeeMode,
    FeePolicy,
    Location,
    PackageType,
    PayerKind,
    PaymentMethod,
    SessionType,
    clinic_settings,
)
from app.extensions import db
from app.timeutil import to_local

S = AppointmentStatus


def seed(*, locations: list[Location], session_types: dict[str, SessionType], appointments: list[Appointment],
         actor, now: datetime) -> dict[str, int]:
    rng = random.Random("plinth-demo-billing")
    settings = clinic_settings()
    settings.clinic_name = "Plinth Demo Clinic"
    settings.legal_name = "Plinth Demo Physiotherapy & Massage Inc."
    settings.phone = "+14165550100"
    settings.email = "frontdesk@demo.plinth.example"
    settings.currency = "CAD"
    for location in locations:
        db.session.add(FeePolicy(location=location, no_show_mode=FeeMode.fixed, no_show_amount=Decimal("40.00"),
                                 late_cancel_mode=FeeMode.percent, late_cancel_amount=Decimal("50"),
                                 late_cancel_hours=24))
    db.session.add_all([
        PackageType(name="Massage 5-pack (60 min)", sessions=5, price=Decimal("495.00"), valid_days=365,
                    session_types=[session_types["mt_60"]]),
        PackageType(name="Physio follow-ups ×10 (30 min)", sessions=10, price=Decimal("855.00"), valid_days=365,
                    session_types=[session_types["pt_follow_30"]]),
    ])
    db.session.flush()
    counts = {"invoices": 0, "payments": 0, "fees": 0}
    past = sorted((a for a in appointments if a.ends_at <= now), key=lambda a: a.starts_at)
    for appointment in past:
        day = to_local(appointment.starts_at, appointment.location.timezone).date()
        if appointment.status in (S.arrived, S.paid):
            settled = appointment.status == S.paid  # (posting charges reopens it until paid)
            posted = billing_charges.add(case=appointment.case, inputs=billing_charges.default_charges(appointment),
                                         actor=actor, appointment=appointment, is_default=True)
            if not settled and rng.random() < 0.6:
                continue  # arrived, charges still to invoice
            invoice = invoicing.issue(case=appointment.case, charge_ids=[c.id for c in posted], actor=actor, today=day)
            counts["invoices"] += 1
            if settled:
                insurer = invoice.payer is not None and invoice.payer.kind != PayerKind.self_pay
                payments.record(location=appointment.location, received_on=day, actor=actor, amount=invoice.total,
                                method=PaymentMethod.insurer if insurer else rng.choice(
                                    [PaymentMethod.card, PaymentMethod.card, PaymentMethod.cash]),
                                client=None if insurer else appointment.case.client,
                                payer=invoice.payer if insurer else None, allocations=[(invoice, None)],
                                reference=f"EOB-{invoice.number}" if insurer else None)
                counts["payments"] += 1
        elif appointment.status == S.no_show and rng.random() < 0.5:
            if fees.charge(appointment=appointment, kind=fees.NO_SHOW, decision=None, actor=actor):
                counts["fees"] += 1
    return counts
