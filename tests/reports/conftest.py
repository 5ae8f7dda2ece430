"""A small clinic built by hand, whose every figure is worked out in the tests.

Two locations in different zones (Downtown: America/Toronto; Lisbon: Europe/Lisbon).
The period is 2 to 15 March 2026; Toronto springs forward on Sunday 8 March, inside it.

Provider (Toronto) shifts: Sun 8 Mar 09:00–13:00 (240 min, the DST day), Mon 9 Mar
09:00–17:00 with lunch 12–13 (420 min). Outsider (Lisbon): Mon 9 Mar 09:00–13:00 (240).

Visits (Toronto wall clock unless said):
  A1 Sun 8 Mar 10:00–11:00 paid        (client A, case 1)  ← 14:00 UTC after the jump
  A2 Mon 9 Mar 09:00–09:30 arrived     (client A, case 1)
  C1 Mon 9 Mar 10:00–10:30 no-show     (client C, case 3)
  C2 Mon 9 Mar 11:00–11:30 canceled, late, 2 h ahead
  C3 Mon 9 Mar 14:00–14:30 canceled, 3 days ahead
  C4 Mon 9 Mar 15:00–15:30 rebooked    (never counted)
  B1 Mon 9 Mar 23:30–24:00 arrived     (client B, case 2)  ← 10 March in UTC
  B0 Thu 15 Jan 10:00 paid             (client B, case 2)  before the period
  D0 Mon 5 Jan 10:00 paid              (client D, case 4)  before the period, nothing since
  L1 Lisbon Mon 9 Mar 09:00–10:00 no-show (outsider; client E, case 5)

Money (Toronto): invoice I1 self-pay 100.00 (A1's charge, provider) issued 9 Mar, 60.00
paid on 10 Mar; I2 Insurer X 50.00 (A2's charge) issued 9 Mar, a 50.00 payment voided;
I3 Insurer X 80.00 issued 1 Jan (no provider), unpaid.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from app.billing import balances
from app.models import (AppointmentStatus, Charge, Invoice, InvoiceLine, Payment, PaymentAllocation, PaymentMethod,
                        PayerKind)
from app.timeutil import UTC, to_utc
from tests import factories

S = AppointmentStatus
TORONTO, LISBON = "America/Toronto", "Europe/Lisbon"
PERIOD = {"date_from": "2026-03-02", "date_to": "2026-03-15"}


@dataclass
class Clinic:
    people: object
    ids: dict


def _visit(calendar, day, hh, mm, minutes, status, case, zone=TORONTO, session=None, **kw):
    start = to_utc(day, time(hh, mm), zone)
    appointment = factories.make_appointment(calendar, start, end=start + timedelta(minutes=minutes), status=status,
                                             case=case, session_type=session, **kw)
    if status in (S.canceled, S.rebooked):
        for occupancy in appointment.occupancies:
            occupancy.active = False
    return appointment


def _invoice(location, case, payer, number, issued_on, lines, currency="CAD"):
    total = sum((amount for amount, _ in lines), Decimal(0))
    invoice = factories._add(Invoice(
        location=location, sequence=number, number=f"T-{number}", case=case, client=case.client, payer=payer,
        issued_at=datetime.combine(issued_on, time(12), UTC), issued_on=issued_on, currency=currency, subtotal=total,
        tax_total=Decimal(0), total=total, snapshot={"bill_to": {"name": "x"}}))
    for position, (amount, (appointment, provider)) in enumerate(lines, start=1):
        charge = factories._add(Charge(case=case, appointment=appointment, provider=provider, description="Session",
                                       quantity=Decimal(1), unit_price=amount, invoice=invoice))
        factories._add(InvoiceLine(invoice=invoice, position=position, charge_id=charge.id, description="Session",
                                   quantity=Decimal(1), unit_price=amount, tax_rate=Decimal(0), net=amount,
                                   tax=Decimal(0), total=amount))
    # As the billing services do in every change of what is owed: Outstanding reads open_invoice.
    balances.reckon_open([invoice.id])
    return invoice


@pytest.fixture()
def clinic(db, people):
    p = people
    physio = factories.make_session_type(name="Follow-up", discipline=p.discipline, duration_minutes=30)
    assess = factories.make_session_type(name="Assessment", discipline=p.discipline, duration_minutes=60)
    insurer = factories.make_payer(name="Insurer X", kind=PayerKind.insurer)
    cal, far = p.provider_calendar, p.outsider_calendar
    factories.make_shift(cal, date(2026, 3, 8), time(9), time(13))
    factories.make_shift(cal, date(2026, 3, 9), time(9), time(17), breaks=[(time(12), time(13))])
    factories.make_shift(far, date(2026, 3, 9), time(9), time(13))
    a, b, c, d, e = (factories.make_client(first_name=n, home_location=p.location) for n in "ABCDE")
    case1 = factories.make_case(client=a, discipline=p.discipline, provider=p.provider, opened_on=date(2026, 3, 2),
                                referral_source="Dr Smith", authorised_visits=3, payer=insurer)
    case2 = factories.make_case(client=b, discipline=p.discipline, provider=p.provider, opened_on=date(2026, 1, 10))
    case3 = factories.make_case(client=c, discipline=p.discipline, provider=p.provider, opened_on=date(2026, 3, 3),
                                referral_source="Dr Smith", authorisation_expires_on=date(2026, 3, 20))
    case4 = factories.make_case(client=d, discipline=p.discipline, provider=p.provider, opened_on=date(2026, 1, 2))
    case5 = factories.make_case(client=e, discipline=p.discipline, provider=p.outsider, opened_on=date(2026, 3, 1))
    day8, day9 = date(2026, 3, 8), date(2026, 3, 9)
    a1 = _visit(cal, day8, 10, 0, 60, S.paid, case1, session=assess)
    a2 = _visit(cal, day9, 9, 0, 30, S.arrived, case1, session=physio)
    _visit(cal, day9, 10, 0, 30, S.no_show, case3, session=physio)
    c2 = _visit(cal, day9, 11, 0, 30, S.canceled, case3, session=physio, late_cancel=True)
    c3 = _visit(cal, day9, 14, 0, 30, S.canceled, case3, session=physio)
    _visit(cal, day9, 15, 0, 30, S.rebooked, case3, session=physio)
    _visit(cal, day9, 23, 30, 30, S.arrived, case2, session=physio)
    _visit(cal, date(2026, 1, 15), 10, 0, 30, S.paid, case2, session=physio)
    _visit(cal, date(2026, 1, 5), 10, 0, 30, S.paid, case4, session=physio)
    _visit(far, day9, 9, 0, 60, S.no_show, case5, zone=LISBON, session=physio, location=p.other_location)
    factories._add(a1)
    i1 = _invoice(p.location, case1, None, 1, day9, [(Decimal("100.00"), (a1, p.provider))])
    i2 = _invoice(p.location, case1, insurer, 2, day9, [(Decimal("50.00"), (a2, p.provider))])
    _invoice(p.location, case4, insurer, 3, date(2026, 1, 1), [(Decimal("80.00"), (None, None))])
    paid = Payment(client=a, location=p.location, method=PaymentMethod.card, amount=Decimal("60.00"),
                   received_on=date(2026, 3, 10))
    paid.allocations.append(PaymentAllocation(invoice=i1, amount=Decimal("60.00")))
    voided = Payment(payer=insurer, location=p.location, method=PaymentMethod.insurer, amount=Decimal("50.00"),
                     received_on=date(2026, 3, 11), voided_at=datetime(2026, 3, 12, tzinfo=UTC), void_reason="bounced")
    voided.allocations.append(PaymentAllocation(invoice=i2, amount=Decimal("50.00")))
    factories._add(paid)
    factories._add(voided)
    db.session.flush()
    balances.reckon_open([i1.id, i2.id])
    # Cancellation moments (a canceled visit's last change): set after the flush, which stamps updated_at.
    for appointment, ahead in ((c2, timedelta(hours=2)), (c3, timedelta(days=3))):
        db.session.execute(type(appointment).__table__.update().where(type(appointment).__table__.c.id == appointment.id)
                           .values(updated_at=appointment.starts_at - ahead))
    db.session.commit()
    return Clinic(p, {"provider": p.provider.id, "outsider": p.outsider.id, "downtown": p.location.id,
                      "lisbon": p.other_location.id, "physio": physio.id, "provider_calendar": cal.id,
                      "outsider_calendar": far.id})
