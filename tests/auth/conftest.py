"""Sign-in and session tests: a controllable clock and requests that forget `g`.

The test client reuses the test's app context, so `g` (Flask-Login's cached user, the
last request's JWT) would outlive a request here, never in production. ``fresh``
forgets it, so each request is judged on what it carries (cookie, token) alone.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import g

from app.security import FRONT_DESK
from tests import factories


def fresh() -> None:
    for key in [k for k in vars(g) if k.startswith(("_jwt_extended", "_login_user", "user"))]:
        g.pop(key)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture()
def clock(monkeypatch) -> Clock:
    """The sign-in and session modules' "now", frozen and moved by hand."""
    import app.auth.sessions
    import app.auth.throttle
    import app.auth.views

    frozen = Clock(datetime(2026, 3, 9, 14, tzinfo=timezone.utc))
    for module in (app.auth.sessions, app.auth.throttle, app.auth.views):
        monkeypatch.setattr(module, "utcnow", frozen)
    return frozen


class Browser:
    """A test client that forgets `g` between requests (see the module docstring)."""

    def __init__(self, client, address: str = "192.0.2.10"):
        self.client = client
        self.address = address

    def open(self, method: str, url: str, **kw):
        fresh()
        kw.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return self.client.open(url, method=method, **kw)

    def get(self, url: str, **kw):
        return self.open("GET", url, **kw)

    def post(self, url: str, **kw):
        return self.open("POST", url, **kw)

    def login(self, username: str, password: str = factories.PASSWORD):
        return self.post("/login/", data={"username": username, "password": password})

    def api_login(self, username: str, password: str = factories.PASSWORD, refresh: bool = True):
        return self.post("/api/v1/security/login",
                         json={"username": username, "password": password, "provider": "db", "refresh": refresh})

    def signed_in(self) -> bool:
        status = self.get("/auth/session").status_code
        assert status in (200, 401)
        return status == 200


@pytest.fixture()
def browser_for(app, db):
    def make(address: str = "192.0.2.10") -> Browser:
        db.session.commit()
        return Browser(app.test_client(), address)
    return make


@pytest.fixture()
def user(db):
    member = factories.make_team_member(FRONT_DESK, username="dana", locations=[factories.make_location()])
    db.session.commit()
    return member.user
