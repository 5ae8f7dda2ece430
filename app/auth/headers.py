"""Security headers on every response.

Staff pages get a Content-Security-Policy as strict as FAB's templates allow: scripts
only from this host or inline with the request's nonce (FAB's templates print
``csp_nonce()`` on their inline scripts), styles also inline (FAB's markup and the
widgets use style attributes), never framed by another site. The public booking site
sets its own policy (app/booking/headers.py, whose frame-ancestors lists the clinic's
embedding origins); what a blueprint set is never overwritten here.
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError

HSTS = "max-age=31536000"


def nonce() -> str:
    value = g.get("csp_nonce")
    if value is None:
        value = g.csp_nonce = secrets.token_urlsafe(16)
    return value


def policy(script_nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{script_nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def apply(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = policy(nonce())
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "text/html" and current_user and current_user.is_authenticated:
        # Staff pages show patients' details: not left in the browser's cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _fresh_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _untrusted_host(_exc: SecurityError):
    # Werkzeug's page would repeat the forged Host; say nothing about it.
    return Response("This site is not served under that host name.\n", 400, mimetype="text/plain")


def install(app: Flask) -> None:
    app.register_error_handler(SecurityError, _untrusted_host)
    app.before_request(_fresh_nonce)
    app.after_request(apply)
    # A global, not a context processor: FAB's macros are imported without context.
    app.jinja_env.globals["csp_nonce"] = nonce
