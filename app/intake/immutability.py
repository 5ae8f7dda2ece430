"""Submitted answers and published form versions never change (a correction is a new
submission; an edit is a new version). Refused at flush here, and for submissions also
by a PostgreSQL trigger (migration 0013)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import Conflict, Problem
from app.models import FormSubmission, FormVersion


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, FormSubmission) and (obj in session.deleted or session.is_modified(obj)):
            raise Conflict("Submitted answers cannot be changed; ask the client for a new submission instead.",
                           [Problem("Submitted forms are immutable.", details={"reason": "form_submitted"})])
        if isinstance(obj, FormVersion) and (obj in session.deleted or session.is_modified(obj)):
            raise Conflict("A form version cannot be changed; saving the form makes a new version.",
                           [Problem("Form versions are immutable.", details={"reason": "form_version"})])
