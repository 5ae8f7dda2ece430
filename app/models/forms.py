"""Forms patients fill: intake questionnaires, health histories, consents, outcome measures.

A ``FormTemplate`` is what managers name and build; each edit makes a new ``FormVersion``
(fields and scoring frozen), so a ``FormSubmission`` always shows the questions it
answered. A ``FormRequest`` is one form sent to one client (a signed link, a server-side
draft); its submission is immutable (flush guard in ``app/intake/immutability.py`` and a
PostgreSQL trigger, migration 0013): a correction is a new submission.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class FormTemplate(db.Model):
    __audited__ = True
    __tablename__ = "form_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # intake | history | consent | privacy | outcome
    purpose: Mapped[str] = mapped_column(String(20), default="intake")
    description: Mapped[Optional[str]] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list["FormVersion"]] = relationship(back_populates="template", order_by="FormVersion.number")

    def __repr__(self) -> str:
        return self.name

    @property
    def current(self) -> "FormVersion | None":
        return self.versions[-1] if self.versions else None


class FormVersion(db.Model):
    __audited__ = True
    __tablename__ = "form_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("form_template.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {"method": "sum" | "percent_of_max" | "mean", "items": [keys], "better": "lower" | "higher", "label": "NPRS"}
    scoring: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    template: Mapped[FormTemplate] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("template_id", "number", name="uq_form_version_number"),)


class FormRequest(db.Model):
    """One form asked of one client: the link's row, its draft, then its submission."""

    __audited__ = True
    __tablename__ = "form_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"), index=True)
    appointment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | submitted | withdrawn
    # Answers saved so far (save and continue); cleared when submitted.
    draft: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    version: Mapped[FormVersion] = relationship()


class FormSubmission(db.Model):
    """Submitted answers: never changed, never deleted (a correction is a new submission)."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("form_request.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case_file.id"), index=True)
    appointment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appointment.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The typed name of the signer and the drawn signature (a PNG data: URI), when the form has one.
    signed_name: Mapped[Optional[str]] = mapped_column(String(200))
    signature_image: Mapped[Optional[str]] = mapped_column(Text)
    score: Mapped[Optional[Decimal]] = mapped_column(Numeric(8, 2))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[FormVersion] = relationship()


class FormRule(db.Model):
    """Send a form automatically when a visit is booked: for a session type (or any), for
    new or returning patients (or both), with the confirmation or N days before; or, with
    ``at_discharge``, when a case of that session type is closed (``app/intake/discharge.py``)."""

    __audited__ = True
    __tablename__ = "form_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("form_template.id", ondelete="CASCADE"), index=True)
    session_type_id: Mapped[Optional[int]] = mapped_column(ForeignKey("session_type.id", ondelete="CASCADE"))
    patient_kind: Mapped[str] = mapped_column(String(10), default="any")  # new | returning | any
    # None: with the booking's confirmation; N: N days before the visit, at its wall-clock time.
    days_before: Mapped[Optional[int]] = mapped_column(Integer)
    # Outcome measures: only at every Nth visit of the case (1st, N+1th, 2N+1th...); None: every visit.
    every_n_visits: Mapped[Optional[int]] = mapped_column(Integer)
    # Sent when the case is closed (discharge), not when a visit is booked.
    at_discharge: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    template: Mapped[FormTemplate] = relationship()
    session_type = relationship("SessionType")

    def __repr__(self) -> str:
        return f"{self.template.name if self.template else 'form'} ({self.patient_kind})"


class ReviewSettings(db.Model):
    """The clinic's review requests (one row): whether, where to, how soon, how often."""

    __audited__ = True
    __tablename__ = "review_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    review_url: Mapped[Optional[str]] = mapped_column(String(500))
    delay_hours: Mapped[int] = mapped_column(Integer, default=2)
    # At most one request per client in this many days.
    min_days_between: Mapped[int] = mapped_column(Integer, default=180)


class ReviewOptOut(db.Model):
    """A client who asked not to be asked for reviews (from the email's link or by staff)."""

    __audited__ = True
    __tablename__ = "review_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
