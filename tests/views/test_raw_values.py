"""Every staff screen shows people's values, never Python's: walk every registered staff
GET route (list, show, edit and add screens of every model view, and the custom screens)
as the admin of the seeded demo clinic, and fail on a repr, an empty list, FAB's
``__None`` or a raw ISO timestamp."""
from __future__ import annotations

import re
from html import escape, unescape
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app.demo import ADMIN_PASSWORD, seed_demo
from app.extensions import db as _db
from app.models import Appointment
from tests.api.test_screen_sweep import PARAM, SKIPPED_PREFIXES, WRITING_ENDPOINT_SUFFIXES, _ids_by_view
from tests.views.helpers import login

SEEDED_AT = datetime(2026, 3, 11, 15, 30, tzinfo=timezone.utc)
ROWS_PER_SCREEN = 3  # show and edit screens of the first rows of every model view
RAW = {
    "repr": re.compile(r"object at 0x|<app\.models\.|<class '"),
    "empty list": re.compile(r"(?<![\w\"'=\[(])\[\](?![\w\"'\])])"),
    "__None": re.compile(r"__None(?!\w)"),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?"),
    "Decimal": re.compile(r"Decimal\('"),
    "None": re.compile(r">\s*None\s*<"),
}
# Only what people read: scripts, styles, attributes and form values are machine text.
MACHINE_TEXT = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S | re.I)
TAG = re.compile(r"<[^>]*>")


@pytest.fixture()
def demo_clinic(app, db):
    seed_demo(now=SEEDED_AT, history_months=0)
    _db.session.commit()
    return app


def visible_text(html: str) -> str:
    html = MACHINE_TEXT.sub(" ", html)
    return unescape(TAG.sub(" ", html))  # attributes are machine text; option labels stay (they are between tags)


def staff_get_urls(app) -> list[str]:
    ids = _ids_by_view()
    some_appointment = _db.session.scalar(select(Appointment.id).order_by(Appointment.id))
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        if rule.endpoint.endswith(WRITING_ENDPOINT_SUFFIXES) or "/feed/" in rule.rule:
            continue  # writes by GET; JSON feeds are machine text
        screen = rule.endpoint.split(".", 1)[0]
        names = PARAM.findall(rule.rule)
        if not names:
            urls.append(rule.rule)
        elif names == ["pk"]:
            urls += [PARAM.sub(str(i), rule.rule) for i in ids.get(screen, [])[:ROWS_PER_SCREEN]]
        elif names == ["appointment_id"] and some_appointment:
            urls.append(PARAM.sub(str(some_appointment), rule.rule))
    return urls


def raw_values(text: str) -> list[str]:
    found = []
    for name, pattern in RAW.items():
        for match in pattern.finditer(text):
            found.append(f"{name}: …{text[max(0, match.start() - 60):match.end() + 20]!r}…")
    return found


def test_raw_value_patterns_catch_what_the_trial_saw():
    seen = ("Occupancies [<app.models.appointments.Occupancy object at 0x7f>]", "Disciplines []",
            "Calendar __None", "Created 2026-12-04 13:40:01.124636+00:00", "Price Decimal('1.00')")
    assert all(raw_values(visible_text(f"<td>{escape(s)}</td>")) for s in seen)
    fine = ("Occupancies 4 Dec 2026, 08:40–09:40", "Disciplines Osteopathy, Massage", "4 Dec 2026, 08:40")
    assert not any(raw_values(visible_text(f"<td>{s}</td>")) for s in fine)


def test_no_staff_screen_shows_a_python_value(demo_clinic, client):
    app = demo_clinic
    urls = staff_get_urls(app)
    login(client, "admin", ADMIN_PASSWORD)
    problems, errors = {}, []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            errors.append((url, response.status_code))
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        found = raw_values(visible_text(response.get_data(as_text=True)))
        screen = url.split("/")[1]
        if found and screen not in problems:  # one example per screen keeps the report readable
            problems[screen] = (url, found[:4])
    print(f"\n{len(urls)} pages")
    assert errors == []
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.values())
    assert len(urls) > 150
