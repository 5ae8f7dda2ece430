"""Factory helpers: sensible defaults, every field overridable (``make_x(field=...)``).

Each helper adds to the session and flushes, so ids exist; the test commits if it
needs the data visible to other connections or to HTTP requests.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentStatus,
    BillingItem,
    Calendar,
    CalendarKind,
    Case,
    Client,
    Discipline,
    Location,
    Occupancy,
    Payer,
    PayerKind,
    SessionType,
    SessionTypeBillingItem,
    Shift,
    ShiftBreak,
    TeamMember,
)
from app.security import FRONT_DESK, MANAGER, PROVIDER
from app.setup.team import provision_provider_calendars

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def _n() -> int:
    return next(_seq)


def _add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_location(**kw) -> Location:
    n = _n()
    kw.setdefault("name", f"Location {n}")
    kw.setdefault("timezone", "America/Toronto")
    kw.setdefault("invoice_prefix", f"L{n}-")
    return _add(Location(**kw))


def make_discipline(**kw) -> Discipline:
    kw.setdefault("name", f"Discipline {_n()}")
    return _add(Discipline(**kw))


def make_user(role_name: str | None = None, **kw):
    sm = current_app.appbuilder.sm
    n = _n()
    username = kw.pop("username", f"user{n}")
    role = sm.find_role(role_name) if role_name else None
    user = sm.user_model(
        username=username,
        first_name=kw.pop("first_name", username.title()),
        last_name=kw.pop("last_name", "Tester"),
        email=kw.pop("email", f"{username}@example.com"),
        active=True,
        roles=[role] if role else [],
    )
    from werkzeug.security import generate_password_hash

    user.password = generate_password_hash(kw.pop("password", PASSWORD), method="pbkdf2:sha256:1000")
    return _add(user)


def make_team_member(role_name: str = PROVIDER, *, locations=None, disciplines=None, **kw) -> TeamMember:
    user = kw.pop("user", None) or make_user(role_name, username=kw.pop("username", None) or f"member{_n()}")
    member = TeamMember(
        user=user,
        display_name=kw.pop("display_name", user.get_full_name()),
        is_provider=kw.pop("is_provider", role_name == PROVIDER),
        locations=list(locations or []),
        disciplines=list(disciplines or []),
        **kw,
    )
    _add(member)
    provision_provider_calendars(member)
    return member


def make_calendar(**kw) -> Calendar:
    kw.setdefault("name", f"Calendar {_n()}")
    kw.setdefault("kind", CalendarKind.room)
    if "location" not in kw and "location_id" not in kw:
        kw["location"] = make_location()
    return _add(Calendar(**kw))


def make_shift(calendar: Calendar, day: date, start=time(8), end=time(16), breaks=()) -> Shift:
    shift = Shift(calendar=calendar, day=day, start_time=start, end_time=end,
                  breaks=[ShiftBreak(start_time=b0, end_time=b1) for b0, b1 in breaks])
    return _add(shift)


def make_payer(**kw) -> Payer:
    kw.setdefault("name", f"Payer {_n()}")
    kw.setdefault("kind", PayerKind.self_pay)
    return _add(Payer(**kw))


def make_billing_item(**kw) -> BillingItem:
    n = _n()
    kw.setdefault("code", f"ITEM{n}")
    kw.setdefault("name", f"Item {n}")
    kw.setdefault("unit_price", Decimal("90.00"))
    return _add(BillingItem(**kw))


def make_session_type(**kw) -> SessionType:
    n = _n()
    kw.setdefault("name", f"Session {n}")
    kw.setdefault("category", "Physiotherapy")
    kw.setdefault("duration_minutes", 30)
    kw.setdefault("price", Decimal("90.00"))
    if "discipline" not in kw and "discipline_id" not in kw:
        kw["discipline"] = make_discipline()
    items = kw.pop("billing_items", ())
    session_type = _add(SessionType(**kw))
    for item, qty in items:
        _add(SessionTypeBillingItem(session_type=session_type, billing_item=item, quantity=qty))
    return session_type


def make_client(**kw) -> Client:
    n = _n()
    kw.setdefault("first_name", f"Client{n}")
    kw.setdefault("last_name", "Example")
    kw.setdefault("email", f"client{n}@example.com")
    return _add(Client(**kw))


def make_case(**kw) -> Case:
    if "client" not in kw and "client_id" not in kw:
        kw["client"] = make_client()
    if "discipline" not in kw and "discipline_id" not in kw:
        kw["discipline"] = make_discipline()
    kw.setdefault("title", "Low back pain")
    kw.setdefault("opened_on", date(2026, 1, 5))
    return _add(Case(**kw))


def make_appointment(calendar: Calendar, start: datetime, **kw) -> Appointment:
    """An appointment holding ``calendar`` (and ``extra_calendars``) directly, without the
    booking service: for setting up scenes, not for testing booking rules."""
    extra = kw.pop("extra_calendars", ())
    session_type = kw.pop("session_type", None) or make_session_type()
    case = kw.pop("case", None) or make_case(discipline=session_type.discipline)
    end = kw.pop("end", start + timedelta(minutes=session_type.duration_minutes))
    kw.setdefault("status", AppointmentStatus.booked)
    kw.setdefault("location", calendar.location)
    appointment = Appointment(case=case, session_type=session_type, starts_at=start, ends_at=end, **kw)
    for cal in (calendar, *extra):
        appointment.occupancies.append(Occupancy(calendar=cal, starts_at=start, ends_at=end))
    return _add(appointment)


@dataclass
class People:
    """The named users of the test scenes and where they work."""

    location: Location
    other_location: Location
    discipline: Discipline
    manager: object
    frontdesk: object
    provider: TeamMember
    outsider: TeamMember  # a provider at the other location: sees nothing of `provider`'s

    @property
    def provider_calendar(self) -> Calendar:
        return self.provider.calendars[0]

    @property
    def outsider_calendar(self) -> Calendar:
        return self.outsider.calendars[0]


def make_people() -> People:
    location = make_location(name="Downtown", timezone="America/Toronto")
    other = make_location(name="Lisbon", timezone="Europe/Lisbon")
    physio = make_discipline(name="Physiotherapy")
    manager = make_team_member(MANAGER, username="manager", locations=[location, other]).user
    frontdesk = make_team_member(FRONT_DESK, username="frontdesk", locations=[location]).user
    provider = make_team_member(PROVIDER, username="provider", locations=[location], disciplines=[physio])
    outsider = make_team_member(PROVIDER, username="outsider", locations=[other], disciplines=[physio])
    return People(location, other, physio, manager, frontdesk, provider, outsider)
