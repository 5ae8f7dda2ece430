"""Who pays: the client themself, an insurer, a motor-vehicle insurer, workers' comp."""
from __future__ import annotations

import enum
from typing import Optional

from sqlalchemy import Boolean, Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class PayerKind(str, enum.Enum):
    self_pay = "self_pay"
    insurer = "insurer"
    motor_vehicle = "motor_vehicle"
    workers_comp = "workers_comp"
    other = "other"

    def __str__(self) -> str:
        return self.value


class Payer(db.Model):
    __audited__ = True
    __tablename__ = "payer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[PayerKind] = mapped_column(
        Enum(PayerKind, name="payer_kind", native_enum=False, length=20)
    )
    contact_name: Mapped[Optional[str]] = mapped_column(String(120))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    address: Mapped[Optional[str]] = mapped_column(Text)
    tax_id: Mapped[Optional[str]] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return self.name
