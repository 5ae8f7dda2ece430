"""CSRF, honeypot, rate limits (and Redis down), headers, no stack traces."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.booking import limits
from app.models import Appointment, Client, LoginCode, online_booking_settings
from tests.booking.conftest import DETAILS, walk_to_review, walk_to_times, slot_values, post_confirm


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_csrf_refuses_a_confirm_without_the_token(client, site, db, csrf_on, monkeypatch, app):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    walk_to_review(client, site)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/book/confirm")
    assert response.status_code == 400 and "nothing was" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count(Appointment.id))) == 0


@pytest.mark.parametrize("path", ["/book/returning", "/book/details", "/book/times", "/book/waitlist"])
def test_every_form_refuses_a_post_without_the_token(client, site, db, csrf_on, path):
    walk_to_times(client, site)
    client.post(path, data={**DETAILS, "email": "x@example.com", "value": "x", "agree": "y"})
    assert db.session.scalar(select(func.count(Client.id))) == 0
    assert db.session.scalar(select(func.count(LoginCode.id))) == 0
    assert client.get("/book/review").status_code == 302  # nothing was kept


def test_the_real_pages_carry_a_working_token(client, site, db, csrf_on):
    import re

    page = walk_to_times(client, site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    value = slot_values(page)[0]
    assert client.post("/book/times", data={"value": value, "csrf_token": token}).status_code == 302


def test_honeypot_on_details_books_nothing(client, site, db):
    walk_to_times(client, site)
    client.post("/book/times", data={"value": slot_values(client.get(
        f"/book/times?day={site.days[0]}").get_data(as_text=True))[0]})
    response = client.post("/book/details", data={**DETAILS, "website": "http://spam.example"})
    assert response.status_code == 400
    assert client.get("/book/review").status_code == 302  # details were not kept
    assert db.session.scalar(select(func.count(Client.id))) == 0


def test_honeypot_on_code_request_looks_the_same_but_sends_nothing(client, site, db):
    from tests import factories

    factories.make_client(email="known@example.com")
    db.session.commit()
    client.get(f"/book/l/{site.location.id}")
    bot = client.post("/book/returning", data={"email": "known@example.com", "website": "x"})
    assert bot.status_code == 302 and bot.headers["Location"].endswith("/book/returning/code")
    assert db.session.scalar(select(func.count(LoginCode.id))) == 0


def test_code_requests_are_limited_per_ip(app, client, site, db, monkeypatch):
    monkeypatch.setitem(app.config["BOOKING_RATE_LIMITS"], "code_ip", "3/hour")
    client.get(f"/book/l/{site.location.id}")
    statuses = [client.post("/book/returning", data={"email": f"p{n}@example.com"}).status_code for n in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    page = client.post("/book/returning", data={"email": "p9@example.com"}).get_data(as_text=True)
    assert "Too many attempts" in page and "Traceback" not in page


def test_code_requests_are_limited_per_email_across_addresses(app, site, db, monkeypatch):
    monkeypatch.setitem(app.config["BOOKING_RATE_LIMITS"], "code_email", "2/hour")
    statuses = []
    for n in range(4):
        browser = app.test_client()
        environ = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        browser.get(f"/book/l/{site.location.id}", environ_base=environ)
        statuses.append(browser.post("/book/returning", data={"email": "Same@Example.com"},
                                     environ_base=environ).status_code)
    assert statuses == [302, 302, 429, 429]


def test_bookings_are_limited_per_ip(app, client, site, db, monkeypatch):
    monkeypatch.setitem(app.config["BOOKING_RATE_LIMITS"], "book_ip", "1/hour")
    walk_to_review(client, site)
    assert post_confirm(client).status_code == 302
    walk_to_review(client, site, details={**DETAILS, "email": "other@example.com"})
    assert post_confirm(client).status_code == 429
    assert db.session.scalar(select(func.count(Appointment.id))) == 1


def test_limits_still_apply_in_memory_when_redis_is_down(app, client, site, db, monkeypatch):
    monkeypatch.setitem(app.config, "BOOKING_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.config["BOOKING_RATE_LIMITS"], "code_ip", "2/hour")
    saved = app.extensions.pop("booking_limits", None)
    try:
        client.get(f"/book/l/{site.location.id}")
        statuses = [client.post("/book/returning", data={"email": f"p{n}@example.com"}).status_code for n in range(3)]
        assert statuses == [302, 302, 429]
    finally:
        app.extensions.pop("booking_limits", None)
        if saved is not None:
            app.extensions["booking_limits"] = saved


def test_security_headers_and_framing_only_for_listed_origins(client, site, db):
    online_booking_settings().embed_origins = "https://www.harbour-physio.example\nhttps://blog.example:8443"
    db.session.commit()
    response = client.get("/book/who")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://blog.example:8443 https://www.harbour-physio.example" in csp
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    # no other host anywhere in the policy than the clinic's own framing origins
    assert [w for w in csp.replace(";", " ").split() if "://" in w] == [
        "https://blog.example:8443", "https://www.harbour-physio.example"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "://" not in client.get("/book/who").get_data(as_text=True).replace("http://localhost", "")


def test_an_unexpected_error_shows_an_apology_not_a_stack_trace(client, site, monkeypatch):
    from app.booking import catalogue

    def broken(*a, **kw):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(catalogue, "locations", broken)
    response = client.get("/book/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in page and "Traceback" not in page and "on fire" not in page


def test_limits_module_counts_per_key(app):
    with app.test_request_context():
        limits.reset()
        app.config["BOOKING_RATE_LIMITS"]["waitlist_ip"] = "2/minute"
        limits.hit("waitlist_ip", "a")
        limits.hit("waitlist_ip", "a")
        limits.hit("waitlist_ip", "b")
        with pytest.raises(limits.RateLimited):
            limits.hit("waitlist_ip", "a")
