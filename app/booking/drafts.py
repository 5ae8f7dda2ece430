"""Server-side drafts of a booking in progress (``BookingDraft``).

What a patient types (name, email, date of birth, phone, policy number, notes, the email
asked for a code) is personal data: it lives in a draft row, and the browser's session
cookie holds only the row's random id. A draft lasts ``DRAFT_HOURS`` after its last
change; older rows are purged whenever a draft is written. Services flush; the view
commits.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete

from app.extensions import db
from app.models import BookingDraft
from app.timeutil import utcnow

DRAFT_HOURS = 2


def load(draft_id: str | None, *, now: datetime | None = None) -> dict:
    """The draft's data ({} when there is none, or it expired)."""
    if not draft_id:
        return {}
    row = db.session.get(BookingDraft, draft_id)
    if row is None or row.updated_at < (now or utcnow()) - timedelta(hours=DRAFT_HOURS):
        return {}
    return json.loads(row.data or "{}")


def save(draft_id: str | None, changes: dict, *, now: datetime | None = None) -> str:
    """Merge ``changes`` into the draft (a new one when ``draft_id`` is unknown or
    expired) and return its id. ``None`` values remove keys."""
    now = now or utcnow()
    row = db.session.get(BookingDraft, draft_id) if draft_id else None
    if row is not None and row.updated_at < now - timedelta(hours=DRAFT_HOURS):
        db.session.delete(row)
        row = None
    if row is None:
        row = BookingDraft(id=secrets.token_urlsafe(32), data="{}")
        db.session.add(row)
    data = {**json.loads(row.data or "{}"), **changes}
    row.data = json.dumps({k: v for k, v in data.items() if v is not None})
    row.updated_at = now
    purge(now)
    db.session.flush()
    return row.id


def discard(draft_id: str | None) -> None:
    if draft_id:
        db.session.execute(delete(BookingDraft).where(BookingDraft.id == draft_id))


def purge(now: datetime | None = None) -> int:
    """Delete expired drafts (an indexed range delete; cheap when there are none)."""
    cutoff = (now or utcnow()) - timedelta(hours=DRAFT_HOURS)
    return db.session.execute(delete(BookingDraft).where(BookingDraft.updated_at < cutoff)).rowcount or 0
