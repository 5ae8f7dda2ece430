"""Payments: partial, final, over; credit applied later; voiding; balances and ageing."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import balances, invoicing, payments
from app.errors import Conflict, ValidationFailed
from app.models import AppointmentStatus, AuditEvent, PaymentMethod
from app.scheduling import lifecycle
from tests.billing.conftest import NOW, TODAY

S = AppointmentStatus
D = Decimal


def billed(scene, appointment=None, case=None, today=TODAY):
    appointment = appointment or scene.appointment
    lifecycle.change_status(appointment, S.arrived, actor=scene.actor, now=NOW)
    case = case or appointment.case
    return invoicing.issue(case=case, charge_ids=[c.id for c in invoicing.uninvoiced(case)], actor=scene.actor,
                           today=today)


def pay(scene, amount, **kw):
    kw.setdefault("client", scene.case.client)
    return payments.record(location=scene.people.location, method=kw.pop("method", PaymentMethod.card), amount=amount,
                           received_on=TODAY, actor=scene.actor, **kw)


def test_a_partial_then_a_final_payment_settle_the_invoice_and_the_visit_becomes_paid(scene, db):
    invoice = billed(scene)
    pay(scene, "50.00")
    assert invoicing.invoice_balance(invoice) == D("67.52") and scene.appointment.status == S.arrived
    pay(scene, "67.52", method=PaymentMethod.cash)
    assert invoicing.invoice_balance(invoice) == D("0.00") and scene.appointment.status == S.paid
    assert balances.of_client(scene.case.client_id).due == D("0.00")


def test_an_overpayment_becomes_credit_that_settles_a_later_invoice(scene, db):
    first = billed(scene)
    payment = pay(scene, "200.00")
    assert payments.unallocated(payment) == D("82.48")
    assert balances.of_client(scene.case.client_id).credit == D("82.48")
    second = billed(scene, scene.book(14))
    payments.apply_credit(payment=payment, invoice=second, actor=scene.actor)
    assert invoicing.invoice_balance(first) == D("0.00")
    assert invoicing.invoice_balance(second) == D("117.52") - D("82.48")
    assert payments.unallocated(payment) == D("0.00")
    with pytest.raises(Conflict, match="no credit"):
        payments.apply_credit(payment=payment, invoice=second, actor=scene.actor)


def test_a_payment_allocated_by_hand_settles_exactly_what_was_asked(scene, db):
    first = billed(scene)
    second = billed(scene, scene.book(14))
    payment = pay(scene, "100.00", allocations=[(second, D("60.00")), (first, None)])
    assert invoicing.invoice_balance(second) == D("57.52")
    assert invoicing.invoice_balance(first) == D("77.52")  # took the remaining 40.00
    assert payments.unallocated(payment) == D("0.00")


@pytest.mark.parametrize("amount,field", [("0", "amount"), ("-5", "amount"), ("abc", "amount")])
def test_a_payment_with_a_bad_amount_is_refused_and_nothing_is_saved(scene, db, amount, field):
    billed(scene)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        pay(scene, amount)
    assert [p.field for p in refused.value.problems] == [field]


def test_a_payment_cannot_settle_more_than_an_invoice_owes_or_another_clients_invoice(scene, db):
    from tests import factories

    invoice = billed(scene)
    with pytest.raises(Conflict, match="only owes"):
        pay(scene, "500.00", allocations=[(invoice, D("200.00"))])
    db.session.rollback()
    stranger = factories.make_client()
    with pytest.raises(ValidationFailed, match="cannot settle"):
        pay(scene, "10.00", client=stranger, allocations=[(invoice, None)])


def test_voiding_a_payment_reopens_what_it_settled_and_is_audited(scene, db):
    invoice = billed(scene)
    payment = pay(scene, invoice.total)
    assert scene.appointment.status == S.paid
    with pytest.raises(ValidationFailed):
        payments.void(payment=payment, reason=" ", actor=scene.actor)
    payments.void(payment=payment, reason="Cheque bounced", actor=scene.actor)
    assert invoicing.invoice_balance(invoice) == invoice.total
    assert scene.appointment.status == S.arrived
    assert balances.of_client(scene.case.client_id).credit == D("0.00")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "voided")).one()
    assert event.after == {"reason": "Cheque bounced"}
    with pytest.raises(Conflict, match="already void"):
        payments.void(payment=payment, reason="again", actor=scene.actor)


def test_an_insurer_payment_settles_its_invoices_across_clients(scene, db):
    from tests import factories

    invoice = billed(scene)
    other_case = factories.make_case(discipline=scene.people.discipline, payer=scene.insurer)
    other_invoice = billed(scene, scene.book(14, case=other_case))
    pay(scene, invoice.total + other_invoice.total, client=None, payer=scene.insurer, method=PaymentMethod.insurer)
    assert invoicing.invoice_balance(invoice) == invoicing.invoice_balance(other_invoice) == D("0.00")
    assert balances.of_payer(scene.insurer.id).due == D("0.00")


def test_balances_per_client_case_and_payer(scene, db):
    insured = billed(scene)
    own = billed(scene, scene.book(14, case=scene.own_case))
    lifecycle.change_status(scene.book(16), S.arrived, actor=scene.actor, now=NOW)  # not invoiced yet
    pay(scene, "20.00", allocations=[(own, None)])
    assert balances.of_case(scene.case.id).invoiced_open == insured.total
    assert balances.of_case(scene.case.id).unbilled == D("117.52")
    assert balances.of_case(scene.own_case.id).invoiced_open == own.total - D("20.00")
    assert balances.of_payer(scene.insurer.id).invoiced_open == insured.total
    client = balances.of_client(scene.case.client_id)
    assert client.invoiced_open == insured.total + own.total - D("20.00")


def test_receivables_are_grouped_by_who_is_billed_and_aged(scene, db):
    old = billed(scene, today=date(2025, 12, 1))
    recent = billed(scene, scene.book(14, case=scene.own_case), today=TODAY - timedelta(days=10))
    aged = balances.receivables(as_of=TODAY)
    by_name = {d.bill_to: d for d in aged}
    assert by_name["Sun Life"].buckets["over 90 days"] == old.total
    assert by_name["Ana Silva"].buckets["0–30 days"] == recent.total
    assert aged[0].total >= aged[-1].total


def test_receivables_age_each_invoice_to_today_at_its_own_location(scene, db, monkeypatch):
    """Without ``as_of`` (the screen and the API) an invoice ages to today at its location,
    whose date its issue date is; UTC's date is a day ahead in a Toronto evening."""
    from datetime import datetime, timezone

    from app import timeutil

    invoice = billed(scene, today=TODAY)
    evening = datetime(2026, 4, 16, 2, 30, tzinfo=timezone.utc)  # 15 Apr 22:30 in Toronto
    assert invoice.location.timezone == "America/Toronto"
    monkeypatch.setattr(timeutil, "utcnow", lambda: evening)
    [debtor] = [d for d in balances.receivables() if d.bill_to == "Sun Life"]
    assert [i["age_days"] for i in debtor.invoices] == [30]  # 16 Mar → 15 Apr, not UTC's 16 Apr
    assert debtor.buckets["0–30 days"] == invoice.total
