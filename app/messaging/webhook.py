"""POST /webhooks/sendgrid: SendGrid's signed event webhook.

The signature (ECDSA P-256 over timestamp + raw body, SendGrid's "signed event
webhook") is checked with the key in ``SENDGRID_WEBHOOK_PUBLIC_KEY``; without a key, or
with a bad signature, the request is refused and nothing is recorded. Each event is
recorded once (unique ``sg_event_id``; SendGrid retries deliveries) against its message,
found by the ``plinth_message_id`` custom argument we send, else by SendGrid's message id.
No session or CSRF token is involved: this blueprint is outside Flask-AppBuilder's
forms, and the signature is the authentication.
"""
from __future__ import annotations

import binascii
import json
import logging
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request
from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader
from sqlalchemy import select, update

from app.dialect import insert
from app.extensions import db
from app.models import Message, MessageEvent
from app.timeutil import UTC, utcnow
from app.uow import unit_of_work

log = logging.getLogger(__name__)
webhook_bp = Blueprint("messaging_webhooks", __name__)
MAX_BODY = 5 * 1024 * 1024
RECORDED = {"processed", "delivered", "deferred", "bounce", "dropped", "open", "click", "spamreport",
            "unsubscribe", "group_unsubscribe", "group_resubscribe", "blocked"}


def verify(payload: str, signature: str | None, timestamp: str | None, public_key: str | None) -> bool:
    if not (public_key and signature and timestamp):
        return False
    try:
        return EventWebhook(public_key).verify_signature(payload, signature, timestamp)
    except (ValueError, TypeError, binascii.Error):
        return False


@webhook_bp.post("/webhooks/sendgrid")
def sendgrid_events():
    if (request.content_length or 0) > MAX_BODY:
        return jsonify({"message": "Too large."}), 413
    payload = request.get_data(as_text=True)
    ok = verify(payload, request.headers.get(EventWebhookHeader.SIGNATURE),
                request.headers.get(EventWebhookHeader.TIMESTAMP), current_app.config.get("SENDGRID_WEBHOOK_PUBLIC_KEY"))
    if not ok:
        log.warning("SendGrid webhook refused: missing or bad signature")
        return jsonify({"message": "Bad signature."}), 403
    try:
        events = json.loads(payload)
    except ValueError:
        return jsonify({"message": "Not JSON."}), 400
    if not isinstance(events, list):
        return jsonify({"message": "Expected a list of events."}), 400
    with unit_of_work():
        recorded = record_events(events)
    return jsonify({"recorded": recorded}), 200


def record_events(events: list) -> int:
    recorded = 0
    for event in events:
        if not isinstance(event, dict) or not event.get("sg_event_id") or event.get("event") not in RECORDED:
            continue
        message_id = _message_id(event)
        at = _at(event.get("timestamp"))
        detail = event.get("reason") or event.get("response") or event.get("type") or None
        new_id = db.session.execute(insert(MessageEvent).values(
            provider_event_id=str(event["sg_event_id"])[:120], message_id=message_id, event=event["event"],
            at=at, detail=str(detail)[:1000] if detail else None,
        ).on_conflict_do_nothing(index_elements=["provider_event_id"]).returning(MessageEvent.id)).scalar()
        if new_id is None:
            continue  # seen before
        recorded += 1
        if message_id is not None:
            db.session.execute(update(Message).where(Message.id == message_id).values(
                delivery_status=event["event"]), execution_options={"synchronize_session": False})
    return recorded


def _message_id(event: dict) -> int | None:
    raw = event.get("plinth_message_id")
    if raw is not None:
        try:
            candidate = int(raw)
        except (TypeError, ValueError):
            candidate = None
        if candidate is not None and db.session.get(Message, candidate) is not None:
            return candidate
    sg_id = str(event.get("sg_message_id") or "").split(".")[0]
    if sg_id:
        return db.session.scalar(select(Message.id).where(Message.provider_message_id == sg_id))
    return None


def _at(raw) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()


def _nest_text_routes() -> None:
    """Twilio's webhooks and the texts' short links are public routes of messaging too:
    registered under this blueprint, so the app registers one blueprint for all of them."""
    from app.messaging.shortlinks import shortlinks_bp
    from app.messaging.twilio_webhook import twilio_bp

    webhook_bp.register_blueprint(twilio_bp)
    webhook_bp.register_blueprint(shortlinks_bp)


_nest_text_routes()
