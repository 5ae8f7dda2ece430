"""Staff sign-ins: every attempt recorded, and the server-side sessions they open.

``LoginEvent`` is the log the throttle counts from (failures per account and per client
address inside a window) and what an admin reads and lifts locks on. ``StaffSession``
is the server's record of a signed-in browser or API client: the cookie or JWT carries
only a random id whose digest is the row's key, so a session ends when its row says so
(idle, past its lifetime, revoked) whatever the client still holds.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

# LoginEvent.outcome
SUCCESS = "success"
FAILURE = "failure"
THROTTLED = "throttled"  # refused unread: the account or the address was locked
LIFTED_ACCOUNT = "lifted_account"  # an admin lifted the lock of `username`
LIFTED_ADDRESS = "lifted_address"  # an admin lifted the lock of `address`


class LoginEvent(db.Model):
    __tablename__ = "login_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # As typed, case-folded: unknown names are counted (and locked) exactly like real ones.
    username: Mapped[str] = mapped_column(String(256))
    address: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # web | api | admin
    outcome: Mapped[str] = mapped_column(String(16))
    # The account signed in (success) or the admin who lifted a lock.
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_login_event_username_at", "username", "at"),
        Index("ix_login_event_address_at", "address", "at"),
        Index("ix_login_event_at", "at"),
    )


class StaffSession(db.Model):
    __tablename__ = "staff_session"

    # sha256 of the random id the client holds: a copy of this table opens no session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # web | api
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the absolute lifetime
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    address: Mapped[str] = mapped_column(String(64))
