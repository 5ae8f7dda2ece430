"""CSRF checks for plain HTML form posts (pages that are not FlaskForms).

Flask-AppBuilder's ModelViews and the booking site's FlaskForms check their tokens; a
hand-written ``<form method="post">`` carries ``csrf_token`` (``generate_csrf()``) and
its view calls ``require_csrf()`` first.
"""
from __future__ import annotations

from flask import abort, current_app, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError


def require_csrf() -> None:
    """400 unless the posted form carries this session's CSRF token."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400, "The form expired or came from another site; reload the page and try again.")
