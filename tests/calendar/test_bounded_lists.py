"""The list screens and the home dashboard read a page or a period, not the history
behind it (issue 13). PostgreSQL, a year of history, sequential scans switched off: every
statement a screen sends is replayed under EXPLAIN and its plan is read (the method of
test_bounded_reads.py).

A table holding history may be read (1) through an index condition (a period, a key) or
(2) in index order under a LIMIT with nothing in between that must read every row first
(a sort, a hash, an aggregate): a page of a list. Every list is checked as a manager and as
the front desk, and so is each pager total, which counts only as far as the pager reaches
(app/views/paging.py; counted here up to a few rows, so a year of history is more than it
counts, as ten years are more than a clinic's ``COUNTED``). Receivables reads the open
invoices only (``open_invoice``), however many are settled behind them.
"""
from __future__ import annotations

import json

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.billing import invoicing, payments
from app.extensions import db as ext_db
from app.models import Appointment, Charge, Message, PaymentMethod
from app.views import paging
from tests.calendar.test_bounded_reads import some_history
from tests.sql import selects
from tests.views.helpers import login

HISTORY = {"appointment", "occupancy", "time_block", "shift", "shift_break", "invoice", "invoice_line", "payment",
           "payment_allocation", "charge", "message", "message_attempt", "audit_event",
           # Not history, but the clinic's every client and case: read a page of them, or each
           # through its key.
           "client", "case_file"}
# Nodes that read all of their input before giving a first row: a LIMIT above them bounds nothing.
BLOCKING = {"Sort", "Hash", "Aggregate", "Materialize", "SetOp", "WindowAgg", "Group"}
# Every list screen over a table that grows with the clinic's history.
LIST_PAGES = ("/appointmentview/list/", "/clientview/list/", "/caseview/list/", "/invoiceview/list/",
              "/paymentview/list/", "/waitlistview/list/", "/clientpackageview/list/", "/chargeview/list/",
              "/messageview/list/", "/shiftview/list/", "/timeblockview/list/", "/billing/receivables/")
ROLES = ("manager", "frontdesk")
# The dashboard's periods: the appointments its figures are counted from must be read through
# an index condition (the period, or a patient's own visits). Invoices and payments are read
# by period through migration 0024's indexes on real data, but on these empty billing tables
# the planner's choice says nothing; not checked.
PERIOD_TABLES = {"appointment"}


def plan_problems(node: dict, tables=HISTORY, limited: bool = False):
    kind = node["Node Type"]
    limited = True if kind == "Limit" else (False if kind in BLOCKING else limited)
    if node.get("Subplan Name", "").startswith("hashed"):
        limited = False  # a hashed SubPlan reads all of its rows before the first row above asks
    table = node.get("Relation Name")
    if table in tables:
        condition = node.get("Index Cond") or node.get("Recheck Cond")
        if kind == "Seq Scan" or not (condition or limited):
            yield f"{table}: {kind} {node.get('Index Name', '')} reads every row (filter {node.get('Filter')!r})"
    for child in node.get("Plans", []):
        yield from plan_problems(child, tables, limited)


def problems_of(statements, tables=HISTORY) -> list[tuple[str, str]]:
    connection = ext_db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    found = []
    for statement, parameters in statements:
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        found += [(problem, " ".join(statement.split())[:400]) for problem in plan_problems(plan[0]["Plan"], tables)]
    return found


def selects_of(client, path: str) -> list:
    with selects() as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return seen


@pytest.fixture()
def postgresql_only():
    if ext_db.engine.dialect.name != "postgresql":
        pytest.skip("plans are checked on PostgreSQL")


def billing_history(people) -> None:
    """A charge, a reminder and an invoice for every visit of the year; all but the last
    invoice paid, so Receivables has one open invoice and a year of settled ones behind it."""
    visits = ext_db.session.scalars(select(Appointment).order_by(Appointment.starts_at)).all()
    invoices = []
    for number, visit in enumerate(visits):
        charge = Charge(case=visit.case, appointment=visit, description="Treatment", unit_price=Decimal("80.00"),
                        created_at=visit.starts_at)
        ext_db.session.add(charge)
        ext_db.session.add(Message(kind="reminder_1", audience="client", to_address="client@example.test",
                                   client=visit.case.client, appointment=visit, location=people.location,
                                   due_at=visit.starts_at, dedupe_key=f"history-{number}"))
        ext_db.session.flush()
        invoices.append(invoicing.issue(case=visit.case, charge_ids=[charge.id], actor=people.manager,
                                        today=visit.starts_at.date(), location=people.location))
    for invoice in invoices[:-1]:
        payments.record(location=people.location, method=PaymentMethod.cash, amount=invoice.total,
                        received_on=invoice.issued_on, actor=people.manager, client=invoice.client,
                        allocations=[(invoice, None)])
    ext_db.session.commit()
    # Its statistics, as autovacuum keeps them: never analysed, PostgreSQL would guess a
    # just-filled table of one row holds thousands and drive Receivables from the invoices.
    ext_db.session.connection().exec_driver_sql("ANALYZE open_invoice")


@pytest.fixture()
def counting_a_few(monkeypatch):
    """Pager totals counted up to 10 rows (whatever the page): fewer than the year of
    history, as a clinic's ``COUNTED`` is fewer than its years."""
    monkeypatch.setattr(paging, "ceiling", lambda page, page_size: 10)


@pytest.fixture()
def counting_from_10(monkeypatch):
    monkeypatch.setattr(paging, "COUNTED", 10)
    monkeypatch.setattr(paging, "PAGES_AHEAD", 0)


@pytest.mark.parametrize("role", ROLES)
def test_list_screens_read_one_page(client, db, people, postgresql_only, counting_a_few, role):
    some_history(people)
    billing_history(people)
    login(client, role)
    problems = {path: problems_of(selects_of(client, path)) for path in LIST_PAGES}
    assert not {path: found for path, found in problems.items() if found}


def test_the_pager_counts_only_as_far_as_it_reaches(client, db, people, counting_from_10):
    """A year of history, counted up to 10: "10+", and the pager still offers the next page."""
    some_history(people)
    login(client, "manager")
    response = client.get("/appointmentview/list/?psize_AppointmentView=5")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "10+" in page
    assert "page_AppointmentView=2" in page
    last = client.get("/appointmentview/list/?psize_AppointmentView=5&page_AppointmentView=9")
    assert last.status_code == 200 and "50+" in last.get_data(as_text=True)  # counted on, to the pager's reach


def test_the_dashboard_reads_its_periods(client, db, people, postgresql_only):
    some_history(people)
    login(client, "manager")
    statements = selects_of(client, "/")
    assert any("invoice" in s and "issued_on" in s for s, _ in statements)  # the dashboard was drawn
    assert not problems_of(statements, PERIOD_TABLES)


def test_the_guard_sees_a_whole_history_read(db, people, postgresql_only):
    """The check itself: the patients report's first visits of every client, as they were read
    before this guard, an unindexed period of invoices, FAB's own pager total, the front desk's
    appointments through ``id IN (their calendars' occupancies)`` and the Shifts page sorted
    after the scope's join, as they were read before migration 0028, are caught."""
    some_history(people)
    user = people.frontdesk.id
    desk = ("SELECT calendar.id FROM calendar WHERE calendar.id IN (SELECT calendar.id FROM calendar JOIN "
            "team_member_location ON team_member_location.location_id = calendar.location_id JOIN team_member ON "
            f"team_member.id = team_member_location.team_member_id WHERE team_member.user_id = {user}) OR calendar.id "
            f"IN (SELECT calendar_id FROM calendar_access WHERE user_id = {user} AND level IN ('view', 'book'))")
    for statement in ("SELECT case_file.client_id, min(appointment.starts_at) FROM appointment "
                      "JOIN case_file ON case_file.id = appointment.case_id GROUP BY case_file.client_id",
                      "SELECT count(*) FROM invoice WHERE invoice.issued_on + 0 >= '2026-01-01'",
                      "SELECT count(*) AS count_1 FROM (SELECT appointment.id FROM appointment) AS anon_1",
                      "SELECT appointment.id FROM appointment WHERE appointment.id IN (SELECT occupancy.appointment_id "
                      f"FROM occupancy WHERE occupancy.calendar_id IN ({desk})) "
                      "ORDER BY appointment.starts_at DESC, appointment.id DESC LIMIT 50",
                      "SELECT shift.id FROM shift WHERE shift.id IN (SELECT shift.id FROM shift WHERE shift.calendar_id "
                      "IN (SELECT calendar.id FROM calendar)) ORDER BY shift.day + 0 DESC, shift.id DESC LIMIT 50"):
        assert problems_of([(statement, ())]), statement


def test_the_guard_sees_a_hashed_subplan_under_a_limit():
    """A hashed SubPlan reads all of its rows before the LIMIT above it asks for one: the front
    desk's Clients page as PostgreSQL read it on 150,000 clients before issue 13's scope change
    (``client.id IN (every client at the desk)``), in the shape of its plan."""
    desk = {"Node Type": "Index Only Scan", "Relation Name": "client", "Index Name": "client_pkey",
            "Parent Relationship": "SubPlan", "Subplan Name": "hashed SubPlan 7"}
    page = {"Node Type": "Limit", "Plans": [{"Node Type": "Incremental Sort", "Plans": [
        {"Node Type": "Index Scan", "Relation Name": "client", "Index Name": "ix_client_name",
         "Filter": "(hashed SubPlan 7)", "Plans": [desk]}]}]}
    assert [problem.split(":")[0] for problem in plan_problems(page)] == ["client"]
    per_row = dict(desk, **{"Subplan Name": "SubPlan 7", "Index Cond": "(id = client.id)"})
    page["Plans"][0]["Plans"][0]["Plans"] = [per_row]
    assert not list(plan_problems(page))


def test_the_revenue_report_reads_its_period_and_the_open_invoices(db, people, postgresql_only):
    """A 28-day revenue report over a year of invoices and shifts: what is outstanding through
    ``open_invoice`` (one open invoice), never every invoice issued before the period's end, and
    the hours worked from the period's shifts and their own breaks, never every break planned."""
    from app.reports import revenue
    from app.reports.base import Filters

    from tests.calendar.test_bounded_reads import DAY

    some_history(people)
    billing_history(people)
    with selects() as seen:
        report = revenue.report(Filters(date_from=DAY - timedelta(days=27), date_to=DAY))
    outstanding = [(statement, parameters) for statement, parameters in seen if "open_invoice" in statement]
    assert report is not None and outstanding
    assert not problems_of(outstanding, {"invoice"})
    # Hours worked: the period's shifts, each shift's breaks through its key. (The invoiced figure
    # is left to the planner: on these few rows it hashes whole tables.)
    assert not problems_of(seen, {"shift", "shift_break"})
    # Collected: the period's payments, then their allocations, invoices, lines and charges, each
    # through its key; written lines-first, its nine tables were joined as written (more than
    # PostgreSQL reorders) and every line, allocation, invoice and charge was read first.
    collected = [(statement, parameters) for statement, parameters in seen
                 if "payment.received_on" in statement and "invoice_line" in statement]
    assert len(collected) == 1
    assert not problems_of(collected, {"payment", "payment_allocation", "invoice", "invoice_line", "charge"})
