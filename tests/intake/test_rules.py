"""Sending rules: per session type and patient kind, with the confirmation or N days
before on the location's wall clock (across DST), through the outbox."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.intake import rules
from app.intake.defaults import ensure_defaults
from app.models import AppointmentStatus, BookedVia, FormRequest, FormRule, FormTemplate, Message
from tests import factories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
# Monday 9 March 2026 10:00 in Toronto: the day after the spring-forward (EDT, UTC-4).
VISIT = datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc)


def form(name):
    from app.extensions import db

    return db.session.scalar(select(FormTemplate.id).where(FormTemplate.name.startswith(name)))


@pytest.fixture()
def clinic(db, people):
    ensure_defaults()
    massage = factories.make_session_type(name="Massage 60", discipline=people.discipline)
    physio = factories.make_session_type(name="Physio initial", discipline=people.discipline)
    db.session.add_all([
        FormRule(template_id=form("Consent"), patient_kind="new", active=True),
        FormRule(template_id=form("Physiotherapy intake"), session_type_id=physio.id, patient_kind="new",
                 days_before=2, active=True),
        FormRule(template_id=form("Massage health"), session_type_id=massage.id, patient_kind="any", active=True),
        FormRule(template_id=form("Numeric pain"), patient_kind="returning", days_before=1, active=True),
    ])
    client = factories.make_client(email="pat@example.com")
    case = factories.make_case(client=client, discipline=people.discipline)
    db.session.flush()
    return {"people": people, "massage": massage, "physio": physio, "case": case}


def book(clinic, session_type, start=VISIT, **kw):
    appointment = factories.make_appointment(clinic["people"].provider_calendar, start, case=clinic["case"],
                                             session_type=session_type, booked_via=BookedVia.online, **kw)
    rules.on_booked(appointment, now=NOW)
    return appointment


def sent(db):
    return sorted((m.kind, m.context["form_name"], m.due_at) for m in db.session.scalars(
        select(Message).where(Message.kind == "form_request")))


def test_a_new_patients_physio_visit_sends_consent_now_and_intake_two_local_days_before(app, clinic, db):
    with app.test_request_context():
        book(clinic, clinic["physio"])
    assert sent(db) == [
        ("form_request", "Consent to treatment", NOW),
        # 2 days before Mon 10:00 EDT is Sat 10:00 EST = 15:00 UTC (not 14:00: DST began in between)
        ("form_request", "Physiotherapy intake", datetime(2026, 3, 7, 15, 0, tzinfo=timezone.utc)),
    ]
    reminders = db.session.scalars(select(Message.due_at).where(Message.kind == "form_reminder")).all()
    assert reminders == [datetime(2026, 3, 8, 14, 0, tzinfo=timezone.utc)] * 2


def test_a_returning_patient_gets_the_returning_rules_and_the_session_types_own(app, clinic, db):
    earlier = factories.make_appointment(clinic["people"].provider_calendar, datetime(2026, 2, 2, 14, 0, tzinfo=timezone.utc),
                                         case=clinic["case"], status=AppointmentStatus.paid)
    assert earlier.id
    with app.test_request_context():
        book(clinic, clinic["massage"])
    assert [name for _, name, _ in sent(db)] == ["Massage health history", "Numeric pain rating scale (NPRS)"]


def test_a_canceled_earlier_visit_does_not_make_a_patient_returning_and_pending_forms_are_not_asked_twice(app, clinic, db):
    factories.make_appointment(clinic["people"].provider_calendar, datetime(2026, 2, 2, 14, 0, tzinfo=timezone.utc),
                               case=clinic["case"], status=AppointmentStatus.canceled)
    with app.test_request_context():
        book(clinic, clinic["massage"])
        book(clinic, clinic["massage"], start=datetime(2026, 3, 16, 14, 0, tzinfo=timezone.utc))
    names = [name for _, name, _ in sent(db)]
    # The second visit's patient is returning (the first is before it); consent and the
    # massage history are pending already and are not asked again.
    assert names == ["Consent to treatment", "Massage health history", "Numeric pain rating scale (NPRS)"]
    assert len(db.session.scalars(select(FormRequest)).all()) == 3


def test_no_rule_no_form(app, clinic, db):
    for rule in db.session.scalars(select(FormRule)):
        rule.active = False
    with app.test_request_context():
        book(clinic, clinic["physio"])
    assert sent(db) == []


def test_an_outcome_measure_every_third_visit_of_the_case(app, clinic, db):
    for rule in db.session.scalars(select(FormRule)):
        rule.active = False
    db.session.add(FormRule(template_id=form("Numeric pain"), patient_kind="any", every_n_visits=3, active=True))
    sent_at = []
    with app.test_request_context():
        for week in range(7):
            start = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc) + timedelta(weeks=week)
            appointment = book(clinic, clinic["massage"], start=start)
            if db.session.scalar(select(FormRequest).where(FormRequest.appointment_id == appointment.id)):
                sent_at.append(week + 1)
            # each measure is filled before the next visit, so it is not "pending" any more
            for pending in db.session.scalars(select(FormRequest).where(FormRequest.status == "pending")):
                pending.status = "submitted"
    assert sent_at == [1, 4, 7]
