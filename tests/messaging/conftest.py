from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from app.models import Calendar, Case, Client, NotificationSettings, ReminderPlan, SessionType
from app.timeutil import to_local, to_utc, utcnow
from tests import factories
from tests.messaging.stub import SendGridStub

ZONE = "America/Toronto"


@dataclass
class Scene:
    people: factories.People
    calendar: Calendar
    session_type: SessionType
    client: Client
    case: Case
    day: date  # a day ten days ahead with a shift 08:00-18:00

    def at(self, hour: int, minute: int = 0, day: date | None = None) -> datetime:
        return to_utc(day or self.day, time(hour, minute), ZONE)


@pytest.fixture()
def scene(db, people) -> Scene:
    day = (utcnow() + timedelta(days=10)).date()
    calendar = people.provider_calendar
    for d in (day, day + timedelta(days=1)):
        factories.make_shift(calendar, d, time(8), time(18))
    session_type = factories.make_session_type(name="Follow-up", discipline=people.discipline, duration_minutes=30)
    client = factories.make_client(first_name="Alex", last_name="Tremblay", email="alex@example.com")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider,
                               title="Left knee ACL reconstruction", notes="Secret clinical note")
    db.session.add(NotificationSettings(
        id=1, confirmation_enabled=True, change_enabled=True, cancellation_enabled=True, no_show_enabled=True,
        reminders_enabled=True, providers_enabled=True, new_booking_delay_minutes=3))
    db.session.add(ReminderPlan(location=people.location, offsets="24h, 2h"))
    db.session.commit()
    return Scene(people, calendar, session_type, client, case, day)


def book(scene: Scene, start: datetime, *, actor=None, notify: bool = True):
    from app.scheduling import booking
    from app.uow import unit_of_work

    with unit_of_work():
        result = booking.book(case=scene.case, session_type=scene.session_type, calendar=scene.calendar,
                              start=start, actor=actor or scene.people.frontdesk, notify=notify)
    return result.appointment


def ahead(hours_choices: tuple[int, ...], minutes: int, seconds: int = 0) -> tuple[int, datetime]:
    """(hours, start): the first start ``hours`` (+ ``seconds``) from now, by the real clock
    (the workers send by it), whose visit of ``minutes`` ends before the location's
    midnight; no shift holds a visit across it, so late in the evening the test asks the
    next choice."""
    for hours in hours_choices:
        start = (utcnow() + timedelta(hours=hours, seconds=seconds)).replace(microsecond=0)
        if to_local(start, ZONE).date() == to_local(start + timedelta(minutes=minutes + 1), ZONE).date():
            return hours, start
    raise AssertionError(f"every choice of {hours_choices} runs past midnight")


def cover(scene: Scene, start: datetime, minutes: int = 60) -> None:
    """Shifts around ``start`` (any hour, any day) so the booking service accepts it."""
    from zoneinfo import ZoneInfo

    from app.extensions import db

    from sqlalchemy import select

    from app.models import Shift

    covered = set(db.session.scalars(select(Shift.day).where(Shift.calendar_id == scene.calendar.id)))
    local = start.astimezone(ZoneInfo(ZONE))
    end = (start + timedelta(minutes=minutes)).astimezone(ZoneInfo(ZONE))
    for day in sorted({local.date(), end.date()}):
        if day not in covered:
            factories.make_shift(scene.calendar, day, time(0), time(23, 59))
    db.session.commit()


@pytest.fixture()
def stub():
    server = SendGridStub().start()
    yield server
    server.stop()


@pytest.fixture()
def sendgrid(app, stub, monkeypatch):
    """The app sends through SendGrid's client to the local stub."""
    monkeypatch.setitem(app.config, "SENDGRID_API_KEY", "SG.test-key")
    monkeypatch.setitem(app.config, "SENDGRID_API_HOST", stub.url)
    return stub


@pytest.fixture()
def twilio_stub():
    from tests.messaging.twilio_stub import TwilioStub

    server = TwilioStub().start()
    yield server
    server.stop()


@pytest.fixture()
def twilio(app, twilio_stub, monkeypatch):
    """The app sends texts through Twilio's client to the local stub."""
    from tests.messaging.twilio_stub import ACCOUNT_SID, AUTH_TOKEN

    monkeypatch.setitem(app.config, "TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setitem(app.config, "TWILIO_API_BASE", twilio_stub.url)
    return twilio_stub
