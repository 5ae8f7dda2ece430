"""Server-side staff sessions: the database decides whether a sign-in still holds.

A browser's signed cookie and an API client's JWTs carry only a random session id; the
``StaffSession`` row keyed by its digest says whether it is still good: not revoked,
used within ``PLINTH_SESSION_IDLE_MINUTES``, younger than ``PLINTH_SESSION_MAX_HOURS``.
Logging out, changing a password, deactivating or deleting a user revokes every session
of that user (web and API alike), so a copied cookie or token stops working at once.

No HTTP here: the caller passes what it knows of the request (the address).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import delete, event, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.auth import StaffSession
from app.timeutil import utcnow

# Touching last_seen_at at most once a minute keeps an active session alive without a
# write on every request.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["PLINTH_SESSION_IDLE_MINUTES"])


def start(user_id: int, kind: str, address: str) -> str:
    """Open a session for ``user_id``; returns the token the client keeps. Commits."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=current_app.config["PLINTH_SESSION_MAX_HOURS"])
    # Forget this user's sessions that ended more than a day ago (the table stays small).
    db.session.execute(delete(StaffSession).where(
        StaffSession.user_id == user_id, StaffSession.expires_at < now - timedelta(days=1)))
    db.session.add(StaffSession(id=_digest(token), user_id=user_id, kind=kind, created_at=now, last_seen_at=now,
                                expires_at=now + lifetime, address=address[:64]))
    db.session.commit()
    return token


def ends_at(row: StaffSession) -> datetime:
    """When the session ends if nothing touches it: idle timeout or lifetime, first."""
    return min(row.last_seen_at + _idle(), row.expires_at)


def find_alive(token: Optional[str], user_id: int | None = None, now: datetime | None = None) -> Optional[StaffSession]:
    """The live session for ``token`` (of ``user_id`` when given), else None."""
    if not token or not isinstance(token, str):
        return None
    now = now or utcnow()
    row = db.session.get(StaffSession, _digest(token))
    if row is None or row.revoked_at is not None or now >= ends_at(row):
        return None
    if user_id is not None and str(row.user_id) != str(user_id):
        return None
    return row


def touch(row: StaffSession, now: datetime | None = None, *, force: bool = False) -> None:
    """Count activity on ``row`` (at most once a minute unless ``force``). Commits."""
    now = now or utcnow()
    if force or now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=now))
        db.session.commit()


def revoke_all(user_id: int, connection=None) -> None:
    """End every session (web and API) of ``user_id``."""
    statement = (update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
                 .values(revoked_at=utcnow()))
    if connection is not None:
        connection.execute(statement)
    else:
        db.session.execute(statement)


def revoke_token(token: Optional[str]) -> None:
    if token:
        db.session.execute(update(StaffSession).where(StaffSession.id == _digest(token)).values(revoked_at=utcnow()))


def for_user(user_id: int) -> list[StaffSession]:
    return list(db.session.scalars(select(StaffSession).where(StaffSession.user_id == user_id)))


@event.listens_for(Session, "after_flush")
def _revoke_on_credential_change(session: Session, _context) -> None:
    """A changed password, a deactivated or deleted user: every session of theirs ends,
    whichever screen, API, command or script made the change."""
    user_model = _user_model()
    if user_model is None:
        return
    revoked = set()
    for obj in session.dirty:
        if isinstance(obj, user_model):
            state = inspect(obj)
            if state.attrs.password.history.has_changes() or (
                    state.attrs.active.history.has_changes() and not obj.active):
                revoked.add(obj.id)
    revoked |= {obj.id for obj in session.deleted if isinstance(obj, user_model)}
    connection = session.connection()
    for user_id in revoked:
        revoke_all(user_id, connection)


def _user_model():
    try:
        return current_app.appbuilder.sm.user_model
    except (RuntimeError, AttributeError):  # outside an app (migrations, scripts)
        return None
