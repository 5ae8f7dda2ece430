"""Every hot read is bounded by its window: the grid's feeds and the availability engine
read shifts, time blocks and occupancies through an index on (calendar, time) bounded on
both sides, never the whole history (issue 13; bench/README.md "Growth").

No timing: each statement the code sends is replayed under EXPLAIN and its plan is read.
PostgreSQL plans with sequential scans switched off, so a Seq Scan left in the plan means
no index can serve the predicates; SQLite's EXPLAIN QUERY PLAN names the index columns it
searches by.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

from app.extensions import db as ext_db
from app.models import TimeBlock
from app.scheduling.availability import find_slots
from app.timeutil import to_utc
from tests import factories
from tests.sql import selects
from tests.views.helpers import login

DAY = date(2026, 3, 10)
ZONE = "America/Toronto"
# What each table's read must be bounded by: its index's columns, with both time bounds.
BOUNDS = {
    "occupancy": ("calendar_id", "starts_at >", "starts_at <"),
    "time_block": ("calendar_id", "starts_at >", "starts_at <"),
    "shift": ("calendar_id", "day >", "day <"),
}
HOT = (*BOUNDS, "appointment")


@contextmanager
def captured():
    """The SELECTs sent in the block that read a hot table, with their parameters (filled
    when the block ends)."""
    hot: list[tuple[str, object]] = []
    with selects() as seen:
        yield hot
    hot.extend((statement, parameters) for statement, parameters in seen if set(_tables(statement)) & set(HOT))


def _tables(statement: str) -> list[str]:
    return [name.strip('"') for name in re.findall(r'\b(?:FROM|JOIN)\s+("?\w+"?)', statement, flags=re.I)]


def some_history(people):
    """A busy day with a year of appointments and blocks behind it, so a read outside the
    window would have rows to read."""
    calendar = people.provider.calendars[0]
    session = factories.make_session_type(discipline=people.discipline, duration_minutes=30)
    for back in range(0, 364, 7):
        day = DAY - timedelta(days=back)
        factories.make_shift(calendar, day, time(8), time(18), breaks=[(time(12), time(13))])
        factories.make_appointment(calendar, to_utc(day, time(9), ZONE), session_type=session)
        ext_db.session.add(TimeBlock(calendar=calendar, starts_at=to_utc(day, time(15), ZONE),
                                     ends_at=to_utc(day, time(16), ZONE), reason="Meeting"))
    ext_db.session.commit()
    return session


def plan_problems(statement: str, parameters) -> list[str]:
    """Why the plan of ``statement`` reads a hot table outside its window (empty: it does not)."""
    connection = ext_db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return list(_pg_problems(plan[0]["Plan"]))
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return list(_sqlite_problems([row[-1] for row in rows]))


def _pg_problems(node: dict):
    table = node.get("Relation Name")
    if table in HOT:
        condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
        if node["Node Type"] == "Seq Scan" or not condition:
            yield f"{table}: {node['Node Type']} without an index condition"
        elif table in BOUNDS and not all(bound in condition for bound in BOUNDS[table]):
            yield f"{table}: index condition {condition!r} lacks one of {BOUNDS[table]}"
    for child in node.get("Plans", []):
        yield from _pg_problems(child)


def _sqlite_problems(details: list[str]):
    for detail in details:
        match = re.match(r"(SCAN|SEARCH) (\w+)(.*)", detail)
        if not match or match.group(2) not in HOT:
            continue
        verb, table, rest = match.groups()
        if verb == "SCAN":
            yield f"{table}: {detail}"
        elif table in BOUNDS:
            wanted = [bound.replace(" ", "") for bound in BOUNDS[table]]
            if not all(bound in rest for bound in wanted):
                yield f"{table}: {detail} lacks one of {wanted}"


def test_the_grid_feeds_read_only_their_window(client, db, people):
    some_history(people)
    login(client, "frontdesk")
    with captured() as statements:
        for path in ("events", "resources"):
            response = client.get(f"/calendar/feed/{path}?location_id={people.location.id}"
                                  f"&start={DAY}&end={DAY + timedelta(days=1)}")
            assert response.status_code == 200
    assert {table for statement, _ in statements for table in _tables(statement)} >= {"occupancy", "time_block", "shift"}
    problems = [(problem, statement) for statement, parameters in statements
                for problem in plan_problems(statement, parameters)]
    assert not problems, problems


def test_the_engine_reads_only_its_window(db, people):
    session = some_history(people)
    with captured() as statements:
        find_slots(session_type=session, location_id=people.location.id, start_day=DAY, end_day=DAY,
                   now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert {table for statement, _ in statements for table in _tables(statement)} >= {"occupancy", "time_block", "shift"}
    problems = [(problem, statement) for statement, parameters in statements
                for problem in plan_problems(statement, parameters)]
    assert not problems, problems


def test_the_guard_sees_an_unbounded_read(db, people):
    """The check itself: the old, unbounded block read is caught."""
    some_history(people)
    statement = ("SELECT time_block.id FROM time_block WHERE time_block.calendar_id IN (1) "
                 "AND time_block.starts_at < '2026-03-11' AND time_block.ends_at > '2026-03-10'")
    assert plan_problems(statement, ())


# Reports over a period read that period's appointments only (through an index on
# starts_at bounded both sides), whatever the history behind it. PostgreSQL only: its
# planner is the clinics' and it says which index condition it uses.
REPORT_BOUNDS = {"appointment": ("starts_at >=", "starts_at <")}


def _report_problems(node: dict):
    table = node.get("Relation Name")
    if table in REPORT_BOUNDS:
        condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
        if node["Node Type"] == "Seq Scan" or not all(bound in condition for bound in REPORT_BOUNDS[table]):
            yield f"{table}: {node['Node Type']} with index condition {condition!r}"
        elif node.get("Index Name") == "ix_appointment_location_start" and "location_id" not in condition:
            # starts_at is its second column: without the location it reads the whole index.
            yield f"{table}: whole of {node['Index Name']} read for {condition!r}"
    for child in node.get("Plans", []):
        yield from _report_problems(child)


def report_plan_problems(statement: str, parameters) -> list[str]:
    connection = ext_db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return list(_report_problems(plan[0]["Plan"]))


def test_period_reports_read_only_their_period(db, people):
    from app.reports import attendance, utilisation
    from app.reports.base import Filters

    if ext_db.engine.dialect.name != "postgresql":
        import pytest

        pytest.skip("plans are checked on PostgreSQL")
    some_history(people)
    month = Filters(date_from=DAY.replace(day=1), date_to=DAY.replace(day=31))
    with captured() as statements:
        attendance.report(month)
        attendance.report(month, by="hour")
        utilisation.report(month)
    reads = [(s, p) for s, p in statements if "appointment" in _tables(s)]
    assert len(reads) >= 3
    problems = [(problem, statement) for statement, parameters in reads
                for problem in report_plan_problems(statement, parameters)]
    assert not problems, problems
