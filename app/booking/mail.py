"""Emails the public site sends itself (login codes, waitlist offers), through the
messaging outbox so each is delivered once, after commit, by the worker.

The outbox (``app.messaging.outbox``) is imported when first needed: the booking site
must not fail to start because messaging is missing or broken, and the code path that
sends is always inside a unit of work that the outbox row joins.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def queue_email(kind: str, to: str, context: dict, key: str, *, client_id: int | None = None) -> None:
    """Queue one email of ``kind`` to ``to``; ``key`` makes a repeat a no-op."""
    try:
        from app.messaging import outbox
    except ImportError:  # messaging not installed in this build: say so loudly, do not fail
        log.error("Messaging is unavailable; %s email %s was not queued.", kind, key)
        return
    outbox.queue_email(kind, to, context, key, client_id=client_id)


def queue_text(kind: str, client, context: dict, key: str) -> None:
    """Also text it to ``client`` if they chose texts and agreed (their usual location's
    sender); nothing otherwise. ``key`` as for the email (a repeat is a no-op)."""
    from app.messaging import consent, outbox

    route = consent.text_route(client, consent.text_settings(client.home_location_id))
    if route is not None:
        outbox.queue(route[0], kind, route[1], context, f"{key}:{route[0]}", client_id=client.id,
                     location_id=client.home_location_id)
