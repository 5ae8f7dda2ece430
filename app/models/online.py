"""Online booking: the public site's settings, returning patients' one-time codes and
the waitlist.

The appointments themselves are ordinary ``Appointment`` rows (``booked_via=online``);
what lives here is only what the public site needs beside them.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.calendars import Calendar
from app.models.clients import Client
from app.models.clinic import Location
from app.models.payers import Payer
from app.models.services import SessionType
from app.timeutil import UTCDateTime, utcnow


class OnlineBookingSettings(db.Model):
    """The public booking site's own settings (one row; ``online_booking_settings()``)."""

    __audited__ = True
    __tablename__ = "online_booking_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whole site switch: off shows "book by phone" instead of the steps.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Origins (scheme://host[:port]) allowed to frame /book/, one per line. Empty: only
    # Plinth's own pages may frame it.
    embed_origins: Mapped[Optional[str]] = mapped_column(Text)
    # Shown on the first page (opening hours, parking, what to bring...).
    welcome_text: Mapped[Optional[str]] = mapped_column(Text)

    def __repr__(self) -> str:
        return "Online booking settings"


def online_booking_settings() -> OnlineBookingSettings:
    """The settings row, created with defaults on first use."""
    from app.models.settings import singleton

    return singleton(OnlineBookingSettings, enabled=True)


class LoginCode(db.Model):
    """A one-time code a returning patient asked for. Neither the email nor the code is
    stored: both are keyed hashes (HMAC with the app's secret), so a copy of the table
    reveals neither who asked nor a usable code. Not audited (ephemeral, secret)."""

    __tablename__ = "online_login_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("attempts >= 0", name="ck_online_login_code_attempts"),)


class WaitlistStatus(str, enum.Enum):
    waiting = "waiting"
    booked = "booked"      # claimed an offer
    removed = "removed"    # by the patient or the front desk

    def __str__(self) -> str:
        return self.value


class WaitlistEntry(db.Model):
    """A patient waiting for a time that suits: a service, a provider (or anyone), the
    days and times they can come, and how to reach them."""

    __audited__ = True
    __tablename__ = "waitlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    session_type_id: Mapped[int] = mapped_column(ForeignKey("session_type.id"))
    # A provider's calendar, or None for "any available".
    calendar_id: Mapped[Optional[int]] = mapped_column(ForeignKey("calendar.id", ondelete="SET NULL"))
    # A verified returning patient; None for a new patient (a client is made on claim).
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    is_new_client: Mapped[bool] = mapped_column(Boolean, default=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    date_of_birth: Mapped[Optional[date]] = mapped_column(Date)
    payer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("payer.id"))
    policy_number: Mapped[Optional[str]] = mapped_column(String(60))
    # Weekdays as digits, 0 = Monday ("024" = Mon, Wed, Fri); empty means any day.
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    earliest: Mapped[Optional[time]] = mapped_column(Time)   # local wall clock
    latest: Mapped[Optional[time]] = mapped_column(Time)     # latest start
    until: Mapped[Optional[date]] = mapped_column(Date)      # stop waiting after
    notes: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[WaitlistStatus] = mapped_column(
        Enum(WaitlistStatus, name="waitlist_status", native_enum=False, length=10),
        default=WaitlistStatus.waiting,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    location: Mapped[Location] = relationship()
    session_type: Mapped[SessionType] = relationship()
    calendar: Mapped[Optional[Calendar]] = relationship()
    client: Mapped[Optional[Client]] = relationship()
    payer: Mapped[Optional[Payer]] = relationship()
    offers: Mapped[list["WaitlistOffer"]] = relationship(back_populates="entry", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("earliest IS NULL OR latest IS NULL OR earliest <= latest",
                        name="ck_waitlist_entry_times_ordered"),
        Index("ix_waitlist_entry_waiting", "status", "location_id"),
    )

    def __repr__(self) -> str:
        return f"{self.first_name} {self.last_name} — {self.session_type}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def preferences(self) -> str:
        """“Mon, Wed; 09:00–12:00; until 30 Apr 2026”, for the waitlist screen."""
        days = "Mon Tue Wed Thu Fri Sat Sun".split()
        parts = [", ".join(days[int(d)] for d in self.weekdays or "" if d in "0123456") or "any day"]
        if self.earliest or self.latest:
            parts.append(f"{self.earliest.strftime('%H:%M') if self.earliest else '…'}–"
                         f"{self.latest.strftime('%H:%M') if self.latest else '…'}")
        if self.until:
            parts.append(f"until {self.until:%d %b %Y}")
        return "; ".join(parts)

    @property
    def offers_made(self) -> str:
        claimed = sum(1 for o in self.offers if o.status == OfferStatus.claimed)
        return f"{len(self.offers)}" + (f" ({claimed} claimed)" if claimed else "")


class OfferStatus(str, enum.Enum):
    open = "open"
    claimed = "claimed"
    gone = "gone"  # someone else claimed it, or the time was booked otherwise

    def __str__(self) -> str:
        return self.value


class WaitlistOffer(db.Model):
    """A freed time offered to one waiting patient by email. Several entries may be
    offered the same time; the first claim books it and the others become ``gone``."""

    __audited__ = True
    __tablename__ = "waitlist_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entry.id", ondelete="CASCADE"), index=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[OfferStatus] = mapped_column(
        Enum(OfferStatus, name="waitlist_offer_status", native_enum=False, length=10),
        default=OfferStatus.open,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    appointment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"))

    entry: Mapped[WaitlistEntry] = relationship(back_populates="offers")
    calendar: Mapped[Calendar] = relationship()

    __table_args__ = (Index("ix_waitlist_offer_slot", "calendar_id", "starts_at"),)


class WaitlistOpening(db.Model):
    """Time that became free (a cancellation, a move, a new shift), recorded in the same
    transaction as the change, so the waitlist hears of it even if the queue was down
    when it happened; the worker turns openings into offers and stamps them processed."""

    __tablename__ = "waitlist_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (CheckConstraint("starts_at < ends_at", name="ck_waitlist_opening_ordered"),)


class BookingDraft(db.Model):
    """A patient's booking in progress on the public site: what they typed (name, email,
    date of birth, phone, policy number, notes) stays here, server-side, and the browser
    holds only this row's random id (the session cookie is signed, not encrypted, and
    limited to 4 KB). Rows expire (``app.booking.drafts.DRAFT_HOURS``) and are purged.
    Not audited (ephemeral; the booking itself is)."""

    __tablename__ = "online_booking_draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class BookingConfirmation(db.Model):
    """One press of "Confirm booking": the review page's one-time nonce, inserted in the
    same transaction as the appointment. A second press with the same nonce (a double
    click, a resubmit) hits the primary key and is shown the first one's appointment."""

    __tablename__ = "online_booking_confirmation"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    appointment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
