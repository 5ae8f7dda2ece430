"""Signed links for patients: manage an appointment, claim a waitlist offer.

A token carries only a row id and a purpose, signed with the app's secret (itsdangerous)
and timestamped, so a link expires and cannot be forged or pointed at another row; no
name, email or time ever appears in a URL. Links are absolute, on ``PUBLIC_BASE_URL``,
because they travel in emails sent by the worker, far from any request.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.models import Appointment, WaitlistOffer

MANAGE = "plinth.booking.manage"
CLAIM = "plinth.booking.claim"
# A manage link lasts beyond the longest booking horizon; a claim link only a few hours
# (the time may be gone by then anyway).
MANAGE_MAX_AGE = 400 * 24 * 3600
CLAIM_MAX_AGE = 12 * 3600


class BadToken(Exception):
    """The link is malformed, tampered with or expired."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(purpose: str, row_id: int) -> str:
    return _serializer(purpose).dumps(row_id)


def read_token(purpose: str, token: str, max_age: int) -> int:
    try:
        value = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise BadToken("expired") from exc
    except BadSignature as exc:
        raise BadToken("invalid") from exc
    if not isinstance(value, int):
        raise BadToken("invalid")
    return value


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def manage_url(appointment: Appointment) -> str:
    """The absolute link to reschedule or cancel ``appointment`` (for emails)."""
    return _absolute(f"/book/manage/{make_token(MANAGE, appointment.id)}")


def claim_url(offer: WaitlistOffer) -> str:
    return _absolute(f"/book/claim/{make_token(CLAIM, offer.id)}")
