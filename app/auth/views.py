"""The sign-in edges: the web login form, the API's JWT login and refresh, the session
status / keep-alive endpoints the staff pages' script calls, and safe ``next`` targets.

Both logins go through ``throttle.guarded_login`` (one rule) and open a server-side
session (``sessions.start``): the web form through Flask-Login's ``user_logged_in``
signal (app/auth/__init__.py), the API here, with the session id inside both JWTs.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, flash, g, jsonify, redirect, request, session
from flask_babel import gettext
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.const import API_SECURITY_ACCESS_TOKEN_KEY, API_SECURITY_REFRESH_TOKEN_KEY
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.schemas import login_post
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.views import expose
from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt, get_jwt_identity, jwt_required
from flask_login import login_user
from marshmallow import ValidationError

from app.i18n import N_
from app.auth import sessions
from app.auth.throttle import LoginThrottled
from app.booking.limits import client_ip
from app.timeutil import utcnow

SESSION_KEY = "_plinth_sid"  # the web session's token inside Flask's signed cookie
ENDED = N_("Your session has ended. Sign in again in another tab, then retry here: "
           "what you typed on this page is kept.")  # translated where sent


def safe_next(raw: str | None, fallback: str) -> str:
    """A redirect target on this site only: a path (and query), never another host.

    The host of an absolute URL must be the request's own (which TRUSTED_HOSTS vouches
    for); what is kept is only its path, so a forged Host never reaches a Location.
    """
    if not raw:
        return fallback
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != request.host):
        return fallback
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return fallback
    return urlunsplit(("", "", path, parts.query, ""))


class PlinthAuthDBView(AuthDBView):
    """FAB's login form with throttling and same-site-only ``next``."""

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        index = self.appbuilder.get_url_for_index
        if g.user is not None and g.user.is_authenticated:
            return redirect(safe_next(request.args.get("next"), index))
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = safe_next(request.args.get("next"), index)
            try:
                user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            except LoginThrottled as exc:
                flash(str(exc), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            if not user:
                flash(as_unicode(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)


class PlinthSecurityApi(SecurityApi):
    """FAB's JWT login with throttling; both tokens carry the server-side session id."""

    @expose("/login", methods=["POST"])
    def login(self):
        if not request.is_json:
            return self.response_400(message="Request payload is not JSON")
        try:
            payload = login_post.load(request.json)
        except ValidationError as error:
            return self.response_400(message=error.messages)
        if payload["provider"] != "db":
            return self.response_400(message="Only the db provider is available")
        try:
            user = self.appbuilder.sm.auth_user_db(payload["username"], payload["password"])
        except LoginThrottled as exc:
            response = self.response(429, message=str(exc))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if not user:
            return self.response_401()
        claims = {"sid": sessions.start(user.id, "api", client_ip())}
        tokens = {API_SECURITY_ACCESS_TOKEN_KEY: create_access_token(
            identity=str(user.id), fresh=True, additional_claims=claims)}
        if payload.get("refresh"):
            tokens[API_SECURITY_REFRESH_TOKEN_KEY] = create_refresh_token(identity=str(user.id), additional_claims=claims)
        return self.response(200, **tokens)

    @expose("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    def refresh(self):
        claims = {"sid": get_jwt().get("sid")}
        return self.response(200, **{API_SECURITY_ACCESS_TOKEN_KEY: create_access_token(
            identity=get_jwt_identity(), fresh=False, additional_claims=claims)})


def token_revoked(_header: dict, payload: dict) -> bool:
    """flask_jwt_extended's blocklist check: a JWT holds while its session does."""
    row = sessions.find_alive(payload.get("sid"), payload.get("sub"))
    if row is None:
        return True
    sessions.touch(row)
    return False


session_bp = Blueprint("staff_session", __name__, url_prefix="/auth/session")


def _state(row) -> dict:
    return {"signed_in": True, "ends_in": max(int((sessions.ends_at(row) - utcnow()).total_seconds()), 0)}


@session_bp.get("")
def status():
    """How long the browser's session has left; reading it does not extend it."""
    row = sessions.find_alive(session.get(SESSION_KEY), session.get("_user_id"))
    if row is None:
        return jsonify(signed_in=False, message=gettext(ENDED)), 401
    return jsonify(_state(row))


@session_bp.post("/keepalive")
def keepalive():
    """Stay signed in: counts as activity. No CSRF token: it only extends the caller's
    own session (and SameSite cookies keep other sites from sending it)."""
    row = sessions.find_alive(session.get(SESSION_KEY), session.get("_user_id"))
    if row is None:
        return jsonify(signed_in=False, message=gettext(ENDED)), 401
    sessions.touch(row, force=True)
    return jsonify(_state(row))
