"""SQLite's driver path for the engine's reads (app/scheduling/driver_reads.py): the same
SQL and parameters Core sends, and the same calendar time as reading through Core."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import column, event, exc, select, table

from app.models import TimeBlock
from app.scheduling import calendar_time, driver_reads
from app.timeutil import local_day_bounds
from tests import factories
from tests.scheduling.conftest import MONDAY, at


def _captured(engine, fn):
    seen = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, repr(parameters)))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        rows = fn()
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return seen, rows


def test_same_sql_and_parameters_as_core(db, clinic, backend):
    connection = db.session.connection()
    if backend != "sqlite":  # PostgreSQL reads through Core (psycopg parses in C)
        assert not driver_reads.uses_driver_path(connection)
        return
    window = local_day_bounds(MONDAY, "America/Toronto")
    for ignored in ((), (7, 8)):
        for ids in ([clinic.provider.id], [clinic.provider.id, clinic.room.id, clinic.other_provider.id]):
            statements, params = calendar_time.time_selects(ids, window, ignored, also_occupied_ids=[999])
            core_sql, core_rows = _captured(db.engine, lambda: [connection.execute(s, params).all()
                                                                for s in statements])
            driver_sql, driver_rows = _captured(db.engine, lambda: [driver_reads.execute(connection, s, params)
                                                                    for s in statements])
            assert driver_sql == core_sql
            assert [len(rows) for rows in driver_rows] == [len(rows) for rows in core_rows]


def test_calendar_time_equals_the_core_path(db, clinic, backend, monkeypatch):
    """Shifts with and without breaks, a DST day, blocks and occupancies: the driver's text
    parsed here gives the very intervals Core's typed rows give."""
    cal = clinic.provider
    dst_sunday = MONDAY - timedelta(days=8)  # 8 Mar 2026: Toronto springs forward at 02:00
    factories.make_shift(cal, dst_sunday, time(1), time(11), breaks=[(time(2, 15), time(3, 30))])
    factories.make_shift(cal, MONDAY + timedelta(days=1), time(8), time(12))
    factories.make_shift(cal, MONDAY + timedelta(days=2), time(8), time(18),
                         breaks=[(time(10), time(10, 15)), (time(14), time(15)), (time(14, 30), time(15, 30))])
    db.session.add(TimeBlock(calendar=cal, starts_at=at(15), ends_at=at(16), reason="Meeting"))
    factories.make_appointment(cal, at(10, 15), session_type=clinic.physio, case=clinic.case)
    factories.make_appointment(clinic.other_provider, at(9, 30), session_type=clinic.physio, case=clinic.case)
    db.session.commit()
    window = (local_day_bounds(dst_sunday, "America/Toronto")[0],
              local_day_bounds(MONDAY + timedelta(days=3), "America/Toronto")[1])
    calendars = [clinic.provider, clinic.other_provider, clinic.room]
    fast = calendar_time.load_calendar_times(calendars, window)
    monkeypatch.setattr(driver_reads, "uses_driver_path", lambda connection: False)
    core = calendar_time.load_calendar_times(calendars, window)
    for cid in core:
        for name in ("shifts", "breaks", "working", "blocks", "occupied", "elsewhere"):
            assert getattr(fast[cid], name) == getattr(core[cid], name), (cid, name)
        assert fast[cid].free() == core[cid].free()
    assert core[cal.id].shifts and core[cal.id].breaks and core[cal.id].blocks and core[cal.id].occupied


def test_unwatched_reads_take_the_bare_cursor_with_the_same_rows(db, clinic, backend, monkeypatch):
    """With no statement listener the rows come from a bare cursor of the session's own
    connection (no SQLAlchemy execution); watched, through ``exec_driver_sql``: the same rows."""
    if backend != "sqlite":
        return
    factories.make_shift(clinic.provider, MONDAY, time(8), time(16), breaks=[(time(12), time(12, 30))])
    db.session.add(TimeBlock(calendar=clinic.provider, starts_at=at(15), ends_at=at(16), reason="Meeting"))
    factories.make_appointment(clinic.provider, at(10), session_type=clinic.physio, case=clinic.case)
    db.session.commit()
    connection = db.session.connection()
    statements, params = calendar_time.time_selects([clinic.provider.id], local_day_bounds(MONDAY, "America/Toronto"))
    seen, watched = _captured(db.engine, lambda: [driver_reads.execute(connection, s, params) for s in statements])
    assert len(seen) == 3

    def refused(*args, **kwargs):
        raise AssertionError("an unwatched read went through SQLAlchemy's execution")

    monkeypatch.setattr(type(connection), "exec_driver_sql", refused)
    unwatched = [driver_reads.execute(connection, s, params) for s in statements]
    assert [[tuple(row) for row in rows] for rows in watched] == unwatched
    assert all(unwatched)


def test_a_failing_bare_read_raises_sqlalchemys_error(db, backend):
    """An error on the bare cursor is raised wrapped, as SQLAlchemy wraps any other."""
    if backend != "sqlite":
        return
    with pytest.raises(exc.OperationalError):
        driver_reads.execute(db.session.connection(), select(table("no_such_table", column("x"))), {})
