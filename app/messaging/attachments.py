"""Attachments by message kind: other areas register what their messages carry.

``register("invoice", fn)`` where ``fn(message) -> [(filename, mimetype, bytes)]`` is
called at send time. Billing's invoice PDF is registered here lazily, tolerating a
build where billing does not exist (yet).
"""
from __future__ import annotations

from collections.abc import Callable

from app.extensions import db
from app.messaging.channels.base import PermanentFailure
from app.models import Message

Attachment = tuple[str, str, bytes]
_REGISTRY: dict[str, Callable[[Message], list[Attachment]]] = {}


def register(kind: str, provider: Callable[[Message], list[Attachment]]) -> None:
    _REGISTRY[kind] = provider


def for_message(message: Message) -> list[Attachment]:
    provider = _REGISTRY.get(message.kind)
    if provider is None and message.kind == "invoice":
        provider = _invoice_pdf
    return provider(message) if provider else []


def _invoice_pdf(message: Message) -> list[Attachment]:
    try:
        from app.billing.pdf import invoice_pdf
        from app.models import Invoice
    except ImportError:
        # An invoice email without its invoice would mislead: fail it, visibly.
        raise PermanentFailure("Invoice PDFs cannot be made in this installation (app.billing.pdf is missing).")
    invoice = db.session.get(Invoice, message.invoice_id) if message.invoice_id else None
    if invoice is None:
        raise PermanentFailure(f"Invoice {message.invoice_id} does not exist.")
    return [(f"{invoice.number}.pdf", "application/pdf", invoice_pdf(invoice))]
