"""Every indicator against the hand-built clinic of conftest.py (answers worked out by
hand there), on both databases, across Toronto's DST change and two zones."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.reports import attendance, dashboard, followup, patients, revenue, utilisation
from app.models import Calendar, Case
from app.reports.base import Filters
from app.timeutil import UTC
from tests.reports.conftest import S, _visit
from tests.sql import counting

D = Decimal
PERIOD = Filters(date(2026, 3, 2), date(2026, 3, 15))


def _f(clinic, **kw) -> Filters:
    names = {"provider": "provider_id", "location": "location_id", "session": "session_type_id"}
    values = {names[k]: clinic.ids[v] for k, v in kw.items()}
    return Filters(PERIOD.date_from, PERIOD.date_to, **values)


def test_utilisation_per_calendar_and_week(clinic, db):
    got = utilisation.figures(PERIOD)
    cal, far = clinic.ids["provider_calendar"], clinic.ids["outsider_calendar"]
    assert got == {
        (cal, "2026-03-02"): {"shift": 240, "booked": 60},   # the DST Sunday: wall-clock shift, 1 h booked
        (cal, "2026-03-09"): {"shift": 420, "booked": 90},   # 30 + 30 (no-show kept the slot) + 30 at 23:30
        (far, "2026-03-09"): {"shift": 240, "booked": 60},
    }
    rows = {(r["calendar"], r["week"]): r["utilisation"] for r in utilisation.report(PERIOD).rows}
    mine, theirs = clinic.people.provider_calendar.name, clinic.people.outsider_calendar.name
    assert rows == {(mine, "2026-03-02"): 0.25, (mine, "2026-03-09"): 90 / 420, (theirs, "2026-03-09"): 0.25}


@pytest.mark.parametrize("by, filters, expected", [
    ("provider", {}, {"Outsider": (1, 1, 0, 0)}),
    ("hour", {"provider": "provider"}, {"09:00": (1, 0, 0, 0), "10:00": (2, 1, 0, 0), "11:00": (1, 0, 1, 1),
                                        "14:00": (1, 0, 0, 1), "23:00": (1, 0, 0, 0)}),
    ("hour", {"location": "lisbon"}, {"09:00": (1, 1, 0, 0)}),
    ("weekday", {}, {"Sunday": (1, 0, 0, 0), "Monday": (6, 2, 1, 2)}),
    ("session_type", {"session": "physio"}, {"Follow-up": (6, 2, 1, 2)}),
])
def test_attendance_rates(clinic, db, by, filters, expected):
    rows = {r["group"]: (r["visits"], r["no_shows"], r["late_cancels"], r["canceled"])
            for r in attendance.figures(_f(clinic, **filters), by)}
    names = {"Outsider": clinic.people.outsider.display_name}
    for group, numbers in expected.items():
        assert rows[names.get(group, group)] == numbers
    if by != "provider":
        assert set(rows) == set(expected)


def test_attendance_rates_have_their_denominator(clinic, db):
    (row,) = [r for r in attendance.figures(_f(clinic, provider="provider"), "provider")]
    assert (row["visits"], row["no_show_rate"], row["late_cancel_rate"], row["cancel_rate"]) == (6, 1 / 6, 1 / 6, 2 / 6)


def test_cancellations_by_lead_time(clinic, db):
    got = {r["lead"]: r["canceled"] for r in attendance.lead_times(PERIOD)}
    assert got == {"under 24 hours": 1, "24–48 hours": 0, "2–7 days": 1, "7 days or more": 0}


@pytest.mark.parametrize("by, expected", [
    ("provider", {"Provider": (D("150.00"), D("60.00"))}),
    ("payer", {"Patient (self-pay)": (D("100.00"), D("60.00")), "Insurer X": (D("50.00"), D("0.00"))}),
    ("session_type", {"Assessment": (D("100.00"), D("60.00")), "Follow-up": (D("50.00"), D("0.00"))}),
])
def test_invoiced_and_collected(clinic, db, by, expected):
    listed = [(r["group"], (r["invoiced"], r["collected"])) for r in revenue.report(PERIOD, by).rows]
    renamed = {(k if k != "Provider" else _provider_name(clinic)): v for k, v in expected.items()}
    assert sorted(listed) == sorted(renamed.items())  # each group once


def test_revenue_per_hour_worked(clinic, db):
    (row,) = revenue.report(_f(clinic, provider="provider"), "provider").rows
    assert row["hours_worked"] == 11.0  # 240 + 420 minutes
    assert row["per_hour"] == D("13.64")  # 150 / 11


def test_outstanding_by_payer_and_age(clinic, db):
    rows = {r["bill_to"]: r for r in revenue.outstanding(PERIOD)}
    assert rows["Patient (self-pay)"]["0–30 days"] == D("40.00")
    insurer = rows["Insurer X"]
    assert (insurer["0–30 days"], insurer["61–90 days"], insurer["total"], insurer["invoices"]) == (
        D("50.00"), D("80.00"), D("130.00"), 2)


def test_new_and_returning_patients(clinic, db):
    assert patients.new_and_returning(PERIOD) == [
        {"month": "2026-03", "patients": 2, "new": 1, "returning": 1, "sessions": 3}]
    january = Filters(date(2026, 1, 1), date(2026, 1, 31))
    assert patients.new_and_returning(january) == [
        {"month": "2026-01", "patients": 2, "new": 2, "returning": 0, "sessions": 2}]


def test_sessions_per_patient_and_case_retention_and_referrals(clinic, db):
    assert patients.distribution(PERIOD, "patient") == [{"sessions": 1, "count": 1}, {"sessions": 2, "count": 1}]
    assert patients.distribution(PERIOD, "case") == [{"sessions": 1, "count": 1}, {"sessions": 2, "count": 1}]
    assert patients.retention(PERIOD) == {"new": 1, "back": 1, "rate": 1.0}
    assert patients.retention(Filters(date(2026, 1, 1), date(2026, 1, 31))) == {"new": 2, "back": 0, "rate": 0.0}
    assert patients.referrals(PERIOD) == [{"source": "Dr Smith", "cases": 2}]
    assert patients.referrals(Filters(date(2026, 1, 1), date(2026, 1, 31))) == [{"source": "(not recorded)", "cases": 2}]


def test_authorisations_running_out_and_cases_due(clinic, db):
    auth = {r["client"].split()[0]: r for r in followup.authorisations(PERIOD)}
    assert set(auth) == {"A", "C"}
    assert (auth["A"]["authorised"], auth["A"]["visited"], auth["A"]["left"]) == (3, 2, 1)
    assert auth["C"]["expires_on"] == "2026-03-20"
    due = {r["client"].split()[0]: r["reason"] for r in followup.due(PERIOD)}
    assert due == {"D": "lost to follow-up"}


def test_dashboard_today_counts_each_location_on_its_own_date(clinic, db, monkeypatch):
    from app.reports import dashboard as board

    # 02:00 UTC on 10 March: still 9 March in Toronto (22:00 EDT), already 10 March in Lisbon.
    monkeypatch.setattr(board, "utcnow", lambda: datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    monkeypatch.setattr(board, "local_today", lambda loc: datetime(2026, 3, 10, 2, tzinfo=UTC)
                        .astimezone(ZoneInfo(loc.timezone)).date())
    today = {t.name: t for t in board.today()}
    assert today["Downtown"].day == "2026-03-09"
    assert today["Downtown"].by_status == {"arrived": 2, "no_show": 1, "canceled": 2, "rebooked": 1}
    assert today["Downtown"].unpaid == 2 and today["Downtown"].expected == 0
    assert today["Lisbon"].by_status == {}


def test_statement_counts_do_not_grow_with_the_data(clinic, db):
    def count(fn):
        with counting() as statements:
            fn()
        return len([s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))])

    calls = [lambda: utilisation.report(PERIOD), lambda: attendance.report(PERIOD, "hour"),
             lambda: revenue.report(PERIOD, "provider"), lambda: patients.report(PERIOD),
             lambda: followup.report(PERIOD), lambda: dashboard.trends()]
    before = [count(c) for c in calls]
    cal = db.session.get(Calendar, clinic.ids["provider_calendar"])
    case = db.session.scalars(select(Case)).first()
    for hour in range(9, 12):
        for day in (2, 3, 4):
            _visit(cal, date(2026, 3, day), hour, 0, 30, S.arrived, case, session=None)
    db.session.commit()
    after = [count(c) for c in calls]
    assert after == before


def _provider_name(clinic) -> str:
    return clinic.people.provider.display_name


@pytest.mark.parametrize("label, current, previous, better", [
    ("No-show rate", 0.071, 0.057, False), ("No-show rate", 0.05, 0.07, True),
    ("Attended visits", 120, 100, True), ("Attended visits", 90, 100, False), ("Attended visits", 100, 100, None),
])
def test_the_dashboard_colours_good_news_not_rising_numbers(label, current, previous, better):
    trend = dashboard.Trend(label, current, previous, lower_is_better=(label == "No-show rate"))
    assert trend.better is better


@pytest.mark.parametrize("authorised, visited, ahead, flag", [
    (None, 4, 0, ""), (10, 4, 2, ""), (10, 8, 2, ""), (10, 9, 2, "Over by 1 visit: renew or bill the client"),
    (4, 8, 2, "Over by 6 visits: renew or bill the client"),
])
def test_an_authorisation_overrun_is_said_in_words(authorised, visited, ahead, flag):
    """The report showed "Left -6" and nothing else."""
    assert followup._overrun(authorised, visited, ahead) == flag


def test_revenue_is_never_added_across_currencies(clinic, db, monkeypatch):
    """Lisbon bills in euros: the provider who also invoices there gets a second row (and the
    dashboard a second figure), never one CAD + EUR total."""
    from app.models import Location
    from app.reports import dashboard as board
    from tests.reports.conftest import _invoice

    lisbon = db.session.get(Location, clinic.ids["lisbon"])
    lisbon.currency = "EUR"
    case = db.session.scalars(select(Case).order_by(Case.id)).first()
    _invoice(lisbon, case, None, 9, date(2026, 3, 10), [(D("70.00"), (None, None))], currency="EUR")
    db.session.commit()
    by_payer = {(r["group"], r["currency"]): r["invoiced"] for r in revenue.report(PERIOD, "payer").rows}
    assert by_payer[("Patient (self-pay)", "CAD")] == D("100.00")
    assert by_payer[("Patient (self-pay)", "EUR")] == D("70.00")
    owed = {(r["location"], r["currency"]): r["total"] for r in revenue.outstanding(PERIOD)}
    assert owed[("Lisbon", "EUR")] == D("70.00")
    monkeypatch.setattr(board, "local_today", lambda loc: date(2026, 3, 15))
    trends = {t.label: (t.current, t.currency) for t in board.trends()}
    assert trends["Invoiced (CAD)"] == (D("150.00"), "CAD") and trends["Invoiced (EUR)"] == (D("70.00"), "EUR")
    assert "Invoiced" not in trends
