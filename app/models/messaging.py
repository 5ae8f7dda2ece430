"""The message outbox and what decides what goes into it.

``Message`` is one email, SMS or WhatsApp message to one recipient, written in the same
transaction as the change that causes it; Redis/RQ only deliver it (app/messaging).
Its ``dedupe_key`` is unique, so the same message can never be created twice, and its
``state`` only moves through conditional UPDATEs (pending → sending → sent / failed /
canceled), so two workers can never both send it.

The clinic's choices live beside it: which events are notified and the new-booking
delay (``NotificationSettings``, one row), reminder offsets per location and optionally
per session type (``ReminderPlan``) and the editable templates (``MessageTemplate``).
Providers' own on/off preferences are the ``notify_*`` columns of TeamMember.
"""
from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Optional

from sqlalchemy import (
    JSON,
    Time,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.clients import Client
from app.models.clinic import Location
from app.models.services import SessionType
from app.models.team import TeamMember
from app.timeutil import UTCDateTime, utcnow


class MessageState(str, enum.Enum):
    pending = "pending"      # waiting for its due time (or for a retry)
    sending = "sending"      # claimed by a worker
    sent = "sent"            # accepted by the provider (SendGrid) or written (file channel)
    failed = "failed"        # permanent error, or temporary ones past the retry cap
    canceled = "canceled"    # withdrawn (reschedule, cancel) or no longer wanted at send time

    def __str__(self) -> str:
        return self.value


class Message(db.Model):
    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    # confirmation, change, cancellation, no_show, reminder_1..5, invoice, login_code, ...
    kind: Mapped[str] = mapped_column(String(30))
    # "client" or "provider": which template family and which preferences apply.
    audience: Mapped[str] = mapped_column(String(10), default="client")
    to_address: Mapped[str] = mapped_column(String(254))
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"), index=True)
    team_member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id", ondelete="SET NULL"))
    appointment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL"), index=True)
    # Billing's invoice; no foreign key so messaging does not depend on billing's tables.
    invoice_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    location_id: Mapped[Optional[int]] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    # Values the template needs that are not read from the database at send time
    # (a login code, a claim link); never clinical detail.
    context: Mapped[Optional[dict]] = mapped_column(JSON)
    # The appointment's start when the message was planned: a reminder for a time the
    # appointment no longer has is not sent.
    appointment_starts_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # For reminders: how long before the start, for the text ("in 2 hours").
    offset_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[MessageState] = mapped_column(
        Enum(MessageState, name="message_state", native_enum=False, length=10), default=MessageState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    provider_message_id: Mapped[Optional[str]] = mapped_column(String(120), index=True)
    # The last event the provider reported (delivered, bounce, open, ...).
    delivery_status: Mapped[Optional[str]] = mapped_column(String(30))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # What was sent, rendered at send time.
    subject: Mapped[Optional[str]] = mapped_column(String(300))
    body_text: Mapped[Optional[str]] = mapped_column(Text)
    body_html: Mapped[Optional[str]] = mapped_column(Text)
    ics_uid: Mapped[Optional[str]] = mapped_column(String(120))
    ics_sequence: Mapped[Optional[int]] = mapped_column(Integer)
    # Text messages: how many SMS segments the body took (what the provider charges).
    segments: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    client: Mapped[Optional[Client]] = relationship()
    team_member: Mapped[Optional[TeamMember]] = relationship()
    appointment: Mapped[Optional[Appointment]] = relationship()
    location: Mapped[Optional[Location]] = relationship()
    attempt_log: Mapped[list["MessageAttempt"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MessageAttempt.id")
    events: Mapped[list["MessageEvent"]] = relationship(back_populates="message", order_by="MessageEvent.id")

    __table_args__ = (
        # The sweep's two questions: what is due, and what is stuck in sending.
        Index("ix_message_state_due", "state", "due_at"),
        # The Messages list: latest due first, one page in index order (migration 0028).
        Index("ix_message_due_at_id", "due_at", "id"),
        CheckConstraint("audience IN ('client', 'provider')", name="ck_message_audience"),
    )

    def __repr__(self) -> str:
        return f"{self.kind} to {self.to_address}"


class MessageAttempt(db.Model):
    """One try at sending (or the decision not to): the message's history."""

    __tablename__ = "message_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # sent, retry, failed, skipped, resent, canceled
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[Optional[int]] = mapped_column(Integer)
    detail: Mapped[Optional[str]] = mapped_column(Text)

    message: Mapped[Message] = relationship(back_populates="attempt_log")

    def __repr__(self) -> str:
        return f"{self.outcome} at {self.at:%Y-%m-%d %H:%M:%S}"


class MessageEvent(db.Model):
    """A delivery event reported by the provider's webhook (delivered, bounce, open...)."""

    __tablename__ = "message_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SendGrid's own id of the event: the same event posted twice is recorded once.
    provider_event_id: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[Optional[int]] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[Optional[str]] = mapped_column(Text)

    message: Mapped[Optional[Message]] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"{self.event} at {self.at:%Y-%m-%d %H:%M:%S}"


class NotificationSettings(db.Model):
    """Which events are notified, to whom, and after which delay. One row (id 1)."""

    __audited__ = True
    __tablename__ = "notification_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    change_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    no_show_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Providers hear about their own appointments (each may still opt out per event).
    providers_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # New-booking (and change) messages wait this long, so the front desk can finish
    # editing and the client gets one message with the final details.
    new_booking_delay_minutes: Mapped[int] = mapped_column(Integer, default=3)
    # The sender; blank means the clinic's email from the clinic settings.
    from_email: Mapped[Optional[str]] = mapped_column(String(254))

    __table_args__ = (
        CheckConstraint("new_booking_delay_minutes >= 0 AND new_booking_delay_minutes <= 1440",
                        name="ck_notification_settings_delay_range"),
    )

    def __repr__(self) -> str:
        return "Notification settings"


class ReminderPlan(db.Model):
    """Up to five reminder offsets for a location, or for one session type there."""

    __audited__ = True
    __tablename__ = "reminder_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    # Empty: the location's default; set: overrides it for that session type.
    session_type_id: Mapped[Optional[int]] = mapped_column(ForeignKey("session_type.id", ondelete="CASCADE"))
    # "7d, 24h, 2h": parsed and kept canonical by app.messaging.offsets. Empty: none.
    offsets: Mapped[str] = mapped_column(String(100), default="")

    location: Mapped[Location] = relationship()
    session_type: Mapped[Optional[SessionType]] = relationship()

    __table_args__ = (
        UniqueConstraint("location_id", "session_type_id", name="uq_reminder_plan_location_session_type"),
    )

    def __repr__(self) -> str:
        return f"{self.location} / {self.session_type or 'all sessions'}: {self.offsets or 'none'}"


class MessageTemplate(db.Model):
    """A manager's version of one message kind for one audience (else the default)."""

    __audited__ = True
    __tablename__ = "message_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    audience: Mapped[str] = mapped_column(String(10), default="client")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # One version per language ("en", "fr_CA", "pt_PT"); see templates.template_for.
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("kind", "audience", "language", name="uq_message_template_kind_audience_language"),)

    def __repr__(self) -> str:
        return f"{self.kind} ({self.audience}, {self.language})"

    @property
    def preview_path(self) -> str:
        """The Templates screen's preview of this row (listed beside it)."""
        return f"/messagetemplateview/preview/{self.id}"


class LocationTextSettings(db.Model):
    """Text messages (SMS, WhatsApp) for one location: the sender number, the quiet
    hours on the location's clock and which messages go by text. No row: no texts."""

    __audited__ = True
    __tablename__ = "location_text_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), unique=True)
    # E.164 number (or Twilio alphanumeric sender) texts come from.
    sender_number: Mapped[str] = mapped_column(String(20))
    # Send through WhatsApp (same provider) instead of SMS, from this number (blank: sender_number).
    whatsapp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    whatsapp_sender: Mapped[Optional[str]] = mapped_column(String(20))
    # No text between these wall-clock times (start after end: across midnight). Both
    # empty: no quiet hours.
    quiet_start: Mapped[Optional[time]] = mapped_column(Time)
    quiet_end: Mapped[Optional[time]] = mapped_column(Time)
    # Comma-separated kinds that go by text: confirmation, change, cancellation, no_show, reminder.
    text_kinds: Mapped[str] = mapped_column(String(200), default="confirmation,change,cancellation,reminder")

    location: Mapped[Location] = relationship()

    def __repr__(self) -> str:
        return f"Texts for {self.location}"
