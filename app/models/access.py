"""The access log of patient records: who opened what, when, from where. Append-only.

Changes are in the audit trail (``AuditEvent``); this table records *reads* of
patient records by staff (a client, a case, an appointment's panel, an invoice or its
PDF, and clinical content: notes, form answers, attachments). ``client_id`` names the
person the record belongs to, so "who opened this client's record" is one indexed
query whatever kind of record was opened.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class AccessEvent(db.Model):
    __tablename__ = "access_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[Optional[int]] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20), default="view")
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    route: Mapped[Optional[str]] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_access_event_client", "client_id", "at"),
        Index("ix_access_event_actor", "actor_id", "at"),
        Index("ix_access_event_subject", "subject_type", "subject_id", "at"),
    )
