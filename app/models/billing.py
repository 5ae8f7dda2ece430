"""Money: charges on a case, invoices (immutable once issued), payments, fees, packages.

Amounts are ``Decimal`` in ``Numeric(12, 2)`` columns; rounding happens in one place
(app/billing/pricing.py). An invoice is a document: issued once with a snapshot of who
billed whom for what, never changed afterwards (corrections are credit notes). Paid-ness is
never stored: balances are sums over payment allocations, so voiding a payment reopens
exactly what it settled.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.cases import Case
from app.models.clients import Client
from app.models.clinic import Location
from app.models.payers import Payer
from app.models.services import MONEY, BillingItem, SessionType
from app.models.team import TeamMember
from app.timeutil import UTCDateTime, utcnow

QUANTITY = Numeric(8, 2)
RATE = Numeric(6, 3)


def _enum(cls, name: str, length: int = 20):
    return Enum(cls, name=name, native_enum=False, length=length)


class ChargeKind(str, enum.Enum):
    service = "service"   # a session's default charge or another service
    product = "product"   # sold during the visit
    fee = "fee"           # no-show or late-cancel fee
    package = "package"   # the sale of a prepaid package

    def __str__(self) -> str:
        return self.value


class FeeMode(str, enum.Enum):
    fixed = "fixed"
    percent = "percent"   # of the session type's price

    def __str__(self) -> str:
        return self.value


class FeePolicy(db.Model):
    """What a no-show and a late cancel cost at a location, optionally per session type."""

    __audited__ = True
    __tablename__ = "fee_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    # None: the location's default; a session type's own row wins over it.
    session_type_id: Mapped[Optional[int]] = mapped_column(ForeignKey("session_type.id", ondelete="CASCADE"))
    no_show_mode: Mapped[Optional[FeeMode]] = mapped_column(_enum(FeeMode, "fee_mode", 10))
    no_show_amount: Mapped[Optional[Decimal]] = mapped_column(MONEY)
    late_cancel_mode: Mapped[Optional[FeeMode]] = mapped_column(_enum(FeeMode, "fee_mode", 10))
    late_cancel_amount: Mapped[Optional[Decimal]] = mapped_column(MONEY)
    # A cancel less than this many hours before the start is late.
    late_cancel_hours: Mapped[int] = mapped_column(Integer, default=24)

    location: Mapped[Location] = relationship()
    session_type: Mapped[Optional[SessionType]] = relationship()

    __table_args__ = (
        UniqueConstraint("location_id", "session_type_id", name="uq_fee_policy_location_session_type"),
        # NULLs never collide in a unique constraint: one location default, by a partial index.
        Index("uq_fee_policy_location_default", "location_id", unique=True,
              sqlite_where=text("session_type_id IS NULL"), postgresql_where=text("session_type_id IS NULL")),
        CheckConstraint("no_show_amount IS NULL OR no_show_amount >= 0", name="ck_fee_policy_no_show_non_negative"),
        CheckConstraint("late_cancel_amount IS NULL OR late_cancel_amount >= 0",
                        name="ck_fee_policy_late_cancel_non_negative"),
        CheckConstraint("late_cancel_hours >= 0", name="ck_fee_policy_late_cancel_hours_non_negative"),
    )

    def __repr__(self) -> str:
        return f"Fees at {self.location}" + (f" for {self.session_type}" if self.session_type_id else "")


package_type_session_type = Table(
    "package_type_session_type",
    db.Model.metadata,
    Column("package_type_id", ForeignKey("package_type.id", ondelete="CASCADE"), primary_key=True),
    Column("session_type_id", ForeignKey("session_type.id", ondelete="CASCADE"), primary_key=True),
)


class PackageType(db.Model):
    """A prepaid package the clinic sells: N visits of eligible session types."""

    __audited__ = True
    __tablename__ = "package_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    sessions: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0"))
    valid_days: Mapped[Optional[int]] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    session_types: Mapped[list[SessionType]] = relationship(secondary=package_type_session_type)

    __table_args__ = (
        CheckConstraint("sessions > 0", name="ck_package_type_sessions_positive"),
        CheckConstraint("price >= 0", name="ck_package_type_price_non_negative"),
        CheckConstraint("valid_days IS NULL OR valid_days > 0", name="ck_package_type_valid_days_positive"),
    )

    def __repr__(self) -> str:
        return self.name


class ClientPackage(db.Model):
    """A package a client bought; visits draw it down (PackageUse)."""

    __audited__ = True
    __tablename__ = "client_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    package_type_id: Mapped[int] = mapped_column(ForeignKey("package_type.id"))
    sessions_total: Mapped[int] = mapped_column(Integer)
    purchased_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[Optional[date]] = mapped_column(Date)
    # Taken back (sold by mistake, unused): kept for the trail, never drawn down.
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    client: Mapped[Client] = relationship()
    package_type: Mapped[PackageType] = relationship()
    uses: Mapped[list["PackageUse"]] = relationship(back_populates="package")

    __table_args__ = (CheckConstraint("sessions_total > 0", name="ck_client_package_sessions_positive"),)

    def __repr__(self) -> str:
        return f"{self.package_type} ({self.client})"


class PackageUse(db.Model):
    """One visit covered by a package; an appointment uses at most one package visit."""

    __audited__ = True
    __tablename__ = "package_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("client_package.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), unique=True)

    package: Mapped[ClientPackage] = relationship(back_populates="uses")
    appointment: Mapped[Appointment] = relationship()


class Charge(db.Model):
    """Something billable on a case. Editable until invoiced; then frozen with its invoice."""

    __audited__ = True
    __tablename__ = "charge"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    appointment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appointment.id"), index=True)
    billing_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("billing_item.id"))
    # Who the service is billed under (their registration number goes on the invoice).
    provider_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id"))
    kind: Mapped[ChargeKind] = mapped_column(_enum(ChargeKind, "charge_kind"), default=ChargeKind.service)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("1"))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0"))
    # Added by "Arrive" from the session type (voidable when arrival is undone).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    client_package_id: Mapped[Optional[int]] = mapped_column(ForeignKey("client_package.id"))
    invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoice.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    # Removed charges are voided, not deleted: invoice lines and the trail may point at them.
    voided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship()
    appointment: Mapped[Optional[Appointment]] = relationship()
    billing_item: Mapped[Optional[BillingItem]] = relationship()
    provider: Mapped[Optional[TeamMember]] = relationship()
    client_package: Mapped[Optional[ClientPackage]] = relationship()
    invoice: Mapped[Optional["Invoice"]] = relationship(back_populates="charges")

    __table_args__ = (
        # The Charges list: newest first, one page in index order (migration 0028).
        Index("ix_charge_created_at_id", "created_at", "id"),
        CheckConstraint("quantity > 0", name="ck_charge_quantity_positive"),
        CheckConstraint("unit_price >= 0", name="ck_charge_unit_price_non_negative"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="ck_charge_tax_rate_percent"),
    )

    def __repr__(self) -> str:
        return f"{self.quantity} × {self.description}"


class InvoiceKind(str, enum.Enum):
    invoice = "invoice"
    credit_note = "credit_note"

    def __str__(self) -> str:
        return self.value


class InvoiceSequence(db.Model):
    """The next invoice number of a location; its row lock makes numbering gapless."""

    __tablename__ = "invoice_sequence"

    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class Invoice(db.Model):
    """An issued invoice or credit note. Never updated or deleted (guarded in
    app/billing/immutability.py and, on PostgreSQL, by a trigger)."""

    __audited__ = True
    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvoiceKind] = mapped_column(_enum(InvoiceKind, "invoice_kind"), default=InvoiceKind.invoice)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    # Bill-to: an insurer (payer) or, when None, the client (self-pay).
    payer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("payer.id"), index=True)
    credits_invoice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("invoice.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_on: Mapped[date] = mapped_column(Date, index=True)  # reports and the dashboard read one period
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    tax_total: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    # Who billed whom: clinic, location, providers, client, payer, claim — as issued.
    snapshot: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))

    location: Mapped[Location] = relationship()
    case: Mapped[Case] = relationship()
    client: Mapped[Client] = relationship()
    payer: Mapped[Optional[Payer]] = relationship()
    credits_invoice: Mapped[Optional["Invoice"]] = relationship(remote_side=[id])
    issued_by: Mapped[Optional[User]] = relationship(User)
    lines: Mapped[list["InvoiceLine"]] = relationship(back_populates="invoice", order_by="InvoiceLine.position")
    charges: Mapped[list[Charge]] = relationship(back_populates="invoice")

    __table_args__ = (
        UniqueConstraint("location_id", "sequence", name="uq_invoice_location_sequence"),
        # The Invoices list of a one-location reader, in its order (app/views/one_location.py).
        Index("ix_invoice_location_id_id", "location_id", "id"),
        CheckConstraint("(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)",
                        name="ck_invoice_credit_note_references_original"),
    )

    def __repr__(self) -> str:
        return self.number


class OpenInvoice(db.Model):
    """An invoice that still asks for money. Receivables reads these rows, so its cost grows
    with what is outstanding, not with every invoice ever issued (issue 13). Not a stored
    balance: only which invoices to compute one for, written by ``balances.reckon_open`` in
    the transaction of every change of what an invoice is owed (issue, credit note, payment
    allocated, refunded or voided); the balance is still the sum it always was."""

    __tablename__ = "open_invoice"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), primary_key=True)


class InvoiceLine(db.Model):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    charge_id: Mapped[Optional[int]] = mapped_column(ForeignKey("charge.id"))
    service_date: Mapped[Optional[date]] = mapped_column(Date)
    code: Mapped[Optional[str]] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200))
    provider: Mapped[Optional[str]] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(RATE)
    net: Mapped[Decimal] = mapped_column(MONEY)
    tax: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class PaymentMethod(str, enum.Enum):
    cash = "cash"
    card = "card"
    bank_transfer = "bank_transfer"
    insurer = "insurer"

    def __str__(self) -> str:
        return self.value


class Payment(db.Model):
    """Money received from a client (or their insurer on their behalf). What is not
    allocated to invoices is the client's credit, applicable later."""

    __audited__ = True
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    # From a client, or from an insurer settling invoices of several clients.
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("client.id"), index=True)
    payer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("payer.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reference: Mapped[Optional[str]] = mapped_column(String(120))
    received_on: Mapped[date] = mapped_column(Date, index=True)  # reports and the dashboard read one period
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    voided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    void_reason: Mapped[Optional[str]] = mapped_column(Text)
    voided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))

    client: Mapped[Optional[Client]] = relationship()
    payer: Mapped[Optional[Payer]] = relationship()
    location: Mapped[Location] = relationship()
    allocations: Mapped[list["PaymentAllocation"]] = relationship(back_populates="payment")

    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_payment_amount_positive"),
        CheckConstraint("client_id IS NOT NULL OR payer_id IS NOT NULL", name="ck_payment_from_someone"),
        # The Payments list of a one-location reader, in its order (app/views/one_location.py).
        Index("ix_payment_location_received_on_id", "location_id", "received_on", "id"),
    )

    def __repr__(self) -> str:
        return f"{self.method.value} {self.amount} on {self.received_on}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class PaymentAllocation(db.Model):
    """Part of a payment settling an invoice."""

    __audited__ = True
    __tablename__ = "payment_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()

    def __str__(self) -> str:
        from app.i18n.formatting import location_currency, money

        return f"{money(self.amount, location_currency(self.invoice.location))} to {self.invoice.number}"

    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_payment_allocation_amount_positive"),
        Index("ix_payment_allocation_payment_invoice", "payment_id", "invoice_id"),
    )


def _open_balance():
    """What an invoice still asks for, in the same SELECT that loads it (for lists; services
    compute balances with app.billing.balances, which is always current)."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import aliased

    note = aliased(Invoice)
    credited = (select(func.coalesce(func.sum(note.total), 0)).where(note.credits_invoice_id == Invoice.id)
                .correlate_except(note).scalar_subquery())
    paid = (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.invoice_id == Invoice.id, Payment.voided_at.is_(None))
            .correlate_except(PaymentAllocation, Payment).scalar_subquery())
    return column_property(Invoice.total + credited - paid)


Invoice.open_balance = _open_balance()
