"""Many patients confirm the same time at once through the real server: exactly one is
booked, every other one sees the nearest alternatives (never an error page).

Real threads, each its own browser session (cookie jar), against the live server on
both backends (PostgreSQL: row locks + the exclusion constraint; SQLite: one writer)."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from sqlalchemy import select

from app.extensions import db as ext_db
from app.models import Appointment, Occupancy
from tests.booking.conftest import DETAILS, confirm_fields

PATIENTS = 8


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get("Location") or ""


def test_parallel_public_confirms_of_one_slot_book_exactly_one(live_server, site, db):
    location_id, session_type_id, calendar_id, day = site.location.id, site.initial.id, site.maya.id, site.days[0]
    ext_db.session.close()  # SQLite: hold no transaction while the server works
    browsers = [Browser(live_server) for _ in range(PATIENTS)]
    value = None
    for n, browser in enumerate(browsers):
        browser.request(f"/book/l/{location_id}")
        browser.request("/book/new")
        browser.request(f"/book/service/{session_type_id}")
        browser.request(f"/book/provider/{calendar_id}")
        _, page, _ = browser.request(f"/book/times?day={day}")
        value = value or re.findall(r'name="value" value="([^"]+)"', page)[0]
        assert browser.request("/book/times", {"value": value})[0] == 302
        assert browser.request("/book/details", {**DETAILS, "email": f"p{n}@example.com"})[0] == 302
        browser.fields = confirm_fields(browser.request("/book/review")[1])

    barrier, lock, outcomes, pages = threading.Barrier(PATIENTS), threading.Lock(), Counter(), []

    def confirm(browser):
        barrier.wait()
        status, page, location = browser.request("/book/confirm", browser.fields)
        with lock:
            outcomes[(status, location.endswith("/book/confirmed") if location else "taken" in page and "just taken")] += 1
            pages.append((status, page))

    threads = [threading.Thread(target=confirm, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes == Counter({(302, True): 1, (409, "just taken"): PATIENTS - 1}), outcomes
    for status, page in pages:
        if status == 409:
            alternatives = re.findall(r'name="value" value="([^"]+)"', page)
            assert alternatives and value not in alternatives
    booked = ext_db.session.scalars(select(Appointment)).all()
    assert len(booked) == 1
    held = ext_db.session.scalars(select(Occupancy).where(Occupancy.calendar_id == calendar_id)).all()
    assert len(held) == 1
