"""CSRF checks for plain HTML form posts (pages that are not FlaskForms).

Flask-AppBuilder's ModelViews and the booking site's FlaskForms check their tokens; a
hand-written ``<form method="post">`` carries ``csrf_token`` (``generate_csrf()``) and
its view calls ``require_csrf()`` first.
"""
from __future__ import annotations

from flask import abort, current_app, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError


def posted_token_valid() -> bool:
    """Whether the request carries this session's CSRF token: the ``X-CSRFToken`` header
    (scripts) or the ``csrf_token`` form field. Always true when CSRF is switched off."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.headers.get("X-CSRFToken") or request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def require_csrf() -> None:
    """400 unless the request carries this session's CSRF token."""
    if not posted_token_valid():
        abort(400, "The form expired or came from another site; reload the page and try again.")
