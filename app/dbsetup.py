"""Engine-level behaviour that differs between SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def install_dialect_hooks(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    if getattr(engine, "_plinth_hooks", False):
        return
    engine._plinth_hooks = True

    @event.listens_for(engine, "connect")
    def _sqlite_on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (so we can
        # BEGIN IMMEDIATE), and enforce foreign keys, which SQLite ignores by default.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        # Reports group by the location's local date and hour; SQLite has no zones.
        from app.timeutil import local_part_of_utc_text

        dbapi_connection.create_function("plinth_local", 3, local_part_of_utc_text, deterministic=True)
        # Names are searched without case or accents (app/folding.py); PostgreSQL folds in SQL.
        from app.folding import fold

        dbapi_connection.create_function("plinth_fold", 1, fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        # Every transaction takes the write lock up front: concurrent bookings queue on
        # the busy timeout instead of failing half-way with "database is locked".
        conn.exec_driver_sql("BEGIN IMMEDIATE")
