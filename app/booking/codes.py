"""One-time codes for returning patients (no passwords).

A patient types their email; if a client has it, a six-digit code goes to that address.
The answer on screen is the same either way (no enumeration), and so is the request's
work: a code row is written and a job enqueued for a known and an unknown address
alike; the worker looks the address up and emails only a known one, so response times
do not tell them apart either. Codes are stored as
keyed hashes, expire after ``CODE_MINUTES`` and allow ``MAX_ATTEMPTS`` guesses; a new
request supersedes older codes. Services flush; the view commits.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app.booking import mail
from app.extensions import db
from app.models import Client, LoginCode
from app.timeutil import utcnow
from app.uow import after_commit, unit_of_work

CODE_MINUTES = 10
MAX_ATTEMPTS = 5


def _digest(message: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def email_hash(email: str) -> str:
    return _digest("email:" + email.strip().casefold())


def _code_hash(row_email_hash: str, code: str) -> str:
    return _digest(f"code:{row_email_hash}:{code}")


def clients_with_email(email: str) -> list[Client]:
    """Every client record with this address (a family may share one), oldest first."""
    return list(db.session.scalars(
        select(Client).where(func.lower(Client.email) == email.strip().casefold()).order_by(Client.id)))


def request_code(email: str) -> None:
    """Issue a code for ``email``; after commit a job emails it if the address is a
    client's. No client lookup here: that is the job's."""
    hashed = email_hash(email)
    now = utcnow()
    for old in db.session.scalars(select(LoginCode).where(
            LoginCode.email_hash == hashed, LoginCode.used_at.is_(None), LoginCode.expires_at > now)):
        old.used_at = now  # superseded: only the newest code works
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = LoginCode(email_hash=hashed, code_hash=_code_hash(hashed, code), created_at=now,
                    expires_at=now + timedelta(minutes=CODE_MINUTES), attempts=0)
    db.session.add(row)
    db.session.flush()
    args = (email.strip(), code, row.id)
    after_commit(lambda: dispatch(*args))


def dispatch(email: str, code: str, row_id: int) -> None:
    """Hand the code to the worker (a seam the tests replace to run it in-process)."""
    from app.tasks.queue import enqueue

    enqueue("app.booking.codes.send_code_job", email, code, row_id)


def send_code_job(email: str, code: str, row_id: int) -> bool:
    """RQ job: email the code through the outbox if ``email`` is a client's (and the code
    is still live); returns whether it was queued. Repeats are no-ops (outbox key)."""
    with unit_of_work():
        row = db.session.get(LoginCode, row_id)
        if row is None or row.used_at is not None or row.expires_at <= utcnow():
            return False
        clients = clients_with_email(email)
        if not clients:
            return False
        mail.queue_email("login_code", email, {"code": code, "minutes": CODE_MINUTES},
                         f"login_code:{row_id}", client_id=clients[0].id)
        # By text too, when that client chose texts and agreed (faster to find on a phone).
        mail.queue_text("login_code", clients[0], {"code": code, "minutes": CODE_MINUTES}, f"login_code:{row_id}")
        return True


@dataclass
class Verified:
    ok: bool
    client_ids: list[int]


def verify_code(email: str, code: str) -> Verified:
    """Check ``code`` against the newest live code for ``email``. Every guess counts,
    right or wrong; past MAX_ATTEMPTS the code is dead even if the next guess is right."""
    hashed = email_hash(email)
    query = (select(LoginCode).where(LoginCode.email_hash == hashed, LoginCode.used_at.is_(None),
                                     LoginCode.expires_at > utcnow())
             .order_by(LoginCode.id.desc()).limit(1))
    query = query.with_for_update()  # two guesses at once must both be counted (SQLite: one writer)
    row = db.session.scalars(query).first()
    if row is None or row.attempts >= MAX_ATTEMPTS:
        return Verified(False, [])
    row.attempts += 1
    cleaned = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(row.code_hash, _code_hash(hashed, cleaned)):
        db.session.flush()
        return Verified(False, [])
    clients = clients_with_email(email)
    if not clients:  # cannot happen for a code we sent; an unknown email never verifies
        return Verified(False, [])
    row.used_at = utcnow()
    db.session.flush()
    return Verified(True, [c.id for c in clients])
