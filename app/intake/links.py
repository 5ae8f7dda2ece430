"""Signed, expiring links to fill a form (the same signing as the booking site's links)."""
from __future__ import annotations

from flask import current_app

from app.booking.tokens import BadToken, make_token, read_token  # noqa: F401  (BadToken for callers)

FILL = "plinth.forms.fill"
# The signature's own age limit; each request also carries its expiry (``expires_at``).
MAX_AGE = 120 * 24 * 3600


def fill_url(request_id: int) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/forms/{make_token(FILL, request_id)}"


def fill_path(request_id: int) -> str:
    return f"/forms/{make_token(FILL, request_id)}"


def request_id_of(token: str) -> int:
    return read_token(FILL, token, MAX_AGE)
