"""Which screens and resources read a patient record, for the access log.

One table, by model: a FAB screen's show page (``PlinthModelView``) and an API
resource's get-by-id (``PlinthModelApi``) over one of these models log the read through
``app.access_log.record_read`` by construction, with the client the record belongs to.
Hand-written endpoints (the grid's panel, invoice JSON and PDF) call ``log_read`` too.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.access_log import record_read
from app.extensions import db
from app.models import Appointment, Case, Client, Invoice


def _client_of_case(case_id: int) -> int | None:
    return db.session.scalar(select(Case.client_id).where(Case.id == case_id))


# model -> (subject name in the access log, the client id of a row)
READ_SUBJECTS: dict[type, tuple[str, Callable[[object], int | None]]] = {
    Client: ("client", lambda row: row.id),
    Case: ("case", lambda row: row.client_id),
    Appointment: ("appointment", lambda row: _client_of_case(row.case_id)),
    Invoice: ("invoice", lambda row: row.client_id),
}


def log_read(row, *, subject: str | None = None) -> None:
    """Log that the current staff user was shown ``row`` (a no-op for other models).
    ``subject`` names another view of the same row (``"invoice_pdf"``)."""
    entry = READ_SUBJECTS.get(type(row))
    if entry is None:
        return
    name, client_of = entry
    record_read(subject or name, row.id, client_id=client_of(row))


def log_read_by_id(model: type, row_id: int) -> None:
    """``log_read`` for a row the caller has not loaded (an API get answered by FAB)."""
    if model in READ_SUBJECTS:
        row = db.session.get(model, row_id)
        if row is not None:
            log_read(row)
