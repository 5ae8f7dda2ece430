"""Staff sign-in and sessions: throttled logins (``throttle``), server-side revocable
sessions (``sessions``), the login/API edges (``views``), security headers (``headers``)
and the admin's sign-in locks screen (``locks``).

``init_auth(app)`` wires them into an app whose AppBuilder is already built.
"""
from __future__ import annotations

import json
import secrets

from flask import Flask, current_app, request, session
from flask_login import user_logged_in, user_logged_out
from werkzeug.security import generate_password_hash


def init_auth(app: Flask) -> None:
    from app.auth import headers
    from app.auth.views import session_bp, token_revoked

    # Unknown and inactive users are answered after checking a dummy hash made with the
    # method real passwords use, so both take comparable time (FAB's default dummy is scrypt).
    app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"] = generate_password_hash(
        secrets.token_urlsafe(16), method=app.config["FAB_PASSWORD_HASH_METHOD"])
    app.appbuilder.sm.jwt_manager.token_in_blocklist_loader(token_revoked)
    user_logged_in.connect(_opened, app)
    user_logged_out.connect(_closed, app)
    app.before_request(_enforce_session)
    app.after_request(_explain_401)
    app.register_blueprint(session_bp)
    headers.install(app)
    from app.auth.locks import SignInLocksView

    with app.app_context():
        app.appbuilder.add_view(SignInLocksView, "Sign-in locks", category="Security", icon="fa-lock")


def _opened(_app, user, **_kw) -> None:
    from app.auth import sessions
    from app.auth.views import SESSION_KEY
    from app.booking.limits import client_ip

    session[SESSION_KEY] = sessions.start(user.id, "web", client_ip())


def _closed(_app, user, **_kw) -> None:
    """Signing out ends every session of the user, in every browser and API client."""
    from app.auth import sessions
    from app.auth.views import SESSION_KEY
    from app.extensions import db

    session.pop(SESSION_KEY, None)
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    if user_id is not None:
        sessions.revoke_all(user_id)
        db.session.commit()


_ENDED_HERE = "plinth.session_ended"


def _explain_401(response):
    """The grid shows an API error's message in the form it kept open: say why, and what to do."""
    if response.status_code == 401 and request.environ.get(_ENDED_HERE) and response.is_json:
        from flask_babel import gettext

        from app.auth.views import ENDED

        response.set_data(json.dumps({"message": gettext(ENDED)}))
    return response


def _enforce_session() -> None:
    """A signed cookie is not enough: its session must still be alive on the server."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static") or "_user_id" not in session:
        return
    from app.auth import sessions
    from app.auth.views import SESSION_KEY

    row = sessions.find_alive(session.get(SESSION_KEY), session.get("_user_id"))
    if row is None:
        for key in ("_user_id", "_fresh", "_id", SESSION_KEY):
            session.pop(key, None)
        current_app.login_manager._update_request_context_with_user()  # anonymous from here on
        request.environ[_ENDED_HERE] = True
        return
    if endpoint != "staff_session.status":  # reading the time left must not extend it
        sessions.touch(row)
