"""Outcome measures over a case: sent at intake, every N visits and at discharge through
the outbox (never for canceled or missed visits), and their scores as a series over the
case's visits, for the case file, the provider's day and reports."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.clinical import plans
from app.intake import outcomes, rules, service
from app.intake.defaults import ensure_defaults
from app.messaging.delivery import still_wanted
from app.models import AppointmentStatus, BookedVia, FormRequest, FormRule, FormTemplate, Message
from app.uow import unit_of_work
from tests import factories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FIRST = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
B, NS, CX = AppointmentStatus.paid, AppointmentStatus.no_show, AppointmentStatus.canceled
A, BK, CF = AppointmentStatus.arrived, AppointmentStatus.booked, AppointmentStatus.confirmed  # BK, CF: ahead


def template(name):
    from app.extensions import db

    return db.session.scalar(select(FormTemplate).where(FormTemplate.name.startswith(name)))


@pytest.fixture()
def scene(db, people):
    ensure_defaults()
    for rule in db.session.scalars(select(FormRule)):
        rule.active = False
    session_type = factories.make_session_type(name="Physio follow-up", discipline=people.discipline)
    client = factories.make_client(email="pat@example.com")
    case = factories.make_case(client=client, discipline=people.discipline, provider=people.provider,
                               opened_on=date(2026, 3, 1))
    db.session.flush()
    return {"people": people, "type": session_type, "case": case, "client": client}


def visit(scene, week, status=AppointmentStatus.booked, **kw):
    return factories.make_appointment(scene["people"].provider_calendar, FIRST + timedelta(weeks=week),
                                      case=scene["case"], session_type=scene["type"], status=status,
                                      booked_via=BookedVia.online, **kw)


def fill(db, form_request, answers, at):
    submission = service.submit(form_request, answers, now=at)
    db.session.flush()
    return submission


# --- every N visits ------------------------------------------------------------------------
@pytest.mark.parametrize("earlier, asked_on_next", [
    ([], True),  # intake: the case's first visit
    ([B], False),  # visit 2
    ([B, B], False),  # visit 3
    ([B, B, B], True),  # visit 4 = 1 + N
    ([B, NS, B], False),  # a missed visit does not count: this is visit 3
    ([B, CX, B, B], True),  # nor does a canceled one: this is visit 4
    ([B, B, NS, B], True),
    ([NS, NS, NS], True),  # nothing attended yet: still the first visit
    ([B, A, B], True),  # arrived counts like paid: this is visit 4
])
def test_every_third_visit_counts_only_visits_that_happened(app, scene, db, earlier, asked_on_next):
    db.session.add(FormRule(template_id=template("Numeric pain").id, patient_kind="any", every_n_visits=3, active=True))
    for week, status in enumerate(earlier):
        visit(scene, week, status)
    with app.test_request_context():
        booked = visit(scene, len(earlier))
        rules.on_booked(booked, now=NOW)
    asked = db.session.scalar(select(FormRequest).where(FormRequest.appointment_id == booked.id))
    assert (asked is not None) == asked_on_next
    if asked:
        kinds = sorted(db.session.scalars(select(Message.kind).where(Message.appointment_id == booked.id)))
        assert kinds == ["form_reminder", "form_request"]


@pytest.mark.parametrize("status", [AppointmentStatus.no_show, AppointmentStatus.canceled])
def test_a_measure_for_a_visit_that_is_missed_or_canceled_is_never_delivered(app, scene, db, status):
    db.session.add(FormRule(template_id=template("Numeric pain").id, patient_kind="any", every_n_visits=3, active=True))
    with app.test_request_context():
        booked = visit(scene, 0)
        rules.on_booked(booked, now=NOW)
    messages = list(db.session.scalars(select(Message).where(Message.appointment_id == booked.id)))
    assert len(messages) == 2 and all(still_wanted(m, now=NOW) is None for m in messages)
    booked.status = status
    db.session.flush()
    assert all(still_wanted(m, now=NOW) for m in messages)


def test_a_discharge_rule_is_not_sent_when_a_visit_is_booked(app, scene, db):
    db.session.add(FormRule(template_id=template("Global rating").id, patient_kind="any", at_discharge=True,
                            active=True))
    with app.test_request_context():
        rules.on_booked(visit(scene, 0), now=NOW)
    assert db.session.scalars(select(FormRequest)).all() == []


# --- at discharge --------------------------------------------------------------------------
def discharge_forms(db):
    return sorted((r.version.template.name, r.case_id, r.appointment_id)
                  for r in db.session.scalars(select(FormRequest)))


def test_discharging_a_case_sends_its_discharge_measures_once_through_the_outbox(app, scene, db):
    db.session.add_all([
        FormRule(template_id=template("Global rating").id, patient_kind="any", at_discharge=True, active=True),
        FormRule(template_id=template("Numeric pain").id, patient_kind="any", at_discharge=True, active=True),
        FormRule(template_id=template("Patient-Specific").id, patient_kind="any", at_discharge=True, active=False),
    ])
    visit(scene, 0, AppointmentStatus.paid)
    case, provider = scene["case"], scene["people"].provider.user
    db.session.commit()
    with app.test_request_context(), unit_of_work():
        plans.discharge(case=case, actor=provider, on=date(2026, 3, 20), summary="Goals met.")
    case_id = case.id
    assert discharge_forms(db) == [("Global rating of change (GROC)", case_id, None),
                                   ("Numeric pain rating scale (NPRS)", case_id, None)]
    messages = list(db.session.scalars(select(Message)))
    assert sorted(m.kind for m in messages) == ["form_request", "form_request"]  # no visit: no reminder
    assert {m.to_address for m in messages} == {"pat@example.com"}

    # Changing the closing date later is not a second discharge.
    case.closed_on = date(2026, 3, 21)
    db.session.commit()
    assert len(discharge_forms(db)) == 2


@pytest.mark.parametrize("how", ["case form", "rolled back", "opened closed"])
def test_a_case_closed_any_way_asks_once_and_a_rollback_asks_nothing(app, scene, db, how):
    db.session.add(FormRule(template_id=template("Global rating").id, patient_kind="any", at_discharge=True,
                            active=True))
    visit(scene, 0, AppointmentStatus.arrived)
    db.session.commit()
    if how == "opened closed":  # a case entered already closed is not a discharge
        factories.make_case(client=scene["client"], discipline=scene["people"].discipline,
                            opened_on=date(2025, 1, 1), closed_on=date(2025, 2, 1))
        db.session.commit()
        assert discharge_forms(db) == []
        return
    case = scene["case"]
    db.session.expire(case)  # the old value is not loaded: read from the row
    case.closed_on = date(2026, 3, 10)
    if how == "rolled back":
        db.session.flush()
        db.session.rollback()
        db.session.commit()
        assert discharge_forms(db) == []
        return
    db.session.commit()
    assert discharge_forms(db) == [("Global rating of change (GROC)", case.id, None)]


def test_a_discharge_rule_for_a_session_type_needs_a_visit_of_that_type_that_happened(app, scene, db):
    other = factories.make_session_type(name="Massage 60", discipline=scene["people"].discipline)
    db.session.add(FormRule(template_id=template("Global rating").id, session_type_id=other.id, patient_kind="any",
                            at_discharge=True, active=True))
    visit(scene, 0, AppointmentStatus.paid)
    factories.make_appointment(scene["people"].provider_calendar, FIRST + timedelta(days=1), case=scene["case"],
                               session_type=other, status=AppointmentStatus.canceled)
    db.session.commit()
    scene["case"].closed_on = date(2026, 3, 10)
    db.session.commit()
    assert discharge_forms(db) == []


# --- scores over the case's visits ---------------------------------------------------------
@pytest.mark.parametrize("visits, summary, change, improved", [
    # one entry per visit: (status, NPRS score given at that visit or None)
    ([(B, 7), (B, None), (B, None), (B, 5), (B, None), (B, 3)], "NPRS 7 → 3 over 6 visits (better)", -4, True),
    ([(B, 7), (NS, None), (B, None), (B, 7)], "NPRS 7 → 7 over 3 visits (no change)", 0, None),
    ([(B, 4), (CX, None), (B, 6)], "NPRS 4 → 6 over 2 visits (not better)", 2, False),
    ([(B, 8)], "NPRS 8", None, None),
    ([(B, 7), (A, None), (BK, 3)], "NPRS 7 → 3 over 3 visits (better)", -4, True),  # filled before its visit
    ([(B, 7), (BK, None), (CF, None), (BK, 3)], "NPRS 7 → 3 over 2 visits (better)", -4, True),  # ahead: not visits
])
def test_a_score_series_follows_the_cases_visits(app, scene, db, visits, summary, change, improved):
    for week, (status, pain) in enumerate(visits):
        appointment = visit(scene, week, status)
        if pain is not None:
            form_request = service.create_request(template("Numeric pain"), scene["client"].id,
                                                  case_id=scene["case"].id, appointment_id=appointment.id, now=NOW)
            fill(db, form_request, {"pain_now": str(pain)}, appointment.starts_at + timedelta(minutes=5))
    [series] = outcomes.series_by_case([scene["case"].id])[scene["case"].id]
    assert series.summary() == summary
    [row] = outcomes.changes_per_case([scene["case"].id])
    assert (row.change, row.improved, row.label) == (change, improved, "NPRS")
    assert series.chart()["scores"] == [float(p) for _, p in visits if p is not None]


@pytest.mark.parametrize("statuses, over", [
    ((B, B, A, B), "4 visits"),
    ((B, BK, CF, B), "2 visits"),  # booked and never marked as taken place: not visits
    ((B, NS, CX, BK), "2 forms"),  # one visit: the forms are counted instead
])
def test_a_score_at_discharge_counts_every_visit_that_took_place_before_it(app, scene, db, statuses, over):
    for week, status in enumerate(statuses):
        appointment = visit(scene, week, status)
        if week == 0:
            first = service.create_request(template("Global rating"), scene["client"].id, case_id=scene["case"].id,
                                           appointment_id=appointment.id, now=NOW)
            fill(db, first, {"change": "0"}, appointment.starts_at)
    last = service.create_request(template("Global rating"), scene["client"].id, case_id=scene["case"].id, now=NOW)
    fill(db, last, {"change": "5"}, FIRST + timedelta(weeks=5))
    [series] = outcomes.series_by_case([scene["case"].id])[scene["case"].id]
    assert series.summary() == f"GROC 0 → 5 over {over} (better)"


def test_the_case_file_and_the_day_chart_the_scores_for_treating_providers_and_managers_only(app, scene, db):
    from app.models import AccessEvent
    from app.timeutil import to_local
    from tests.views.helpers import login

    today = datetime.now(timezone.utc).replace(hour=15, minute=0, second=0, microsecond=0)
    for n, pain in enumerate((7, 5, 3)):
        appointment = factories.make_appointment(scene["people"].provider_calendar, today - timedelta(weeks=2 - n),
                                                 case=scene["case"], session_type=scene["type"],
                                                 status=B if n < 2 else AppointmentStatus.booked)
        form_request = service.create_request(template("Numeric pain"), scene["client"].id, case_id=scene["case"].id,
                                              appointment_id=appointment.id, now=NOW)
        fill(db, form_request, {"pain_now": str(pain)}, appointment.starts_at - timedelta(hours=1))
    case_id, client_id = scene["case"].id, scene["client"].id
    db.session.commit()
    for username, shown in {"provider": True, "manager": True, "frontdesk": False}.items():
        with app.app_context():
            browser = app.test_client()
            login(browser, username)
            page = browser.get(f"/clinical/cases/{case_id}").get_data(as_text=True)
            assert ("NPRS 7 → 3 over 3 visits (better)" in page) == shown, username
            assert ('class="outcome-chart"' in page) == shown
            client_file = browser.get(f"/clinical/clients/{client_id}").get_data(as_text=True)
            assert ("NPRS 7 → 3 over 3 visits (better)" in client_file) == shown, username
            if username == "provider":
                on = to_local(today, "America/Toronto").date().isoformat()
                day = browser.get(f"/clinical/day?date={on}").get_data(as_text=True)
                assert "NPRS 7 → 3 over 3 visits (better)" in day
    readers = set(db.session.scalars(select(AccessEvent.actor_id).where(AccessEvent.subject_type == "form",
                                                                        AccessEvent.action == "score")))
    assert readers == {scene["people"].manager.id, scene["people"].provider.user_id}


def test_the_case_file_speaks_the_providers_language_scores_plan_and_visit_dates(app, scene, db):
    """A Lisboa provider read the case file in English: "NPRS 7 → 5 over 2 visits (better)",
    "Treatment plan", "Thu 22 Oct 2026 12:45"."""
    from tests.views.helpers import login

    scene["people"].location.language = "pt_PT"
    for n, pain in enumerate((7, 5)):
        appointment = visit(scene, n, B)
        form_request = service.create_request(template("Numeric pain"), scene["client"].id, case_id=scene["case"].id,
                                              appointment_id=appointment.id, now=NOW)
        fill(db, form_request, {"pain_now": str(pain)}, appointment.starts_at)
    case_id = scene["case"].id
    db.session.commit()
    with app.app_context():
        browser = app.test_client()
        login(browser, "provider")
        page = browser.get(f"/clinical/cases/{case_id}").get_data(as_text=True)
    for words in ("NPRS 7 → 5 em 2 consultas (melhor)", "Plano de tratamento", "Consultas e notas",
                  "Guardar o plano", "aberto a 01/03/2026", "segunda, 2/03/2026"):
        assert words in page, words
    for english in ("over 2 visits", "Treatment plan", "Save plan", "Mon 02 Mar 2026"):
        assert english not in page, english


def test_the_patients_report_counts_the_cases_whose_measure_improved(app, scene, db):
    from app.reports.base import Filters
    from app.reports.patients import report

    other = factories.make_case(client=factories.make_client(), discipline=scene["people"].discipline)
    for hour, (case, scores) in enumerate(((scene["case"], (7, 3)), (other, (4, 6)))):
        for week, pain in enumerate(scores):
            appointment = factories.make_appointment(scene["people"].provider_calendar,
                                                     FIRST + timedelta(weeks=week, hours=hour),
                                                     case=case, session_type=scene["type"], status=B)
            form_request = service.create_request(template("Numeric pain"), case.client_id, case_id=case.id,
                                                  appointment_id=appointment.id, now=NOW)
            fill(db, form_request, {"pain_now": str(pain)}, appointment.starts_at)
    result = report(Filters(date(2026, 3, 1), date(2026, 3, 31)))
    [table] = [t for t in result.extra if t.key == "outcomes"]
    assert table.rows == [{"measure": "NPRS", "cases": 2, "improved": 1, "rate": 0.5, "mean_change": -1.0}]
    assert "Outcome measures over cases" in result.csv()
