"""Staff sessions live on the server: idle timeout, lifetime, and revocation of every
cookie and token of a user on logout, password change and deactivation."""
from __future__ import annotations

import pytest
from flask import current_app

from tests.auth.conftest import fresh

STAFF_PAGE = "/clientview/list/"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def api_ok(browser, token: str) -> bool:
    status = browser.get("/api/v1/client/", headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def refresh_ok(browser, refresh_token: str) -> bool:
    status = browser.post("/api/v1/security/refresh", headers=bearer(refresh_token)).status_code
    assert status in (200, 401)
    return status == 200


def replay(browser_for, cookie: str):
    """Another client presenting a captured session cookie."""
    thief = browser_for("198.51.100.50")
    thief.client.set_cookie(current_app.config["SESSION_COOKIE_NAME"], cookie)
    return thief


@pytest.fixture()
def signed_in(user, browser_for, clock):
    """A browser signed in as `user`, its cookie, and an API client's tokens."""
    browser = browser_for()
    assert browser.login("dana").status_code == 302
    cookie = browser.client.get_cookie(current_app.config["SESSION_COOKIE_NAME"]).value
    tokens = browser_for().api_login("dana").get_json()
    return browser, cookie, tokens


def everything_refused(browser_for, cookie, tokens) -> bool:
    thief = replay(browser_for, cookie)
    api = browser_for("198.51.100.51")
    return (not thief.signed_in() and thief.get(STAFF_PAGE).status_code == 302
            and not api_ok(api, tokens["access_token"]) and not refresh_ok(api, tokens["refresh_token"]))


def test_a_signed_in_cookie_and_tokens_work(signed_in, browser_for):
    browser, cookie, tokens = signed_in
    assert browser.get(STAFF_PAGE).status_code == 200
    thief = replay(browser_for, cookie)
    assert thief.signed_in() and thief.get(STAFF_PAGE).status_code == 200
    api = browser_for()
    assert api_ok(api, tokens["access_token"])
    refreshed = api.post("/api/v1/security/refresh", headers=bearer(tokens["refresh_token"])).get_json()
    assert api_ok(api, refreshed["access_token"])


def test_logout_refuses_every_cookie_and_token_captured_before(signed_in, browser_for):
    browser, cookie, tokens = signed_in
    assert browser.get("/logout/").status_code == 302
    assert everything_refused(browser_for, cookie, tokens)


def test_a_password_change_refuses_every_cookie_and_token_captured_before(signed_in, browser_for, user, db):
    current_app.appbuilder.sm.reset_password(user.id, "a-new-long-password-2026")
    assert everything_refused(browser_for, cookie=signed_in[1], tokens=signed_in[2])
    fresh_browser = browser_for()
    assert fresh_browser.login("dana", "a-new-long-password-2026").status_code == 302
    assert fresh_browser.signed_in()


def test_changing_ones_own_password_on_the_form_ends_the_other_sessions(signed_in, browser_for):
    browser, cookie, tokens = signed_in
    response = browser.post("/resetmypassword/form", data={"password": "Another-pass-2026!", "conf_password": "Another-pass-2026!"})
    assert response.status_code == 302
    assert everything_refused(browser_for, cookie, tokens)


def test_deactivation_refuses_every_cookie_and_token_captured_before(signed_in, browser_for, user, db):
    user.active = False
    db.session.commit()
    browser, cookie, tokens = signed_in
    assert everything_refused(browser_for, cookie, tokens)


def test_a_session_ends_after_the_idle_timeout_and_activity_extends_it(signed_in, clock, app):
    browser = signed_in[0]
    idle = app.config["PLINTH_SESSION_IDLE_MINUTES"]
    clock.advance(minutes=idle - 1)
    assert browser.get(STAFF_PAGE).status_code == 200  # activity: the idle time restarts
    clock.advance(minutes=idle - 1)
    assert browser.signed_in()  # asking does not count as activity ...
    clock.advance(minutes=2)
    assert not browser.signed_in()  # ... so the session ended `idle` minutes after the page
    assert browser.get(STAFF_PAGE).status_code == 302


def test_the_keepalive_extends_and_the_status_tells_the_time_left(signed_in, clock, app):
    browser = signed_in[0]
    idle = app.config["PLINTH_SESSION_IDLE_MINUTES"]
    clock.advance(minutes=idle - 2)
    assert browser.get("/auth/session").get_json() == {"signed_in": True, "ends_in": 120}
    assert browser.post("/auth/session/keepalive").get_json()["ends_in"] == idle * 60
    clock.advance(minutes=idle - 1)
    assert browser.signed_in()


def test_an_api_token_ends_with_its_idle_session(signed_in, clock, app, browser_for):
    tokens = signed_in[2]
    api = browser_for()
    clock.advance(minutes=app.config["PLINTH_SESSION_IDLE_MINUTES"], seconds=1)
    assert not refresh_ok(api, tokens["refresh_token"])


def test_a_busy_session_still_ends_at_its_lifetime(signed_in, clock, app):
    browser = signed_in[0]
    for _ in range(app.config["PLINTH_SESSION_MAX_HOURS"] * 3 - 1):
        clock.advance(minutes=20)
        assert browser.get(STAFF_PAGE).status_code == 200
    clock.advance(minutes=20)
    assert not browser.signed_in()


def test_an_ended_session_is_told_to_the_grid_as_401_with_a_reason(signed_in, clock, app):
    browser = signed_in[0]
    clock.advance(minutes=app.config["PLINTH_SESSION_IDLE_MINUTES"] + 1)
    response = browser.get("/auth/session")
    assert response.status_code == 401 and "another tab" in response.get_json()["message"]
    assert browser.post("/auth/session/keepalive").status_code == 401


def test_one_browser_timing_out_leaves_the_users_other_sessions(signed_in, clock, app, browser_for):
    browser = signed_in[0]
    other = browser_for("192.0.2.77")
    clock.advance(minutes=app.config["PLINTH_SESSION_IDLE_MINUTES"] - 5)
    assert other.login("dana").status_code == 302
    clock.advance(minutes=10)
    assert not browser.signed_in() and other.signed_in()


def test_tokens_without_a_session_are_refused(user, browser_for, clock, app):
    from flask_jwt_extended import create_access_token

    fresh()
    forged = create_access_token(identity=str(user.id))  # signed, but no server-side session
    assert not api_ok(browser_for(), forged)


def test_the_grid_is_told_why_its_save_was_refused(signed_in, clock, app):
    browser = signed_in[0]
    clock.advance(minutes=app.config["PLINTH_SESSION_IDLE_MINUTES"] + 1)
    response = browser.post("/api/v1/grid/blocks/", json={"calendar_id": 1})
    assert response.status_code == 401
    assert "Sign in again in another tab" in response.get_json()["message"]
