"""The Alembic history builds exactly the schema the models describe, and takes it down again.

Each backend gets a fresh, empty database of its own (never the session's test database),
migrated by the real ``flask db upgrade`` command in a subprocess.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from config import load_config
from tests.conftest import PG_ADMIN_URL, recreate_pg_database

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "app"]

pytestmark = pytest.mark.slow


@pytest.fixture()
def fresh_database(app, backend, tmp_path):
    """The URL of an empty database on ``backend``; dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'plinth_migrations_test.db'}"
        return
    # The process id keeps two test runs on one machine out of each other's way.
    name = f"plinth_migrations_test_{os.getpid()}"
    yield recreate_pg_database(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _flask(url: str, instance_dir: Path, *args: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PLINTH_INSTANCE_DIR": str(instance_dir),
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = subprocess.run(
        [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _plinth_tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_build_the_models_schema_and_take_it_down_again(app, backend, fresh_database, tmp_path):
    from app.extensions import db

    instance_dir = tmp_path / "instance"
    engine = create_engine(
        load_config({"DATABASE_URL": fresh_database, "PLINTH_INSTANCE_DIR": str(instance_dir)})[
            "SQLALCHEMY_DATABASE_URI"
        ]
    )
    try:
        assert _plinth_tables(engine) == set()

        _flask(fresh_database, instance_dir, "db", "upgrade")

        model_tables = {t.name for t in db.metadata.sorted_tables}
        assert _plinth_tables(engine) == model_tables
        with engine.connect() as conn:
            # The same comparison `flask db migrate` makes: an empty diff means no
            # model change is missing a migration, and no migration drifted from models.
            options = dict(app.extensions["migrate"].configure_args)
            context = MigrationContext.configure(conn, opts=options)
            diff = compare_metadata(context, db.metadata)
            assert diff == [], "models and migrations disagree:\n" + "\n".join(map(repr, diff))

            if backend == "postgresql":
                extensions = conn.scalars(text("SELECT extname FROM pg_extension")).all()
                assert "btree_gist" in extensions
                constraint = conn.execute(text(
                    "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conname = 'ex_occupancy_no_overlap' "
                    "AND conrelid = 'occupancy'::regclass"
                )).one()
                assert constraint[0] == "x"  # an exclusion constraint
                assert "gist" in constraint[1] and "&&" in constraint[1]

        _flask(fresh_database, instance_dir, "db", "downgrade", "base")
        assert _plinth_tables(engine) == set()
        if backend == "postgresql":
            with engine.connect() as conn:
                leftover_types = conn.scalars(text(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "WHERE n.nspname = 'public' AND t.typtype = 'e'"
                )).all()
            assert leftover_types == []

        # Downgrade left nothing behind that would trip a second upgrade.
        _flask(fresh_database, instance_dir, "db", "upgrade")
        assert _plinth_tables(engine) == model_tables
    finally:
        engine.dispose()
