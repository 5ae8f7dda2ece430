"""Bringing a clinic's patients in and out: CSV imports of clients and data exports."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class ClientImport(db.Model):
    """One uploaded CSV of clients: its bytes until it is imported, the options chosen
    and, once run, the report of every row (downloadable later). Not audited row by row
    (the file's bytes do not belong in the trail): the import service records its own
    event, and every client it creates or changes is audited."""

    __tablename__ = "client_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    # The file itself, kept only until it is imported (patient data does not linger).
    content: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    # "uploaded" → "imported" (or "refused": all-or-nothing with errors, nothing written).
    status: Mapped[str] = mapped_column(String(20), default="uploaded")
    options: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    counts: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    report: Mapped[Optional[list[Any]]] = mapped_column(JSON)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class DataExport(db.Model):
    """A record that someone took data out: the clinic's client list or one client's file."""

    __audited__ = True
    __tablename__ = "data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # "clients_csv" | "client_zip"
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"), index=True)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
