"""Security headers on every /book/ response.

A strict Content-Security-Policy (nothing from other hosts, no inline script or style),
``frame-ancestors`` limited to the origins the clinic lists for embedding, no referrer
(manage and claim links carry tokens), no MIME sniffing, and no caching of pages that
show a patient's details.
"""
from __future__ import annotations

import re

from flask import Response

ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", re.IGNORECASE)


def parse_origins(text: str | None) -> tuple[list[str], list[str]]:
    """Origins one per line (or separated by spaces/commas) → (valid, rejected)."""
    valid, rejected = [], []
    for raw in re.split(r"[\s,]+", text or ""):
        value = raw.strip().rstrip("/")
        if not value:
            continue
        (valid if ORIGIN.match(value) else rejected).append(value.lower() if ORIGIN.match(value) else value)
    return sorted(set(valid)), rejected


def frame_ancestors() -> str:
    from app.models import online_booking_settings

    try:
        origins, _ = parse_origins(online_booking_settings().embed_origins)
    except Exception:  # a failing database must not strip the headers; fall back to strictest
        origins = []
    return " ".join(["'self'", *origins])


def policy() -> str:
    return "; ".join([
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors()}",
    ])


def apply(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def install(bp) -> None:
    bp.after_request(apply)
