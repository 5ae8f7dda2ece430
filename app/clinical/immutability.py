"""Signed notes and addenda never change (ARCHITECTURE: "Signed means frozen").

At flush the application refuses any update or delete of a note that was already signed
before this flush (signing itself, the change that sets ``signed_at``, passes), and any
update or delete of an addendum (addenda are signed as they are written). On PostgreSQL a
trigger (migration 0012) refuses the same, so even a hand-written UPDATE cannot alter them.
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.errors import Conflict, Problem
from app.flush_history import was_set
from app.models import Addendum, Note


def _refused(what: str) -> Conflict:
    return Conflict(f"The {what} is signed and cannot be changed; add an addendum instead.",
                    [Problem("Signed clinical records are immutable.", details={"reason": "note_signed"})])


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed_records(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        changed = obj in session.deleted or session.is_modified(obj)
        if not changed:
            continue
        if isinstance(obj, Addendum) and not inspect(obj).pending:
            raise _refused("addendum")
        if isinstance(obj, Note) and was_set(obj, "signed_at"):
            raise _refused("note")
