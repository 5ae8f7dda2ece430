"""The audit trail: who changed what, when, from what to what. Append-only."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

JSON_DOC = JSON().with_variant(JSONB(), "postgresql")


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON_DOC)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON_DOC)

    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id", "at"),)
