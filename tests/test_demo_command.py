"""`flask seed-demo` as a command: it seeds once, then only prints the logins, and it
refuses a database that already holds a clinic."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, inspect, select, text

from app.demo import (
    seed_demo,
)
from app.errors import Conflict
from app.models import (
    Case,
    Location,
)
from tests import factories

ACROSS_DST = datetime(2026, 3, 11, 15, 30, tzinfo=timezone.utc)


def test_the_command_seeds_once_and_then_only_prints_the_logins(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo clinic created" in first.output
    before = _row_counts(db)
    second = runner.invoke(args=["seed-demo"])

    assert second.exit_code == 0, second.output
    assert "already there" in second.output
    for login in ("manager-demo-2026", "frontdesk-demo-2026", "provider-demo-2026"):
        assert login in second.output
    assert _row_counts(db) == before
    assert before["appointment"] > 300 and before["client"] == 40


def test_it_refuses_a_database_that_already_has_a_clinic(db):
    factories.make_location(name="Main Street Physio")
    db.session.commit()

    with pytest.raises(Conflict):
        seed_demo(now=ACROSS_DST)

    assert _count(db, Location) == 1
    assert _count(db, Case) == 0


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _row_counts(db) -> dict[str, int]:
    names = inspect(db.engine).get_table_names()
    counts = {name: db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names}
    db.session.rollback()  # SQLite: let the command have the write lock again
    return counts
