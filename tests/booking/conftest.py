"""A small clinic open for online booking, on days ahead of the real clock (the public
pages read the real time: lead time and "no past times" are about now)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.models import Calendar, Location, PayerKind, SessionType
from app.timeutil import to_utc, utcnow
from tests import factories
from tests.live import serving

ZONE = "America/Toronto"
GENEROUS = {name: "10000/minute" for name in
            ("code_ip", "code_email", "verify_ip", "book_ip", "book_email", "waitlist_ip")}


@pytest.fixture(autouse=True)
def _limits(app, monkeypatch):
    """Generous limits and fresh counters for every test (the rate-limit tests tighten)."""
    from app.booking import limits

    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMITS", dict(GENEROUS))
    with app.test_request_context():
        limits.reset()
    yield


@pytest.fixture(autouse=True)
def code_jobs(app, monkeypatch):
    """Login-code jobs run in-process: every request's jobs are kept, and run (like the
    worker would) before anything reads the outbox, by ``run_code_jobs()``."""
    from app.booking import codes

    pending: list[tuple] = []
    monkeypatch.setattr(codes, "dispatch", lambda *args: pending.append(args))
    CODE_JOBS[:] = []
    CODE_JOBS.append(pending)
    yield pending


CODE_JOBS: list[list[tuple]] = []


def run_code_jobs() -> int:
    """Run the login-code jobs enqueued so far (in the caller's app context)."""
    from app.booking import codes

    sent = 0
    for pending in CODE_JOBS:
        while pending:
            sent += codes.send_code_job(*pending.pop(0))
    return sent


def future_day(days_ahead: int) -> date:
    return (datetime.now(ZoneInfo(ZONE)) + timedelta(days=days_ahead)).date()


def local_at(day: date, hour: int, minute: int = 0) -> datetime:
    return to_utc(day, time(hour, minute), ZONE)


@dataclass
class Site:
    location: Location
    maya: Calendar      # physio, online, slug maya-chen
    dan: Calendar       # physio, online, slug dan-okafor
    sophie: Calendar    # massage, NOT online
    initial: SessionType   # new patients only
    follow_up: SessionType  # returning only
    massage: SessionType
    hidden: SessionType     # not bookable online
    insurer: object
    self_pay: object
    days: list[date]


@pytest.fixture()
def site(db, people) -> Site:
    from app.models import clinic_settings

    settings = clinic_settings()
    settings.clinic_name = "Harbour Physio"
    settings.phone = "+14165550100"
    loc = people.location
    loc.phone = "+14165550111"
    physio = people.discipline
    massage_d = factories.make_discipline(name="Massage")
    maya = people.provider_calendar
    maya.name, maya.online_enabled, maya.slug, maya.lead_time_minutes = "Maya Chen", True, "maya-chen", 120
    dan_member = factories.make_team_member(locations=[loc], disciplines=[physio])
    dan = dan_member.calendars[0]
    dan.name, dan.online_enabled, dan.slug = "Dan Okafor", True, "dan-okafor"
    sophie_member = factories.make_team_member(locations=[loc], disciplines=[massage_d])
    sophie = sophie_member.calendars[0]
    sophie.name, sophie.online_enabled = "Sophie Gagnon", False
    initial = factories.make_session_type(name="Initial assessment", category="Physiotherapy", discipline=physio,
                                          duration_minutes=60, price=Decimal("142.00"), online_bookable=True,
                                          for_returning_clients=False, description="First visit.")
    follow_up = factories.make_session_type(name="Follow-up", category="Physiotherapy", discipline=physio,
                                            duration_minutes=30, online_bookable=True, for_new_clients=False)
    massage = factories.make_session_type(name="Massage 60", category="Massage", discipline=massage_d,
                                          duration_minutes=60, online_bookable=True)
    hidden = factories.make_session_type(name="Shockwave", category="Physiotherapy", discipline=physio,
                                         duration_minutes=15, online_bookable=False)
    insurer = factories.make_payer(name="Maple Health", kind=PayerKind.insurer)
    self_pay = factories.make_payer(name="Self-pay", kind=PayerKind.self_pay)
    days = [future_day(n) for n in (3, 4, 5)]
    for cal in (maya, dan, sophie):
        for day in days:
            factories.make_shift(cal, day, time(9), time(17), breaks=[(time(12), time(13))])
    db.session.commit()
    return Site(loc, maya, dan, sophie, initial, follow_up, massage, hidden, insurer, self_pay, days)


DETAILS = {"first_name": "Nora", "last_name": "Patel", "email": "nora@example.com", "phone": "416 555 0199",
           "date_of_birth": "1988-04-02", "payer_id": "0", "policy_number": "", "notes": "Left knee"}


def slot_values(html: str) -> list[str]:
    return re.findall(r'name="value" value="([^"]+)"', html)


def walk_to_times(client, site: Site, *, session_type=None, provider: str = "any", new: bool = True):
    """New patient: location → who → service → provider; returns the times page."""
    client.get(f"/book/l/{site.location.id}")
    if new:
        client.get("/book/new")
    st = session_type or site.initial
    client.get(f"/book/service/{st.id}")
    client.get(f"/book/provider/{provider}")
    return client.get(f"/book/times?day={site.days[0].isoformat()}")


def walk_to_review(client, site: Site, *, value: str | None = None, details=None, **kw) -> str:
    page = walk_to_times(client, site, **kw)
    value = value or slot_values(page.get_data(as_text=True))[0]
    client.post("/book/times", data={"value": value})
    response = client.post("/book/details", data=details or DETAILS)
    assert response.status_code == 302, response.get_data(as_text=True)
    return value


def confirm_fields(html: str) -> dict:
    """The review page's confirm form: its one-time nonce and digest."""
    return {name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)
            for name in ("nonce", "digest")}


def post_confirm(client, fields: dict | None = None):
    """Press "Confirm booking" on the review page as it is now (or with ``fields``)."""
    fields = fields or confirm_fields(client.get("/book/review").get_data(as_text=True))
    return client.post("/book/confirm", data=fields)


def start_of(value: str) -> datetime:
    return datetime.fromisoformat(value.split("|")[0])


@pytest.fixture()
def live_server(app, db):
    with serving(app, release=db.session.remove) as address:
        yield address


__all__ = ["utcnow"]
