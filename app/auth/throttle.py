"""Sign-in throttling: a lock after too many failures, per account name and per address.

One rule for the web form and the API (both go through ``guarded_login``): an account
name (known or not, so a lock says nothing about whether it exists) is refused once it
has ``PLINTH_LOGIN_MAX_FAILURES`` failures inside ``PLINTH_LOGIN_WINDOW_MINUTES`` since
its last success or lifted lock; a client address once it has
``PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS`` failures in the window since its lock was
last lifted. A success never clears the address's count, so one valid account cannot be
used to reset guessing at another. Refused attempts are recorded but not counted, and
the password is not checked while locked: the lock ends when the window has passed.

Every attempt is a ``LoginEvent`` row (the database is the source of truth: the counts
survive a restart, are shared by every web process, and are what the admin screen shows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import func, select

from app.extensions import db
from app.models.auth import FAILURE, LIFTED_ACCOUNT, LIFTED_ADDRESS, SUCCESS, THROTTLED, LoginEvent
from app.timeutil import utcnow

USERNAME_MAX = 256


class LoginThrottled(Exception):
    """Too many failed sign-ins for this account name or from this address."""

    def __init__(self, retry_after: int):
        self.retry_after = max(retry_after, 1)
        minutes = -(-self.retry_after // 60)
        # In the language of the page that signs in (the session's choice, else English).
        super().__init__(ngettext(
            "Too many failed sign-ins. Wait %(num)s minute and try again, or ask an administrator to lift the lock.",
            "Too many failed sign-ins. Wait %(num)s minutes and try again, or ask an administrator to lift the lock.",
            minutes))


@dataclass(frozen=True)
class Lock:
    kind: str  # "account" | "address"
    key: str
    failures: int
    until: datetime


def normalise(username: str | None) -> str:
    return (username or "").strip().casefold()[:USERNAME_MAX]


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["PLINTH_LOGIN_WINDOW_MINUTES"])


def _latest(outcomes: tuple[str, ...], column, key: str) -> Optional[datetime]:
    return db.session.scalar(select(func.max(LoginEvent.at)).where(column == key, LoginEvent.outcome.in_(outcomes)))


def _lock_for(kind: str, key: str, now: datetime) -> Optional[Lock]:
    if kind == "account":
        column, limit, resets = LoginEvent.username, current_app.config["PLINTH_LOGIN_MAX_FAILURES"], (SUCCESS, LIFTED_ACCOUNT)
    else:
        column, limit, resets = LoginEvent.address, current_app.config["PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS"], (LIFTED_ADDRESS,)
    since = now - _window()
    reset = _latest(resets, column, key)
    if reset is not None and reset > since:
        since = reset
    # The failure whose leaving the window brings the count under the limit: while it is
    # inside, the key is locked; it leaves at its time + the window.
    times = db.session.scalars(
        select(LoginEvent.at).where(column == key, LoginEvent.outcome == FAILURE, LoginEvent.at > since)
        .order_by(LoginEvent.at.desc()).offset(limit - 1).limit(1)
    ).all()
    if not times:
        return None
    failures = db.session.scalar(select(func.count()).select_from(LoginEvent).where(
        column == key, LoginEvent.outcome == FAILURE, LoginEvent.at > since))
    return Lock(kind, key, failures, times[0] + _window())


def current_lock(username: str, address: str, now: datetime | None = None) -> Optional[Lock]:
    now = now or utcnow()
    locks = [lock for lock in (_lock_for("account", username, now), _lock_for("address", address, now)) if lock]
    return max(locks, key=lambda lock: lock.until) if locks else None


def record(username: str, address: str, channel: str, outcome: str, user_id: int | None = None) -> None:
    db.session.add(LoginEvent(at=utcnow(), username=username, address=address[:64], channel=channel,
                              outcome=outcome, user_id=user_id))


def guarded_login(username: str | None, address: str, channel: str, check: Callable[[], object]):
    """Run ``check()`` (FAB's password check, which does a dummy hash for unknown and
    inactive users) unless the name or address is locked; record the outcome and commit.

    Returns the user or None; raises LoginThrottled while locked.
    """
    name = normalise(username)
    now = utcnow()
    lock = current_lock(name, address, now)
    if lock is not None:
        record(name, address, channel, THROTTLED)
        db.session.commit()
        raise LoginThrottled(int((lock.until - now).total_seconds()))
    user = check()
    record(name, address, channel, SUCCESS if user else FAILURE, user.id if user else None)
    db.session.commit()
    return user


def active_locks(now: datetime | None = None) -> list[Lock]:
    """Every account name and address locked now (for the admin screen)."""
    now = now or utcnow()
    since = now - _window()
    rows = db.session.execute(
        select(LoginEvent.username, LoginEvent.address).where(LoginEvent.outcome == FAILURE, LoginEvent.at > since)
    ).all()
    locks = [_lock_for("account", name, now) for name in sorted({r.username for r in rows})]
    locks += [_lock_for("address", address, now) for address in sorted({r.address for r in rows})]
    return [lock for lock in locks if lock is not None]


def lift(kind: str, key: str, *, actor_id: int, address: str) -> None:
    """An admin lifts a lock: failures before now stop counting for that name or address."""
    if kind == "account":
        record(normalise(key), address, "admin", LIFTED_ACCOUNT, actor_id)
    elif kind == "address":
        record("", key, "admin", LIFTED_ADDRESS, actor_id)
    else:
        raise ValueError(kind)
    db.session.flush()


def recent(limit: int = 100) -> list[LoginEvent]:
    return list(db.session.scalars(select(LoginEvent).order_by(LoginEvent.at.desc(), LoginEvent.id.desc()).limit(limit)))

