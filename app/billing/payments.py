"""Payments: received, allocated to invoices, voided; client credit; the Paid status.

A payment may settle several invoices, part of one, or more than is owed: whatever is not
allocated is the payer's credit, applied later to another invoice. Voiding a payment
(with a reason) removes its effect from every balance it touched, which reopens those
invoices and takes their appointments back from Paid to Arrived.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app import audit
from app.billing import balances
from app.billing.common import amount as parse_amount
from app.billing.common import lock_rows
from app.billing.pricing import ZERO, allocate, money
from app.errors import Conflict, Problem, ValidationFailed
from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    Charge,
    Client,
    Invoice,
    InvoiceKind,
    Location,
    Payer,
    Payment,
    PaymentAllocation,
    PaymentMethod,
)
from app.timeutil import utcnow
from app.i18n import formatting


def record(*, location: Location, method: PaymentMethod | str, amount, received_on: date, actor,
           client: Client | None = None, payer: Payer | None = None, reference: str | None = None,
           allocations: list[tuple[Invoice, Decimal | None]] | None = None, invoice_scope=None) -> Payment:
    """Record money received at ``location`` and allocate it: to the given invoices (an
    amount of None takes what the invoice still owes), else the open invoices of that
    location (within ``invoice_scope``, a select of ids, when given) oldest first. A payment
    settles only its own location's invoices. What is not allocated is credit."""
    problems: list[Problem] = []
    value = parse_amount(amount, "amount", problems, positive=True, most=Decimal("100000000.00"))
    try:
        method = PaymentMethod(method)
    except ValueError:
        problems.append(Problem("Choose cash, card, bank transfer or insurer.", field="method"))
    if client is None and payer is None:
        problems.append(Problem("Say who paid: the client or a payer.", field="client_id"))
    if problems:
        raise ValidationFailed("The payment is not valid.", problems)
    payment = Payment(client=client, payer=payer, location=location, method=method, amount=value,
                      reference=(reference or "").strip() or None, received_on=received_on,
                      created_by_id=getattr(actor, "id", None))
    db.session.add(payment)
    db.session.flush()
    if allocations is None:
        allocations = [(invoice, None) for invoice in _open_invoices_of(payment, invoice_scope)]
    _allocate(payment, allocations, partial_ok=True)
    return payment


def apply_credit(*, payment: Payment, invoice: Invoice, amount=None, actor) -> PaymentAllocation | None:
    """Apply a payment's unallocated remainder (credit) to ``invoice``."""
    lock_rows(Payment, [payment.id])
    db.session.refresh(payment)  # the locked row as committed, not the session's copy
    if payment.is_void:
        raise Conflict("A void payment cannot be applied.")
    if unallocated(payment) <= 0:
        raise Conflict("This payment has no credit left.", [Problem("No credit.", details={"reason": "no_credit"})])
    if amount in (None, ""):  # as much as the credit covers
        amount = min(unallocated(payment), max(balances.of_invoices([invoice.id]).get(invoice.id, ZERO), ZERO))
        if amount <= 0:
            raise Conflict(f"Invoice {invoice.number} owes nothing.")
    created = _allocate(payment, [(invoice, money(amount))], partial_ok=False)
    return created[0] if created else None


def void(*, payment: Payment, reason: str, actor) -> Payment:
    if not (reason or "").strip():
        raise ValidationFailed("Say why the payment is voided.", [Problem("A reason is required.", field="reason")])
    lock_rows(Payment, [payment.id])
    db.session.refresh(payment)
    if payment.is_void:
        raise Conflict("This payment is already void.")
    payment.voided_at = utcnow()
    payment.void_reason = reason.strip()
    payment.voided_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(db.session, entity=payment, action="voided", after={"reason": payment.void_reason})
    balances.reckon_open([a.invoice_id for a in payment.allocations])
    settle_appointments(_appointments_of([a.invoice_id for a in payment.allocations]))
    return payment


def unallocated(payment: Payment) -> Decimal:
    if payment.is_void:
        return ZERO
    allocated = sum((a.amount for a in payment.allocations), ZERO)
    return money(payment.amount - allocated)


def refund_overpaid(invoice: Invoice, *, actor) -> None:
    """After a credit note, money beyond what the invoice still asks for goes back to the
    payments it came from (newest first), where it is credit to apply or refund."""
    excess = -balances.of_invoices([invoice.id])[invoice.id]
    if excess <= 0:
        return
    allocations = db.session.scalars(select(PaymentAllocation).join(Payment).where(
        PaymentAllocation.invoice_id == invoice.id, Payment.voided_at.is_(None))
        .order_by(PaymentAllocation.id.desc())).all()
    for allocation in allocations:
        take = min(excess, allocation.amount)
        excess -= take
        if take == allocation.amount:
            db.session.delete(allocation)
        else:
            allocation.amount -= take
        if excess <= 0:
            break
    db.session.flush()
    for allocation in allocations:
        db.session.expire(allocation.payment, ["allocations"])


def settle_appointments(appointment_ids) -> None:
    """Arrived visits whose charges are all on fully paid invoices become Paid; Paid ones
    that are no longer fully paid go back to Arrived."""
    from app.scheduling import lifecycle

    ids = sorted(i for i in appointment_ids if i)
    if not ids:
        return
    # Decide under the visits' row locks, so two payments on a visit's invoices cannot
    # each see the other's invoice still open (or paid) and leave the wrong status.
    lock_rows(Appointment, ids)
    charges = db.session.execute(select(Charge.appointment_id, Charge.invoice_id).where(
        Charge.appointment_id.in_(ids), Charge.voided_at.is_(None))).all()
    open_balances = balances.of_invoices({invoice_id for _, invoice_id in charges if invoice_id})
    settled = {}
    for appointment_id, invoice_id in charges:
        ok = invoice_id is not None and open_balances.get(invoice_id, ZERO) <= 0
        settled[appointment_id] = settled.get(appointment_id, True) and ok
    for appointment in db.session.scalars(select(Appointment).where(Appointment.id.in_(ids))):
        paid = settled.get(appointment.id, False)
        if appointment.status == AppointmentStatus.arrived and paid:
            lifecycle.settle(appointment, paid=True)
        elif appointment.status == AppointmentStatus.paid and not paid:
            lifecycle.settle(appointment, paid=False)


def _open_invoices_of(payment: Payment, invoice_scope=None) -> list[Invoice]:
    query = balances.open_invoices().where(Invoice.location_id == payment.location_id)
    query = query.where(Invoice.client_id == payment.client_id) if payment.client_id else query.where(
        Invoice.payer_id == payment.payer_id)
    if invoice_scope is not None:
        query = query.where(Invoice.id.in_(invoice_scope))
    subquery = query.subquery()
    rows = db.session.execute(select(subquery.c.id).where(subquery.c.balance > 0)
                              .order_by(subquery.c.issued_on, subquery.c.id)).all()
    return [db.session.get(Invoice, row.id) for row in rows]


def _allocate(payment: Payment, wanted: list[tuple[Invoice, Decimal | None]], *, partial_ok: bool) -> list[PaymentAllocation]:
    invoices = [invoice for invoice, _ in wanted]
    if len({i.id for i in invoices}) != len(invoices):
        raise ValidationFailed("Each invoice may appear only once in a payment's allocations.",
                               [Problem("Invoice listed twice.", field="allocations")])
    lock_rows(Invoice, [i.id for i in invoices])
    owed = balances.of_invoices([i.id for i in invoices])
    problems = []
    for invoice in invoices:
        if invoice.location_id != payment.location_id:
            problems.append(Problem(f"Invoice {invoice.number} was issued by {invoice.location.name}; record the "
                                    "payment there.", field="allocations"))
        elif invoice.kind != InvoiceKind.invoice:
            problems.append(Problem(f"{invoice.number} is a credit note; payments settle invoices.", field="allocations"))
        elif payment.client_id is not None and invoice.client_id != payment.client_id:
            problems.append(Problem(f"Invoice {invoice.number} is another client's.", field="allocations"))
        elif payment.client_id is None and invoice.payer_id != payment.payer_id:
            problems.append(Problem(f"Invoice {invoice.number} is not billed to {payment.payer}.", field="allocations"))
    if problems:
        raise ValidationFailed("The payment cannot settle these invoices.", problems)
    available = unallocated(payment)
    created = []
    requested = [owed[invoice.id] if value is None else value for invoice, value in wanted]
    for (invoice, value), ask in zip(wanted, requested):
        if value is not None and value > owed[invoice.id]:
            raise Conflict(f"Invoice {invoice.number} only owes {formatting.amount(owed[invoice.id])}.",
                           [Problem("More than owed.", field="allocations", details={"invoice_id": invoice.id})])
        if value is not None and value <= 0:
            raise ValidationFailed("Allocate a positive amount.", [Problem("Must be positive.", field="allocations")])
    if not partial_ok and sum(requested, ZERO) > available:
        raise Conflict(f"Only {formatting.amount(available)} of credit is left on this payment.")
    for (invoice, _), share in zip(wanted, allocate(available, requested)):
        if share > 0:
            allocation = PaymentAllocation(payment=payment, invoice=invoice, amount=share)
            db.session.add(allocation)
            created.append(allocation)
    db.session.flush()
    if created:
        audit.record(db.session, entity=payment, action="allocated",
                     after={"allocations": [{"invoice": a.invoice.number, "amount": str(a.amount)} for a in created]})
    balances.reckon_open([a.invoice_id for a in created])
    settle_appointments(_appointments_of([a.invoice_id for a in created]))
    return created


def _appointments_of(invoice_ids) -> set[int]:
    ids = list(invoice_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Charge.appointment_id).where(
        Charge.invoice_id.in_(ids), Charge.appointment_id.is_not(None))))
