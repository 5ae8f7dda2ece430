"""The one place that picks the database's dialect for a statement.

``insert(model)`` is PostgreSQL's or SQLite's ``INSERT`` construct (both have
``on_conflict_do_nothing`` / ``on_conflict_do_update`` with the same arguments), chosen by
the session's bind. Row locks need no such choice: ``select(...).with_for_update()`` is
``FOR UPDATE`` on PostgreSQL and nothing on SQLite, where every Plinth transaction begins
IMMEDIATE (one writer at a time, ``app/dbsetup.py``).
"""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert(model):
    """``INSERT … ON CONFLICT`` for the session's database."""
    return (pg_insert if is_postgresql() else sqlite_insert)(model)
