"""The access log of patient records (``AccessEvent``): every staff read, one insert per request.

Code that shows a patient record to a staff user calls ``record_read()`` with what it
showed. Reads are collected on the request and written together after the response
is ready (``_write_reads``), as one INSERT in the request's own session and
transaction: one statement per request however many records a page shows, and on
SQLite no second connection waiting for the write lock the request already holds.
Only successful responses are logged (a 403/404 showed nothing). Reads outside a
request (CLI, jobs) are written at once by the caller's transaction.

Rows are never changed: the application only inserts, and on PostgreSQL a trigger
(migration 0006) refuses UPDATE and DELETE of access and audit rows alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import insert, select

from app.extensions import db
from app.models import AccessEvent
from app.timeutil import utcnow

_PENDING = "plinth_access_reads"

# What can be read, by name; the client file lists these in words.
SUBJECT_LABELS = {
    "client": "client record",
    "case": "case",
    "appointment": "appointment",
    "invoice": "invoice",
    "invoice_pdf": "invoice PDF",
    "note": "treatment note",
    "form": "form answers",
    "attachment": "attachment",
    "export": "data export",
}


def record_read(subject_type: str, subject_id: int, *, client_id: int | None, action: str = "view") -> None:
    """Log that the current staff user was shown ``subject_type`` #``subject_id``.

    The same subject shown twice in one request is logged once.
    """
    if subject_type not in SUBJECT_LABELS:
        raise ValueError(f"unknown access subject {subject_type!r}")
    row = {"subject_type": subject_type, "subject_id": int(subject_id),
           "client_id": int(client_id) if client_id is not None else None, "action": action}
    if not has_request_context():
        db.session.execute(insert(AccessEvent), [{**row, "at": utcnow(), "actor_id": None}])
        return
    pending = g.setdefault(_PENDING, {})
    pending.setdefault((subject_type, row["subject_id"], action), row)


def _actor_id() -> int | None:
    user = getattr(g, "user", None)
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _write_reads(response):
    pending = g.pop(_PENDING, None)
    if not pending or response.status_code >= 400:
        return response
    common = {"at": utcnow(), "actor_id": _actor_id(), "ip": (request.remote_addr or "")[:45] or None,
              "route": request.path[:200]}
    db.session.execute(insert(AccessEvent), [{**row, **common} for row in pending.values()])
    db.session.commit()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_write_reads)


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    actor_id: int | None
    subject_type: str
    subject_id: int
    action: str
    ip: str | None

    @property
    def what(self) -> str:
        return SUBJECT_LABELS.get(self.subject_type, self.subject_type)


def reads_of_client(client_id: int, *, limit: int = 50) -> list[AccessEntry]:
    """The latest reads of anything belonging to this client, newest first (one query)."""
    rows = db.session.execute(
        select(AccessEvent.at, AccessEvent.actor_id, AccessEvent.subject_type, AccessEvent.subject_id,
               AccessEvent.action, AccessEvent.ip)
        .where(AccessEvent.client_id == client_id)
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc())
        .limit(limit)
    ).all()
    return [AccessEntry(*row) for row in rows]
