"""Receivables reads the invoices listed in ``open_invoice`` (issue 13): the list must follow
every change of what an invoice is owed, so it always holds exactly the invoices whose
computed balance is above zero."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.billing import balances, invoicing, payments
from app.extensions import db as ext_db
from app.models import Invoice, InvoiceKind, OpenInvoice, PaymentMethod
from tests.billing.conftest import TODAY
from tests.billing.test_payments import billed


def listed() -> set[int]:
    return set(ext_db.session.scalars(select(OpenInvoice.invoice_id)))


def owing() -> set[int]:
    rows = ext_db.session.execute(select(Invoice.id, balances.balance_column())
                                  .where(Invoice.kind == InvoiceKind.invoice)).all()
    return {row.id for row in rows if row.balance > 0}


def pay(scene, amount, invoice):
    return payments.record(location=scene.people.location, method=PaymentMethod.card, amount=amount,
                           received_on=TODAY, actor=None, client=invoice.client, allocations=[(invoice, None)]
                           if amount is None else [(invoice, Decimal(amount))])


def test_the_open_list_follows_issue_payment_void_and_credit(scene, db):
    invoice = billed(scene)
    assert listed() == owing() == {invoice.id}
    partly = pay(scene, "10.00", invoice)
    assert listed() == owing() == {invoice.id}  # still owes the rest
    rest = payments.record(location=scene.people.location, method=PaymentMethod.cash, amount=invoice.total - 10,
                           received_on=TODAY, actor=None, client=invoice.client)
    assert listed() == owing() == set()  # paid in full (allocated oldest first)
    payments.void(payment=rest, reason="bounced", actor=None)
    assert listed() == owing() == {invoice.id}  # a void reopens it
    invoicing.credit_note(invoice=invoice, actor=scene.actor, reason="billed in error", today=TODAY)
    assert listed() == owing() == set()  # credited: nothing owed, the 10.00 goes back as credit
    payments.void(payment=partly, reason="reversed", actor=None)
    assert listed() == owing() == set()
    aged = balances.receivables(as_of=TODAY)
    assert sum((d.total for d in aged), Decimal("0")) == 0
