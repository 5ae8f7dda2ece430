"""A scene with two providers' records and an API client that logs in by JWT."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from flask import g

from app.models import TimeBlock
from tests import factories


class Api:
    """The test client, logged in through POST /api/v1/security/login (or anonymous)."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, url: str, **kw: Any):
        # Requests reuse the test's app context, so `g` outlives a request here (never in
        # production). Forget the last request's JWT, or FAB would trust it without
        # reading this request's token, and g.user would stay anonymous.
        for key in [k for k in vars(g) if k.startswith("_jwt_extended")]:
            g.pop(key)
        return self.client.open(url, method=method, headers=self.headers, **kw)

    def get(self, url: str, **kw):
        return self.request("GET", url, **kw)

    def post(self, url: str, json=None, **kw):
        return self.request("POST", url, json=json, **kw)

    def put(self, url: str, json=None, **kw):
        return self.request("PUT", url, json=json, **kw)

    def delete(self, url: str, **kw):
        return self.request("DELETE", url, **kw)


def login(client, username: str, password: str = factories.PASSWORD) -> Api:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["refresh_token"]
    return Api(client, response.json["access_token"])


@pytest.fixture()
def as_user(client, db):
    """``as_user("provider")`` → an Api logged in as that user (commits the session first)."""

    def _login(username: str) -> Api:
        db.session.commit()
        return login(client, username)

    return _login


@pytest.fixture()
def anonymous(client, db) -> Api:
    db.session.commit()
    return Api(client)


@dataclass
class Scene:
    """Records of two providers at two locations, and two front-desk-only clients."""

    people: factories.People
    client: Any  # treated by `provider`, booked on their calendar
    case: Any
    appointment: Any
    other_client: Any  # treated by `outsider` at the other location
    other_case: Any
    other_appointment: Any
    downtown_walk_in: Any  # home location: Downtown (front desk's), no case yet
    lisbon_walk_in: Any  # home location: Lisbon
    shift: Any  # on `provider`'s calendar
    time_block: Any  # on `provider`'s calendar


# Strings that belong to `provider`'s client only: no response to `outsider` may hold them.
SECRET_MARKERS = ("Zanzibar", "Quixotic", "zanzibar.quixotic@example.test", "+14165550199",
                  "Secret sciatica", "Private appointment note")
# Strings of the other location's clients: front desk at Downtown may never see them.
LISBON_MARKERS = ("Ostrogoth", "Ludmila", "Lusitania", "Shoulder")


@pytest.fixture()
def scene(db, people) -> Scene:
    start = datetime(2026, 3, 9, 14, tzinfo=timezone.utc)
    client = factories.make_client(first_name="Zanzibar", last_name="Quixotic",
                                   email="zanzibar.quixotic@example.test", phone="+14165550199",
                                   home_location=people.location)
    case = factories.make_case(client=client, title="Secret sciatica", discipline=people.discipline,
                               provider=people.provider)
    appointment = factories.make_appointment(people.provider_calendar, start, case=case,
                                             notes="Private appointment note")
    other_client = factories.make_client(first_name="Olaf", last_name="Ostrogoth", home_location=people.other_location)
    other_case = factories.make_case(client=other_client, title="Shoulder", discipline=people.discipline,
                                     provider=people.outsider)
    other_appointment = factories.make_appointment(people.outsider_calendar, start, case=other_case)
    downtown = factories.make_client(first_name="Dora", last_name="Downtown", home_location=people.location)
    lisbon = factories.make_client(first_name="Ludmila", last_name="Lusitania", home_location=people.other_location)
    shift = factories.make_shift(people.provider_calendar, date(2026, 3, 9), breaks=[(time(12), time(13))])
    block = TimeBlock(calendar=people.provider_calendar, starts_at=start + timedelta(hours=3),
                      ends_at=start + timedelta(hours=4), reason="Secret sciatica review")
    db.session.add(block)
    db.session.commit()
    return Scene(people, client, case, appointment, other_client, other_case, other_appointment, downtown, lisbon,
                 shift, block)
