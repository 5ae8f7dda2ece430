"""Short manage links for text messages: ``/m/<id>.<mac>`` redirects to the full
signed manage link of online booking (app.booking.tokens), which does the real work.
Online booking registers how its link is made (``register_manage_link``, called by
``create_app``); messages sent without one carry no manage link.

A text pays per 160 characters, and the manage token is long; the short form is the
appointment id in base 36 and 12 characters of an HMAC of it under the app's secret,
so it cannot be guessed or pointed at another appointment. It does not expire by
itself: the manage page it leads to refuses what can no longer be changed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable

from flask import Blueprint, abort, current_app, redirect

shortlinks_bp = Blueprint("shortlinks", __name__)
_SALT = b"plinth.messaging.short-manage"
# "manage": (appointment) -> the absolute signed link to reschedule or cancel it.
_LINKS: dict[str, Callable] = {}


def register_manage_link(build: Callable) -> None:
    _LINKS["manage"] = build


def manage_url(appointment) -> str | None:
    """The full manage link, or None in a build without online booking."""
    build = _LINKS.get("manage")
    return build(appointment) if build else None


def _mac(appointment_id: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, _SALT + str(appointment_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def short_token(appointment_id: int) -> str:
    return f"{_base36(appointment_id)}.{_mac(appointment_id)}"


def read_short_token(token: str) -> int | None:
    head, _, mac = token.partition(".")
    try:
        appointment_id = int(head, 36)
    except ValueError:
        return None
    return appointment_id if hmac.compare_digest(mac, _mac(appointment_id)) else None


def short_manage_url(appointment) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/m/{short_token(appointment.id)}"


@shortlinks_bp.get("/m/<token>")
def follow(token: str):
    from app.extensions import db
    from app.models import Appointment

    appointment_id = read_short_token(token)
    appointment = db.session.get(Appointment, appointment_id) if appointment_id is not None else None
    url = manage_url(appointment) if appointment is not None else None
    if url is None:
        abort(404)
    return redirect(url, code=302)
