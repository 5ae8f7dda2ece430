"""Test harness.

Every test that uses the database runs twice: on SQLite and on PostgreSQL (the
``backend`` fixture is parametrised). PostgreSQL is expected at 127.0.0.1:5432 (trust
auth) and Redis at 127.0.0.1:6379: when either is missing the run fails loudly rather
than skipping, because a suite that quietly skips them hides bugs.
"""
from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import inspect, text

PG_ADMIN_URL = os.environ.get("PLINTH_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_HOST_URL = PG_ADMIN_URL.rsplit("/", 1)[0]
REDIS_TEST_URL = os.environ.get("PLINTH_TEST_REDIS", "redis://127.0.0.1:6379/15")
BACKENDS = ("sqlite", "postgresql")

# Tables whose rows belong to Plinth's configuration of FAB, kept between tests.
KEEP_TABLES = {"alembic_version", "ab_permission", "ab_view_menu", "ab_permission_view",
               "ab_role", "ab_permission_view_role"}


def recreate_pg_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_HOST_URL}/{name}"


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(backend: str, tmp_path_factory, name: str = "plinth_test") -> str:
    """A fresh database. PostgreSQL names carry the process id, so two test runs on one
    machine (a developer's and CI's) never drop each other's database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
    return recreate_pg_database(f"{name}_{os.getpid()}")


def make_app(url: str, instance_dir, **overrides):
    from app import create_app

    os.environ["PLINTH_INSTANCE_DIR"] = str(instance_dir)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = REDIS_TEST_URL
    config = {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing for tests
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    """A migrated app per backend, with Plinth's roles synced (once per session)."""
    from flask_migrate import upgrade

    from app.security import sync_roles

    url = database_url(backend, tmp_path_factory)
    flask_app = make_app(url, tmp_path_factory.mktemp("instance"))
    with flask_app.app_context():
        upgrade()
        sync_roles()
    yield flask_app
    with flask_app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        drop_pg_database(url.rsplit("/", 1)[1])


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture()
def db(app_ctx):
    """The database session, emptied of everything but roles after the test."""
    from app.extensions import db as _db

    yield _db
    _db.session.rollback()
    _db.session.remove()
    _truncate_all(_db)


def _truncate_all(_db) -> None:
    from app.extensions import db as ext_db

    engine = _db.engine
    # Only tables the migrations built (test_migrations.py checks they match the models).
    existing = set(inspect(engine).get_table_names())
    tables = [t for t in ext_db.metadata.sorted_tables if t.name not in KEEP_TABLES and t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def people(db):
    """The named users of every scenario: manager, frontdesk, provider, outsider."""
    from tests import factories

    return factories.make_people()
