"""What Plinth's security manager adds to FAB's for signing in (see app/auth/views.py)."""
from __future__ import annotations

from flask import has_request_context, request

from app.auth.throttle import guarded_login
from app.auth.views import PlinthAuthDBView, PlinthSecurityApi
from app.booking.limits import client_ip


class SignInMixin:
    """Mixed into ``PlinthSecurityManager`` before FAB's ``SecurityManager``."""

    authdbview = PlinthAuthDBView
    security_api = PlinthSecurityApi

    def auth_user_db(self, username, password):
        # FAB's check already answers unknown and inactive users like a wrong password,
        # after hashing a dummy (AUTH_DB_FAKE_PASSWORD_HASH_CHECK, made with our hash
        # method in app/auth/__init__.py so the work is comparable).
        if has_request_context():
            channel, address = ("api" if request.path.startswith("/api/") else "web"), client_ip()
        else:  # a command or script checking a password
            channel, address = "local", "local"
        parent = super()
        return guarded_login(username, address, channel, lambda: parent.auth_user_db(username, password))
