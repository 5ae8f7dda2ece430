"""Sign-ins are throttled per account name and per client address, on the web form and
the API alike; unknown names get the same answers as known ones; every attempt is kept."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import LoginEvent

WRONG = "not-the-password"


def attempt(browser, channel: str, username: str, password: str):
    """(status, body) of one sign-in; the web form's answer is the page it leads to."""
    if channel == "api":
        response = browser.api_login(username, password)
        return response.status_code, response.get_json()
    response = browser.login(username, password)
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        page = browser.get(response.headers["Location"])
        text = page.get_data(as_text=True)
        message = "too many" if "Too many failed sign-ins" in text else "invalid" if "Invalid login" in text else "?"
        return "refused", message
    return response.status_code, response.headers.get("Location")


def refused_as_throttled(channel, outcome) -> bool:
    return outcome[0] == 429 if channel == "api" else outcome == ("refused", "too many")


@pytest.mark.parametrize("channel", ["web", "api"])
def test_an_account_is_locked_after_the_failures_and_opens_when_the_window_passes(
        channel, user, browser_for, clock, app):
    browser = browser_for()
    limit = app.config["PLINTH_LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert not refused_as_throttled(channel, attempt(browser, channel, "dana", WRONG))
    # The right password no longer helps, from this address or any other.
    assert refused_as_throttled(channel, attempt(browser, channel, "dana", "correct-horse-battery"))
    elsewhere = browser_for("198.51.100.7")
    assert refused_as_throttled(channel, attempt(elsewhere, channel, "DANA", "correct-horse-battery"))
    clock.advance(minutes=app.config["PLINTH_LOGIN_WINDOW_MINUTES"], seconds=1)
    status, _ = attempt(browser, channel, "dana", "correct-horse-battery")
    assert status == (200 if channel == "api" else 302)


def test_the_api_says_when_to_retry(user, browser_for, clock, app):
    browser = browser_for()
    for _ in range(app.config["PLINTH_LOGIN_MAX_FAILURES"]):
        browser.api_login("dana", WRONG)
    clock.advance(minutes=5)
    response = browser.api_login("dana", WRONG)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == (app.config["PLINTH_LOGIN_WINDOW_MINUTES"] - 5) * 60
    assert "Too many failed sign-ins" in response.get_json()["message"]


@pytest.mark.parametrize("channel", ["web", "api"])
def test_an_address_is_locked_after_failures_on_many_names_and_others_still_sign_in(
        channel, user, browser_for, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS", 4)
    attacker = browser_for("203.0.113.66")
    for n in range(4):
        assert not refused_as_throttled(channel, attempt(attacker, channel, f"guess{n}", WRONG))
    assert refused_as_throttled(channel, attempt(attacker, channel, "dana", "correct-horse-battery"))
    status, _ = attempt(browser_for("192.0.2.20"), channel, "dana", "correct-horse-battery")
    assert status == (200 if channel == "api" else 302)


def test_a_success_clears_the_account_count_but_not_the_address_count(user, browser_for, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLINTH_LOGIN_MAX_FAILURES", 3)
    monkeypatch.setitem(app.config, "PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS", 4)
    browser = browser_for()
    for _ in range(2):
        browser.api_login("dana", WRONG)
    assert browser.api_login("dana").status_code == 200
    for _ in range(2):
        assert browser.api_login("dana", WRONG).status_code == 401
    # Four failures from this address: the address is locked, whatever the name.
    assert browser.api_login("dana").status_code == 429


@pytest.mark.parametrize("channel", ["web", "api"])
def test_unknown_names_get_the_same_answers_as_known_ones(channel, user, browser_for, clock, app, db):
    from tests import factories

    sleeper = factories.make_user("Provider", username="sleeper")
    sleeper.active = False
    db.session.commit()
    answers = {}
    for name in ("dana", "nobody-here", "sleeper"):
        browser = browser_for(f"192.0.2.{len(answers) + 30}")
        answers[name] = [attempt(browser, channel, name, WRONG)
                         for _ in range(app.config["PLINTH_LOGIN_MAX_FAILURES"] + 1)]
    assert answers["dana"] == answers["nobody-here"] == answers["sleeper"]
    assert refused_as_throttled(channel, answers["nobody-here"][-1])


def test_unknown_names_cost_a_hash_of_the_configured_method(app):
    # FAB checks the password against this dummy for unknown and inactive users.
    assert app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"].startswith(app.config["FAB_PASSWORD_HASH_METHOD"] + "$")


def test_every_attempt_is_recorded_with_address_and_channel(user, browser_for, clock, db):
    browser = browser_for("192.0.2.99")
    browser.login("Dana", WRONG)
    browser.api_login("dana")
    rows = db.session.execute(select(LoginEvent.username, LoginEvent.address, LoginEvent.channel, LoginEvent.outcome,
                                     LoginEvent.user_id).order_by(LoginEvent.id)).all()
    assert [tuple(r) for r in rows] == [("dana", "192.0.2.99", "web", "failure", None),
                                        ("dana", "192.0.2.99", "api", "success", user.id)]


@pytest.mark.parametrize("kind", ["account", "address"])
def test_an_admin_sees_the_lock_and_lifts_it(kind, user, browser_for, clock, app, db, monkeypatch):
    from tests import factories

    if kind == "address":
        monkeypatch.setitem(app.config, "PLINTH_LOGIN_MAX_FAILURES", 100)
    factories.make_user("Admin", username="root")
    browser = browser_for("192.0.2.10")
    for _ in range(app.config["PLINTH_LOGIN_MAX_FAILURES"] if kind == "account" else
                   app.config["PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        browser.api_login("dana", WRONG)
    assert browser.api_login("dana").status_code == 429
    admin = browser_for("192.0.2.1")
    assert admin.login("root").status_code == 302
    page = admin.get("/security/sign-in-locks/").get_data(as_text=True)
    key = "dana" if kind == "account" else "192.0.2.10"
    assert f"{kind.title()} <strong>{key}</strong>" in page and page.count("Lift lock") == 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = admin.post("/security/sign-in-locks/lift", data={"kind": kind, "key": key, "csrf_token": token})
    assert response.status_code == 302
    assert "Nothing is locked" in admin.get("/security/sign-in-locks/").get_data(as_text=True)
    assert browser.api_login("dana").status_code == 200
    lifted = db.session.scalar(select(LoginEvent).where(LoginEvent.outcome == f"lifted_{kind}"))
    assert (lifted.username if kind == "account" else lifted.address) == key and lifted.user_id is not None


def test_the_locks_screen_is_for_admins_only(user, browser_for, clock):
    browser = browser_for()
    assert browser.login("dana").status_code == 302
    assert browser.get("/security/sign-in-locks/").status_code == 403
    assert browser.post("/security/sign-in-locks/lift", data={"kind": "account", "key": "x"}).status_code == 403


def test_behind_a_proxy_the_address_is_the_clients_not_the_proxys(user, browser_for, clock, app, monkeypatch):
    # What PLINTH_PROXY_COUNT=1 installs (app/__init__.py), with the same client_ip helper.
    from werkzeug.middleware.proxy_fix import ProxyFix

    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1))
    monkeypatch.setitem(app.config, "PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    proxy = browser_for("10.0.0.1")
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    for n in range(3):
        proxy.post("/api/v1/security/login", headers=attacker,
                   json={"username": f"guess{n}", "password": WRONG, "provider": "db"})
    assert proxy.post("/api/v1/security/login", headers=attacker,
                      json={"username": "dana", "password": "correct-horse-battery", "provider": "db"}).status_code == 429
    colleague = {"X-Forwarded-For": "198.51.100.3"}
    assert proxy.post("/api/v1/security/login", headers=colleague,
                      json={"username": "dana", "password": "correct-horse-battery", "provider": "db"}).status_code == 200
    assert {e.address for e in db_events()} == {"203.0.113.9", "198.51.100.3"}


def db_events():
    from app.extensions import db

    return db.session.scalars(select(LoginEvent)).all()
