"""What is owed: invoice balances, per client / case / payer, and receivables by age.

A balance is never stored. An invoice's balance is its total, less its credit notes, less
the allocations of payments that are not void, computed in SQL for any number of
invoices in one statement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, delete, exists, func, insert, select
from sqlalchemy.orm import aliased

from app.billing.pricing import ZERO
from app.extensions import db
from app.i18n import N_
from app.models import Charge, Invoice, InvoiceKind, Location, OpenInvoice, Payment, PaymentAllocation
from app.security import scope_condition
from app.timeutil import local_today

AGE_BUCKETS = ((0, 30, N_("0–30 days")), (31, 60, N_("31–60 days")), (61, 90, N_("61–90 days")), (91, None, N_("over 90 days")))


def _credited():
    note = aliased(Invoice)
    return (select(func.coalesce(func.sum(note.total), 0)).where(note.credits_invoice_id == Invoice.id)
            .correlate(Invoice).scalar_subquery())


def _paid():
    return (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.invoice_id == Invoice.id, Payment.voided_at.is_(None))
            .correlate(Invoice).scalar_subquery())


def _balance():
    return Invoice.total + _credited() - _paid()


def balance_column():
    """SQL expression: an invoice's open balance (negative when overpaid)."""
    return _balance().label("balance")


def reckon_open(invoice_ids) -> None:
    """Bring ``open_invoice`` up to date for these invoices: listed while their balance is
    above zero. Called by every change of what an invoice is owed (issuing, crediting,
    allocating, refunding, voiding), in its transaction; two statements whatever the count."""
    ids = sorted({i for i in invoice_ids if i})
    if not ids:
        return
    owing = select(Invoice.id).where(Invoice.id.in_(ids), Invoice.kind == InvoiceKind.invoice, _balance() > 0)
    db.session.execute(delete(OpenInvoice).where(OpenInvoice.invoice_id.in_(ids), OpenInvoice.invoice_id.not_in(owing)))
    db.session.execute(insert(OpenInvoice).from_select(
        ["invoice_id"], owing.where(~exists().where(OpenInvoice.invoice_id == Invoice.id))))


def paid_column():
    return _paid().label("paid")


def open_invoices() -> Select:
    """Invoices (not credit notes) with their balance, for further filtering."""
    return select(Invoice, balance_column()).where(Invoice.kind == InvoiceKind.invoice)


def of_invoices(invoice_ids) -> dict[int, Decimal]:
    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Invoice.id, balance_column()).where(Invoice.id.in_(ids))).all()
    return {row.id: Decimal(row.balance).quantize(Decimal("0.01")) for row in rows}


@dataclass(frozen=True)
class Settlement:
    paid: Decimal      # by payments that are not void
    credited: Decimal  # by credit notes (a positive amount)
    balance: Decimal


def settlement(invoice: Invoice) -> Settlement:
    row = db.session.execute(select(_paid().label("paid"), _credited().label("credited"), balance_column())
                             .where(Invoice.id == invoice.id)).one()
    cent = Decimal("0.01")
    return Settlement(Decimal(row.paid).quantize(cent), -Decimal(row.credited).quantize(cent),
                      Decimal(row.balance).quantize(cent))


@dataclass
class Balance:
    invoiced_open: Decimal = ZERO     # what issued invoices still ask for
    unbilled: Decimal = ZERO          # charges not invoiced yet
    credit: Decimal = ZERO            # money received and not allocated

    @property
    def due(self) -> Decimal:
        return self.invoiced_open - self.credit

    def as_dict(self) -> dict:
        return {"invoiced_open": str(self.invoiced_open), "unbilled": str(self.unbilled), "credit": str(self.credit),
                "due": str(self.due)}


def _open_sum(condition) -> Decimal:
    subquery = select(balance_column()).where(Invoice.kind == InvoiceKind.invoice, condition).subquery()
    return Decimal(db.session.scalar(select(func.coalesce(func.sum(subquery.c.balance), 0)))).quantize(Decimal("0.01"))


def _unbilled(condition) -> Decimal:
    from app.billing.pricing import line_amounts

    rows = db.session.execute(select(Charge.quantity, Charge.unit_price, Charge.tax_rate)
                              .where(Charge.invoice_id.is_(None), Charge.voided_at.is_(None), condition)).all()
    return sum((line_amounts(q, p, r).total for q, p, r in rows), ZERO)


def unallocated_column():
    allocated = (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                 .where(PaymentAllocation.payment_id == Payment.id).correlate(Payment).scalar_subquery())
    return (Payment.amount - allocated).label("unallocated")


def credit_of(*, client_id: int | None = None, payer_id: int | None = None) -> Decimal:
    condition = Payment.client_id == client_id if client_id is not None else and_(
        Payment.payer_id == payer_id, Payment.client_id.is_(None))
    subquery = select(unallocated_column()).where(Payment.voided_at.is_(None), condition).subquery()
    return Decimal(db.session.scalar(select(func.coalesce(func.sum(subquery.c.unallocated), 0)))).quantize(Decimal("0.01"))


def of_client(client_id: int) -> Balance:
    from app.models import Case

    return Balance(invoiced_open=_open_sum(Invoice.client_id == client_id),
                   unbilled=_unbilled(Charge.case_id.in_(select(Case.id).where(Case.client_id == client_id))),
                   credit=credit_of(client_id=client_id))


def of_case(case_id: int) -> Balance:
    return Balance(invoiced_open=_open_sum(Invoice.case_id == case_id), unbilled=_unbilled(Charge.case_id == case_id))


def of_payer(payer_id: int) -> Balance:
    return Balance(invoiced_open=_open_sum(Invoice.payer_id == payer_id), credit=credit_of(payer_id=payer_id))


@dataclass
class AgedDebtor:
    bill_to: str
    kind: str
    buckets: dict[str, Decimal] = field(default_factory=dict)
    invoices: list[dict] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


def location_todays() -> dict[int, date]:
    """Today at each location (``local_today``): an invoice's issue date is its location's."""
    return {row.id: local_today(row.timezone) for row in db.session.execute(select(Location.id, Location.timezone))}


def receivables(*, as_of: date | None = None, invoice_scope: Select | None = None) -> list[AgedDebtor]:
    """Open invoices grouped by whom they bill (payer or client), aged from their issue date
    to ``as_of``: by default today at the invoice's own location (never UTC's date). Only
    the invoices listed open are read (``open_invoice``), each checked against the scope."""
    todays = location_todays() if as_of is None else {}
    query = open_invoices().join(OpenInvoice, OpenInvoice.invoice_id == Invoice.id)
    condition = scope_condition(Invoice, invoice_scope) if invoice_scope is not None else None
    if condition is not None:
        query = query.where(condition)
    subquery = query.subquery()
    rows = db.session.execute(select(subquery).where(subquery.c.balance > 0).order_by(subquery.c.issued_on)).all()
    debtors: dict[tuple, AgedDebtor] = {}
    for row in rows:
        bill_to = row.snapshot["bill_to"]
        key = ("payer", row.payer_id) if row.payer_id else ("client", row.client_id)
        debtor = debtors.setdefault(key, AgedDebtor(bill_to=bill_to["name"], kind=key[0],
                                                    buckets={label: ZERO for *_, label in AGE_BUCKETS}))
        age = ((as_of or todays[row.location_id]) - row.issued_on).days
        label = next(label for low, high, label in AGE_BUCKETS if age >= low and (high is None or age <= high)) \
            if age >= 0 else AGE_BUCKETS[0][2]
        balance = Decimal(row.balance).quantize(Decimal("0.01"))
        debtor.buckets[label] += balance
        debtor.invoices.append({"id": row.id, "number": row.number, "issued_on": row.issued_on.isoformat(),
                                "balance": str(balance), "age_days": age, "client_id": row.client_id})
    return sorted(debtors.values(), key=lambda d: -d.total)
