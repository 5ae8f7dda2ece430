"""Attachments by message kind: other areas register what their messages carry.

``register("invoice", fn)`` where ``fn(message) -> [(filename, mimetype, bytes)]`` is
called at send time. Billing registers its invoice PDF (``app/billing/emailing.py``,
called by ``create_app``); an invoice email with nothing registered fails, visibly.
"""
from __future__ import annotations

from collections.abc import Callable

from app.messaging.channels.base import PermanentFailure
from app.models import Message

Attachment = tuple[str, str, bytes]
_REGISTRY: dict[str, Callable[[Message], list[Attachment]]] = {}


def register(kind: str, provider: Callable[[Message], list[Attachment]]) -> None:
    _REGISTRY[kind] = provider


def for_message(message: Message) -> list[Attachment]:
    provider = _REGISTRY.get(message.kind)
    if provider is None and message.kind == "invoice":
        # An invoice email without its invoice would mislead: fail it, visibly.
        raise PermanentFailure("Invoice PDFs cannot be made in this installation (billing registered none).")
    return provider(message) if provider else []
