"""The one place that picks the database's dialect for a statement.

``insert(model)`` is PostgreSQL's or SQLite's ``INSERT`` construct (both have
``on_conflict_do_nothing`` / ``on_conflict_do_update`` with the same arguments), chosen by
the session's bind. Row locks need no such choice: ``select(...).with_for_update()`` is
``FOR UPDATE`` on PostgreSQL and nothing on SQLite, where every Plinth transaction begins
IMMEDIATE (one writer at a time, ``app/dbsetup.py``).
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert(model):
    """``INSERT … ON CONFLICT`` for the session's database."""
    return (pg_insert if is_postgresql() else sqlite_insert)(model)


def no_jit_for_this_transaction() -> None:
    """PostgreSQL compiles a query to machine code (JIT) once its estimated cost passes
    ``jit_above_cost``; a search of 20 rows through a scope's per-row EXISTS is estimated
    in the millions and then spends 0.3 s compiling to save nothing (a 70 ms scan). Off
    until this transaction ends; SQLite has no JIT."""
    if is_postgresql():
        db.session.execute(text("SET LOCAL jit = off"))
