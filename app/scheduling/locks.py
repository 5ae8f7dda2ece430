"""Serialising writers per calendar (ARCHITECTURE §4.4).

PostgreSQL: the calendar rows a booking touches are locked FOR UPDATE in id order, so two
transactions touching overlapping sets queue instead of deadlocking. A provider's calendar
brings the same team member's other calendars (other locations) into the lock: a person is
one resource, so two bookings of them at two locations queue too. SQLite: every
transaction already begins IMMEDIATE (app/dbsetup.py), which takes the database's one
write lock up front, so writers queue on the busy timeout.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Calendar


def lock_calendars(calendar_ids: Iterable[int]) -> None:
    ids = sorted(set(calendar_ids))
    if not ids:
        return
    same_people = select(Calendar.team_member_id).where(Calendar.id.in_(ids), Calendar.team_member_id.is_not(None))
    db.session.execute(select(Calendar.id).where(or_(Calendar.id.in_(ids), Calendar.team_member_id.in_(same_people)))
                       .order_by(Calendar.id).with_for_update())
