"""Issued invoices never change (ARCHITECTURE §4.7).

The application refuses, at flush, any update or delete of an invoice or invoice line and
any change to a charge that is on an invoice (other than releasing it through a credit
note, which the credit-note service does explicitly). PostgreSQL also refuses with a
trigger (migration 0002), so even a hand-written UPDATE cannot alter an issued document.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import Conflict, Problem
from app.flush_history import was_set
from app.models import Charge, Invoice, InvoiceLine

RELEASE_KEY = "plinth_releasing_charges"


def release_charges(session: Session, charges) -> None:
    """Mark charges that a credit note is releasing, so their invoice link may be cleared."""
    session.info.setdefault(RELEASE_KEY, set()).update(id(c) for c in charges)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_issued_documents(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, (Invoice, InvoiceLine)) and (obj in session.deleted or session.is_modified(obj)):
            document = obj if isinstance(obj, Invoice) else obj.invoice
            raise Conflict(f"Invoice {document.number} is issued and cannot be changed; issue a credit note instead.",
                           [Problem("Issued invoices are immutable.", details={"reason": "invoice_issued"})])
        if isinstance(obj, Charge) and was_set(obj, "invoice_id") and id(obj) not in session.info.get(RELEASE_KEY, ()):
            if obj in session.deleted or session.is_modified(obj):
                raise Conflict(f"“{obj.description}” is on an invoice and cannot be changed; issue a credit note instead.",
                               [Problem("Invoiced charges are frozen.", details={"reason": "charge_invoiced"})])


@event.listens_for(Session, "after_flush_postexec")
def _forget_released(session: Session, flush_context) -> None:
    session.info.pop(RELEASE_KEY, None)
