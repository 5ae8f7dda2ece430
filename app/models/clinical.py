"""The clinical record: note templates, treatment notes and their addenda, the visit's
progress (started / completed), a case's treatment plan, and attachments.

A note is a draft until its author signs it; from then on it is a document: neither the
application (``app/clinical/immutability.py``) nor, on PostgreSQL, a hand-written UPDATE
(trigger in migration 0012) may change or delete it. Corrections are addenda, each signed
when it is written and never changed either.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.appointments import Appointment
from app.models.cases import Case
from app.models.clients import Client
from app.models.clinic import Discipline
from app.models.team import TeamMember
from app.timeutil import UTCDateTime, utcnow


class NoteTemplate(db.Model):
    """What a note asks for: sections of fields (free text, pain 0–10, checklists,
    measurements with a unit). The shape is checked by ``app/clinical/templates.py``."""

    __audited__ = True
    __tablename__ = "note_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    discipline_id: Mapped[Optional[int]] = mapped_column(ForeignKey("discipline.id"))
    # [{"title": "Subjective", "fields": [{"key": "pain", "label": "Pain", "kind": "pain"}, ...]}, ...]
    sections: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    discipline: Mapped[Optional[Discipline]] = relationship()

    def __repr__(self) -> str:
        return self.name


class Note(db.Model):
    """The treatment note of one visit (one per appointment)."""

    __tablename__ = "clinical_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    # The treating provider: the only one who writes and signs it.
    author_id: Mapped[int] = mapped_column(ForeignKey("team_member.id"), index=True)
    template_id: Mapped[Optional[int]] = mapped_column(ForeignKey("note_template.id"))
    # The template's sections as they were when the note was started, so editing a
    # template never changes what an old note asked or means.
    sections: Mapped[list] = mapped_column(JSON, default=list)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id"))
    # SHA-256 over the signed document (``app/clinical/signing.py``), so a copy can be verified.
    content_hash: Mapped[Optional[str]] = mapped_column(String(64))

    appointment: Mapped[Appointment] = relationship()
    case: Mapped[Case] = relationship()
    author: Mapped[TeamMember] = relationship(foreign_keys=[author_id])
    signed_by: Mapped[Optional[TeamMember]] = relationship(foreign_keys=[signed_by_id])
    template: Mapped[Optional[NoteTemplate]] = relationship()
    addenda: Mapped[list["Addendum"]] = relationship(back_populates="note", order_by="Addendum.signed_at")

    __table_args__ = (
        CheckConstraint("(signed_at IS NULL) = (content_hash IS NULL)", name="ck_clinical_note_signed_with_hash"),
        Index("ix_clinical_note_author_signed", "author_id", "signed_at"),
    )

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Addendum(db.Model):
    """A later correction or addition to a signed note, signed as it is written."""

    __tablename__ = "clinical_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("clinical_note.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("team_member.id"))
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))

    note: Mapped[Note] = relationship(back_populates="addenda")
    author: Mapped[TeamMember] = relationship()


class VisitProgress(db.Model):
    """The provider's own marks on a visit: started and completed. Kept beside the status
    machine, not in it: the front desk's Arrived (and billing) keep their meaning, and
    starting requires the client to have arrived."""

    __audited__ = True
    __tablename__ = "visit_progress"

    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), primary_key=True)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    started_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id"))
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id"))

    @property
    def id(self) -> int:  # the audit trail names rows by id; this one is the visit's
        return self.appointment_id


class TreatmentPlan(db.Model):
    """The plan of a case: how many sessions how often, the goals, when to reassess, and
    the discharge."""

    __audited__ = True
    __tablename__ = "treatment_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), unique=True)
    planned_sessions: Mapped[Optional[int]] = mapped_column(Integer)
    frequency: Mapped[Optional[str]] = mapped_column(String(80))  # "2× a week for 3 weeks"
    goals: Mapped[Optional[str]] = mapped_column(Text)
    # Reassessment is due after this many attended visits counted from the plan's start,
    # or on this date, whichever comes first.
    reassess_after_visits: Mapped[Optional[int]] = mapped_column(Integer)
    reassess_on: Mapped[Optional[date]] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[Optional[date]] = mapped_column(Date)
    discharge_summary: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()

    __table_args__ = (
        CheckConstraint("planned_sessions IS NULL OR planned_sessions > 0", name="ck_treatment_plan_sessions_positive"),
        CheckConstraint("reassess_after_visits IS NULL OR reassess_after_visits > 0",
                        name="ck_treatment_plan_reassess_positive"),
        CheckConstraint("discharged_on IS NULL OR discharge_summary IS NOT NULL",
                        name="ck_treatment_plan_discharge_summary"),
    )


class Attachment(db.Model):
    """A file on a client (or one of their cases): referral letter, prescription, imaging
    report. The bytes live under the instance folder (``storage_key``), never in static."""

    __audited__ = True
    __tablename__ = "clinical_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case_file.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[Optional[str]] = mapped_column(String(200))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team_member.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    client: Mapped[Client] = relationship()
    case: Mapped[Optional[Case]] = relationship()
    uploaded_by: Mapped[Optional[TeamMember]] = relationship()

    __table_args__ = (CheckConstraint("size > 0", name="ck_clinical_attachment_size_positive"),)
