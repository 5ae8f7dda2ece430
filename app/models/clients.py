"""The clinic's clients (patients)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.clinic import Location
from app.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.cases import Case


class Client(db.Model):
    __audited__ = True
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    preferred_name: Mapped[Optional[str]] = mapped_column(String(80))
    date_of_birth: Mapped[Optional[date]] = mapped_column(Date)
    email: Mapped[Optional[str]] = mapped_column(String(254), index=True)
    # Always E.164 (+14165550123) so lookups and SMS work whatever was typed.
    phone: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    address_line1: Mapped[Optional[str]] = mapped_column(String(200))
    address_line2: Mapped[Optional[str]] = mapped_column(String(200))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    region: Mapped[Optional[str]] = mapped_column(String(100))
    postal_code: Mapped[Optional[str]] = mapped_column(String(20))
    country: Mapped[Optional[str]] = mapped_column(String(2))
    tax_id: Mapped[Optional[str]] = mapped_column(String(50))
    # The language of everything sent to them (app/i18n): "en", "fr_CA", "pt_PT"; None = their location's.
    preferred_language: Mapped[Optional[str]] = mapped_column(String(10))
    # Shown prominently whenever the client is opened or booked (allergies, mobility...).
    alerts: Mapped[Optional[str]] = mapped_column(Text)
    online_booking_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The client's usual location; front desk sees clients of their own locations.
    home_location_id: Mapped[Optional[int]] = mapped_column(ForeignKey("location.id"), index=True)
    # How the client wants to hear from the clinic: "email", "sms" or "both" (texts
    # only with consent; app.messaging.consent decides, and falls back to email).
    message_channel: Mapped[str] = mapped_column(String(5), default="email")
    # Consent to text messages: when and how it was given (staff, online, import, reply);
    # a later opt-out (STOP) wins until consent is given again (START).
    text_consent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    text_consent_source: Mapped[Optional[str]] = mapped_column(String(20))
    text_opted_out_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    home_location: Mapped[Optional[Location]] = relationship()
    cases: Mapped[list["Case"]] = relationship(back_populates="client", order_by="Case.opened_on.desc()")

    __table_args__ = (Index("ix_client_name", "last_name", "first_name"),)

    def __repr__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
