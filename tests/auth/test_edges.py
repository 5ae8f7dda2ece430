"""The edges: security headers everywhere, trusted hosts, same-site redirects, cookie flags."""
from __future__ import annotations

import pytest

import config
from app.models import online_booking_settings


def test_staff_pages_send_a_strict_policy_with_a_nonce_on_every_script(user, browser_for, clock):
    browser = browser_for()
    assert browser.login("dana").status_code == 302
    response = browser.get("/clientview/list/")
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy and "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    scripts = page.count("<script")
    assert scripts and page.count(f'nonce="{nonce}"') == scripts
    assert "auth/session.js" in page  # the session warning is on every staff page
    assert "Strict-Transport-Security" not in headers  # plain http


@pytest.mark.parametrize("path", ["/login/", "/api/v1/security/login", "/health", "/auth/session"])
def test_login_api_and_plain_responses_carry_the_headers_too(path, browser_for, db):
    response = browser_for().get(path)
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_api_answers_with_the_headers(user, browser_for, clock):
    browser = browser_for()
    token = browser.api_login("dana").get_json()["access_token"]
    response = browser.get("/api/v1/client/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_booking_site_keeps_its_own_policy_and_embedding_origins(browser_for, db):
    online_booking_settings().embed_origins = "https://www.clinic.example"
    db.session.commit()
    response = browser_for().get("/book/")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.clinic.example" in policy
    assert "X-Frame-Options" not in response.headers  # would forbid the embedding
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_https_responses_carry_hsts(browser_for, db):
    response = browser_for().get("/login/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path", ["/clientview/list/", "/login/", "/book/", "/api/v1/client/"])
def test_a_forged_host_is_refused_and_never_echoed(path, browser_for, db):
    response = browser_for().get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in (response.headers.get("Location") or "")
    assert "evil.example" not in response.get_data(as_text=True)


def test_the_login_redirect_of_a_trusted_host_is_relative(browser_for, db):
    response = browser_for().get("/clientview/list/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/")


@pytest.mark.parametrize("target, lands", [
    ("/calendar/?date=2026-03-10", "/calendar/?date=2026-03-10"),
    ("http://localhost/clientview/list/", "/clientview/list/"),
    ("https://evil.example/steal", "/"),
    ("//evil.example/steal", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("http://localhost.evil.example/", "/"),
])
def test_login_next_only_leads_to_this_site(target, lands, user, browser_for, clock):
    browser = browser_for()
    response = browser.post("/login/", query_string={"next": target},
                            data={"username": "dana", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response.headers["Location"] == lands


def test_the_session_cookie_is_httponly_and_samesite(user, browser_for, clock):
    browser = browser_for()
    response = browser.login("dana")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_when_the_public_site_is_https():
    env = {"PLINTH_INSTANCE_DIR": "/tmp/plinth-config-test", "SECRET_KEY": "x" * 20}
    assert config.load_config({**env, "PUBLIC_BASE_URL": "https://book.example.com"})["SESSION_COOKIE_SECURE"] is True
    assert config.load_config(env)["SESSION_COOKIE_SECURE"] is False
    forced = config.load_config({**env, "PLINTH_SECURE_COOKIES": "true", "PLINTH_COOKIE_SAMESITE": "strict"})
    assert forced["SESSION_COOKIE_SECURE"] and forced["REMEMBER_COOKIE_SECURE"]
    assert forced["SESSION_COOKIE_SAMESITE"] == forced["REMEMBER_COOKIE_SAMESITE"] == "Strict"
    hosts = config.load_config({**env, "PUBLIC_BASE_URL": "https://book.example.com"})["TRUSTED_HOSTS"]
    assert hosts == ["book.example.com"]


@pytest.mark.parametrize("name, value", [
    ("PLINTH_SECURE_COOKIES", "maybe"), ("PLINTH_COOKIE_SAMESITE", "Lenient"), ("PLINTH_COOKIE_SAMESITE", "None"),
    ("PLINTH_TRUSTED_HOSTS", "a.example.com:443"), ("PLINTH_TRUSTED_HOSTS", "bad/host"),
    ("PLINTH_LOGIN_MAX_FAILURES", "0"), ("PLINTH_SESSION_IDLE_MINUTES", "soon"),
    ("PLINTH_TEMPLATE_MAX_RANGE", "-1"),
])
def test_bad_security_settings_stop_the_start_with_the_variables_name(name, value):
    with pytest.raises(config.ConfigError, match=name):
        config.load_config({"PLINTH_INSTANCE_DIR": "/tmp/plinth-config-test", "SECRET_KEY": "x" * 20, name: value})
