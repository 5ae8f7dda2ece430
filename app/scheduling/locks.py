"""Serialising writers per calendar (ARCHITECTURE §4.4).

PostgreSQL: the calendar rows a booking touches are locked FOR UPDATE in id order, so two
transactions touching overlapping sets queue instead of deadlocking. SQLite: every
transaction already begins IMMEDIATE (app/dbsetup.py), which takes the database's one
write lock up front, so writers queue on the busy timeout.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import Calendar


def lock_calendars(calendar_ids: Iterable[int]) -> None:
    ids = sorted(set(calendar_ids))
    if not ids:
        return
    db.session.execute(select(Calendar.id).where(Calendar.id.in_(ids)).order_by(Calendar.id).with_for_update())
