"""What is booked: session types and the billing items they charge."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calendars import Calendar
from app.models.clinic import Discipline

MONEY = Numeric(12, 2)


class BillingItem(db.Model):
    """A line that can be charged: a service code or a product."""

    __audited__ = True
    __tablename__ = "billing_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    # Percent, e.g. 13.000 for 13 %.
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("0"))
    is_product: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("unit_price >= 0", name="ck_billing_item_price_non_negative"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="ck_billing_item_tax_rate_percent"),
    )

    def __repr__(self) -> str:
        return f"{self.code} — {self.name}"


# Rooms / equipment a session type can use; empty means "any of that kind at the location".
session_type_resource = Table(
    "session_type_resource",
    db.Model.metadata,
    Column("session_type_id", ForeignKey("session_type.id", ondelete="CASCADE"), primary_key=True),
    Column("calendar_id", ForeignKey("calendar.id", ondelete="CASCADE"), primary_key=True),
)


class SessionType(db.Model):
    __audited__ = True
    __tablename__ = "session_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(80))
    description: Mapped[Optional[str]] = mapped_column(Text)
    discipline_id: Mapped[int] = mapped_column(ForeignKey("discipline.id"), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(MONEY)
    colour: Mapped[str] = mapped_column(String(7), default="#3a87ad")
    online_bookable: Mapped[bool] = mapped_column(Boolean, default=False)
    for_new_clients: Mapped[bool] = mapped_column(Boolean, default=True)
    for_returning_clients: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_room: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_equipment: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    discipline: Mapped[Discipline] = relationship()
    resources: Mapped[list[Calendar]] = relationship(secondary=session_type_resource)
    billing_lines: Mapped[list["SessionTypeBillingItem"]] = relationship(
        back_populates="session_type", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="ck_session_type_duration_positive"),
        CheckConstraint("price >= 0", name="ck_session_type_price_non_negative"),
        CheckConstraint(
            "for_new_clients OR for_returning_clients", name="ck_session_type_someone_eligible"
        ),
    )

    def __repr__(self) -> str:
        return self.name


class SessionTypeBillingItem(db.Model):
    """A billing item a session charges by default on arrival, with its quantity."""

    __audited__ = True
    __tablename__ = "session_type_billing_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_type_id: Mapped[int] = mapped_column(
        ForeignKey("session_type.id", ondelete="CASCADE"), index=True
    )
    billing_item_id: Mapped[int] = mapped_column(ForeignKey("billing_item.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("1"))

    session_type: Mapped[SessionType] = relationship(back_populates="billing_lines")
    billing_item: Mapped[BillingItem] = relationship()

    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_session_type_billing_item_quantity_positive"),
        UniqueConstraint(
            "session_type_id", "billing_item_id", name="uq_session_type_billing_item"
        ),
    )

    def __repr__(self) -> str:
        return f"{self.quantity} × {self.billing_item}"
