"""The audit trail, written in the same transaction as the change it records.

Models that set ``__audited__ = True`` are recorded automatically on every flush:
created (with their values), updated (only the columns that changed, before and after)
and deleted (their last values). Services that change state with a meaning of its own
(a status change, an overlap on purpose) call ``record()`` with a named action.
Audit rows are only ever inserted by the application, never updated or deleted.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import Column, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from app.models.audit import AuditEvent
from app.timeutil import utcnow

# Columns whose values never go into the trail.
SECRET_COLUMNS = {"password"}


def named_change(session: Session, entity) -> None:
    """The service changing ``entity`` records the change itself under a named action
    (``record(..., action="moved")``): until it does, flushes do not add the generic
    "updated" row, so one move or one status change is one row in the trail."""
    session.info.setdefault("plinth_audit_named", set()).add(id(entity))


def record(session: Session, *, entity, action: str, before: dict | None = None,
           after: dict | None = None, actor_id: int | None = None) -> AuditEvent:
    """Add an audit event for ``entity`` (flushed with the caller's transaction)."""
    session.info.get("plinth_audit_named", set()).discard(id(entity))
    event_row = AuditEvent(
        actor_id=actor_id if actor_id is not None else current_actor_id(),
        at=utcnow(),
        entity_type=type(entity).__name__,
        entity_id=entity.id,
        action=action,
        before=before,
        after=after,
    )
    session.add(event_row)
    return event_row


def current_actor_id() -> int | None:
    if not has_request_context():
        return None
    user = getattr(g, "user", None)
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _columns(obj) -> list[str]:
    # Table columns only: computed column_property expressions (an invoice's open balance)
    # are not state the object holds.
    return [attr.key for attr in inspect(obj).mapper.column_attrs
            if attr.key not in SECRET_COLUMNS and isinstance(attr.columns[0], Column)]


def _snapshot(obj) -> dict[str, Any]:
    return {key: jsonable(getattr(obj, key)) for key in _columns(obj)}


def _changes(obj) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = {}, {}
    for key in _columns(obj):
        history = get_history(obj, key)
        if history.has_changes() and history.deleted:
            before[key] = jsonable(history.deleted[0])
            after[key] = jsonable(history.added[0] if history.added else None)
    # Many-to-many links (a team member's locations, a calendar's disciplines) grant
    # access and decide what can be booked: record them as lists of ids.
    for rel in inspect(obj).mapper.relationships:
        if rel.secondary is None:
            continue
        history = get_history(obj, rel.key)
        if history.has_changes():
            current = sorted(getattr(o, "id", None) for o in getattr(obj, rel.key))
            removed = {getattr(o, "id", None) for o in history.deleted}
            added = {getattr(o, "id", None) for o in history.added}
            before[rel.key] = sorted((set(current) - added) | removed)
            after[rel.key] = current
    return before, after


def _audited(obj) -> bool:
    return getattr(type(obj), "__audited__", False)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault("plinth_audit_new", [])
    for obj in session.new:
        if _audited(obj):
            pending.append(obj)
    named = session.info.get("plinth_audit_named", set())
    for obj in session.dirty:
        if _audited(obj) and id(obj) not in named and session.is_modified(obj):
            before, after = _changes(obj)
            if before or after:
                record(session, entity=obj, action="updated", before=before, after=after)
    for obj in session.deleted:
        if _audited(obj):
            record(session, entity=obj, action="deleted", before=_snapshot(obj))


@event.listens_for(Session, "after_flush_postexec")
def _record_created(session: Session, flush_context) -> None:
    # New rows only have ids after the flush; their events go out with the next flush,
    # which commit() performs (it flushes until the session is clean).
    created = session.info.pop("plinth_audit_new", [])
    for obj in created:
        record(session, entity=obj, action="created", after=_snapshot(obj))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("plinth_audit_new", None)
    session.info.pop("plinth_audit_named", None)
