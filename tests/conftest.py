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
        **xdist_worker_config(),
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing for tests
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


def xdist_worker_config() -> dict:
    """Under pytest-xdist (pytest.ini runs two workers), what two workers would otherwise
    share on the one test Redis: the queue (its outbox markers name message ids, which
    both workers' databases number from 1) and the public site's rate-limit counters
    (keyed by 127.0.0.1; a test's reset would wipe the other worker's). Worker N gets
    queue ``plinth-gwN`` and, for the counters, the Redis database N below the test one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return {}
    index = int(worker.removeprefix("gw"))
    base, _, number = REDIS_TEST_URL.rpartition("/")
    return {"PLINTH_QUEUE_NAME": f"plinth-{worker}",
            "BOOKING_RATELIMIT_STORAGE_URI": f"{base}/{(int(number or 0) - index) % 16}"}


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
    """Empty every table a test wrote, and restart the id sequences it used.

    One probe finds the tables holding a row, so a test that wrote five tables cleans
    five, not fifty. On PostgreSQL they are emptied with DELETE under
    ``session_replication_role = replica`` (no triggers: issued invoices otherwise refuse
    DELETE, and foreign keys need no ordering), about 20 times faster than TRUNCATE,
    which makes new files for every table and index it names and cost about a second
    per test on a busy machine; a role that may not set it (not a superuser) falls back
    to TRUNCATE. The end state is the same as ``TRUNCATE … RESTART IDENTITY`` of every
    table: no rows, and the next id of every table is 1."""
    engine = _db.engine
    tables = _cleanable_tables(engine)
    with engine.begin() as conn:
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
        written = [t for t in tables if t.name in set(conn.execute(text(probe)).scalars())]
        if engine.dialect.name != "postgresql":
            for table in reversed(written):  # children before parents
                conn.execute(table.delete())
            return
        if not _is_superuser(engine):
            if written:
                names = ", ".join(f'"{t.name}"' for t in written)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(written):
                conn.execute(table.delete())
        # Every sequence that handed out an id since it was last restarted, including
        # ids of writes that were rolled back (their table is empty).
        owners, cleanable = _pg_catalogue(engine)["owners"], {t.name for t in tables}
        for seq in conn.execute(text("SELECT schemaname || '.' || sequencename FROM pg_sequences "
                                     "WHERE last_value IS NOT NULL")).scalars().all():
            if owners.get(seq) in cleanable:
                conn.execute(text("SELECT setval(CAST(:seq AS regclass), 1, false)"), {"seq": seq})


_CLEANABLE: dict[str, list] = {}
_PG_CATALOGUE: dict[str, dict] = {}


def _cleanable_tables(engine) -> list:
    """The tables the migrations built (test_migrations.py checks they match the models),
    parents first, without the FAB configuration kept between tests."""
    key = str(engine.url)
    if key not in _CLEANABLE:
        from app.extensions import db as ext_db

        existing = set(inspect(engine).get_table_names())
        _CLEANABLE[key] = [t for t in ext_db.metadata.sorted_tables
                           if t.name not in KEEP_TABLES and t.name in existing]
    return _CLEANABLE[key]


def _pg_catalogue(engine) -> dict:
    """Read once per database: which table owns each sequence (``schema.sequence`` ->
    table, serial and identity columns) and whether we connect as a superuser."""
    key = str(engine.url)
    if key not in _PG_CATALOGUE:
        with engine.connect() as conn:
            owners = dict(conn.execute(text(
                "SELECT n.nspname || '.' || s.relname, t.relname FROM pg_class s "
                "JOIN pg_namespace n ON n.oid = s.relnamespace "
                "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
                "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
                "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S'")).all())
            superuser = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        _PG_CATALOGUE[key] = {"owners": owners, "superuser": bool(superuser)}
    return _PG_CATALOGUE[key]


def _is_superuser(engine) -> bool:
    return _pg_catalogue(engine)["superuser"]


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def people(db):
    """The named users of every scenario: manager, frontdesk, provider, outsider."""
    from tests import factories

    return factories.make_people()
