"""Queued form emails follow their visit: a move re-times them on the location's wall clock
(across DST), a cancel withdraws them and the pending form, a rebook hands them to the new visit."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from app.intake import follow_visit, rules
from app.models import FormRequest, Message, MessageState
from app.scheduling import booking
from tests import factories
from tests.intake.test_rules import NOW, VISIT, book, clinic  # noqa: F401

UTC = timezone.utc


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(follow_visit, "utcnow", lambda: NOW)
    monkeypatch.setattr(rules, "utcnow", lambda: NOW)


@pytest.fixture()
def shifts(clinic):  # noqa: F811
    calendar = clinic["people"].provider_calendar
    for day in (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)):
        factories.make_shift(calendar, day, start=time(7), end=time(18))


def form_messages(db):
    return sorted((m.kind, m.context["form_name"], m.due_at, m.state.value) for m in db.session.scalars(
        select(Message).where(Message.kind.in_(("form_request", "form_reminder")))))


@pytest.mark.parametrize("due, old, new, expected", [
    # 2 days before Mon 9 Mar 10:00 EDT (Sat 10:00 EST) → moved a week earlier: Sat 28 Feb 10:00 EST
    (datetime(2026, 3, 7, 15, tzinfo=UTC), VISIT, datetime(2026, 3, 2, 15, tzinfo=UTC),
     datetime(2026, 2, 28, 15, tzinfo=UTC)),
    # moved back across the change: the local 10:00 stays 10:00
    (datetime(2026, 2, 28, 15, tzinfo=UTC), datetime(2026, 3, 2, 15, tzinfo=UTC), VISIT,
     datetime(2026, 3, 7, 15, tzinfo=UTC)),
    # a move of 3 hours later the same day
    (datetime(2026, 3, 7, 15, tzinfo=UTC), VISIT, VISIT + timedelta(hours=3), datetime(2026, 3, 7, 18, tzinfo=UTC)),
])
def test_a_due_time_shifts_on_the_wall_clock(due, old, new, expected):
    assert follow_visit.shifted(due, old, new, "America/Toronto") == expected


def test_a_moved_visit_takes_its_form_request_and_reminder_along(app, clinic, shifts, db):  # noqa: F811
    with app.test_request_context():
        visit = book(clinic, clinic["physio"])
        db.session.flush()
        booking.move(appointment=visit, actor=None, start=VISIT + timedelta(days=7), now=NOW, allow_overlap=True)
    assert form_messages(db) == [
        ("form_reminder", "Consent to treatment", datetime(2026, 3, 15, 14, tzinfo=UTC), "pending"),
        ("form_reminder", "Physiotherapy intake", datetime(2026, 3, 15, 14, tzinfo=UTC), "pending"),
        ("form_request", "Consent to treatment", NOW, "pending"),
        ("form_request", "Physiotherapy intake", datetime(2026, 3, 14, 14, tzinfo=UTC), "pending"),
    ]
    assert {m.appointment_starts_at for m in db.session.scalars(select(Message).where(
        Message.kind == "form_reminder"))} == {VISIT + timedelta(days=7)}


def test_a_visit_moved_within_a_day_drops_the_reminder(app, clinic, shifts, db, monkeypatch):  # noqa: F811
    monkeypatch.setattr(follow_visit, "utcnow", lambda: datetime(2026, 3, 1, 20, tzinfo=UTC))
    with app.test_request_context():
        visit = book(clinic, clinic["physio"])
        db.session.flush()
        booking.move(appointment=visit, actor=None, start=datetime(2026, 3, 2, 12, tzinfo=UTC), now=NOW, allow_overlap=True)
    states = {(kind, state) for kind, _, _, state in form_messages(db)}
    assert states == {("form_reminder", "canceled"), ("form_request", "pending")}
    # the intake was due 2 days before: that moment has passed, it goes now
    assert {due for kind, _, due, _ in form_messages(db) if kind == "form_request"} == {
        NOW, datetime(2026, 3, 1, 20, tzinfo=UTC)}


def test_a_canceled_visit_withdraws_its_form_emails_and_forms(app, clinic, shifts, db):  # noqa: F811
    with app.test_request_context():
        visit = book(clinic, clinic["physio"])
        db.session.flush()
        booking.cancel(appointment=visit, actor=None, now=NOW)
    assert {state for *_, state in form_messages(db)} == {"canceled"}
    assert set(db.session.scalars(select(FormRequest.status))) == {"withdrawn"}


def test_a_rebooked_visit_hands_its_forms_to_the_new_one(app, clinic, shifts, db):  # noqa: F811
    with app.test_request_context():
        visit = book(clinic, clinic["physio"])
        db.session.flush()
        consent = db.session.scalar(select(Message).where(Message.kind == "form_request", Message.due_at == NOW))
        consent.state = MessageState.sent  # the consent link already went out; the intake's not yet
        new = booking.rebook(appointment=visit, start=VISIT + timedelta(days=7), actor=None, now=NOW,
                             allow_overlap=True).appointment
    assert set(db.session.scalars(select(FormRequest.appointment_id))) == {new.id}
    live = sorted((kind, name) for kind, name, _, state in form_messages(db) if state == "pending")
    assert live == [("form_reminder", "Consent to treatment"), ("form_reminder", "Physiotherapy intake"),
                    ("form_request", "Physiotherapy intake")]
    assert all(m.appointment_id == new.id for m in db.session.scalars(select(Message).where(
        Message.state == MessageState.pending, Message.kind.like("form_%"))))
