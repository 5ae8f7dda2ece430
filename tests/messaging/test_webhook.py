"""POST /webhooks/sendgrid: SendGrid's ECDSA signature is checked; events recorded once."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from app.extensions import db
from app.messaging import outbox
from app.models import Message, MessageEvent
from app.uow import unit_of_work

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


@pytest.fixture()
def keys(app, monkeypatch):
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    monkeypatch.setitem(app.config, "SENDGRID_WEBHOOK_PUBLIC_KEY", base64.b64encode(public).decode())
    return private


def signed(private, payload: str, timestamp: str = "1760000000") -> dict:
    signature = private.sign((timestamp + payload).encode(), ec.ECDSA(hashes.SHA256()))
    return {SIGNATURE: base64.b64encode(signature).decode(), TIMESTAMP: timestamp,
            "Content-Type": "application/json"}


@pytest.fixture()
def message(db):
    with unit_of_work():
        row = outbox.queue_email("login_code", "pat@example.com", {"code": "1", "minutes": 10}, "wh:1")
        row.provider_message_id = "abc123"
    return row.id


def events_for(message_id):
    rows = db.session.scalars(select(MessageEvent).where(MessageEvent.message_id == message_id)
                              .order_by(MessageEvent.id)).all()
    db.session.rollback()
    return rows


def test_signed_events_are_recorded_once_per_event_id(client, keys, message):
    payload = json.dumps([
        {"event": "delivered", "sg_event_id": "e1", "plinth_message_id": str(message), "timestamp": 1760000000},
        {"event": "open", "sg_event_id": "e2", "sg_message_id": "abc123.filter0001", "timestamp": 1760000100},
        {"event": "bounce", "sg_event_id": "e3", "plinth_message_id": "999999", "reason": "550 no such user"},
    ])
    response = client.post("/webhooks/sendgrid", data=payload, headers=signed(keys, payload))
    assert response.status_code == 200 and response.json == {"recorded": 3}
    again = client.post("/webhooks/sendgrid", data=payload, headers=signed(keys, payload))
    assert again.json == {"recorded": 0}  # SendGrid retries; nothing is counted twice
    assert [e.event for e in events_for(message)] == ["delivered", "open"]
    assert db.session.get(Message, message).delivery_status == "open"
    db.session.rollback()


@pytest.mark.parametrize("tamper", ["body", "timestamp", "signature", "missing", "garbage"])
def test_bad_signatures_are_refused_and_nothing_is_recorded(client, keys, message, tamper):
    payload = json.dumps([{"event": "delivered", "sg_event_id": "x1", "plinth_message_id": str(message)}])
    headers = signed(keys, payload)
    body = payload
    if tamper == "body":
        body = payload.replace("delivered", "bounce")
    elif tamper == "timestamp":
        headers[TIMESTAMP] = "1760000001"
    elif tamper == "signature":
        headers[SIGNATURE] = base64.b64encode(b"\x30\x06\x02\x01\x01\x02\x01\x01").decode()
    elif tamper == "missing":
        del headers[SIGNATURE]
    else:
        headers[SIGNATURE] = "not base64 !!"
    response = client.post("/webhooks/sendgrid", data=body, headers=headers)
    assert response.status_code == 403
    assert events_for(message) == []


def test_without_a_configured_key_everything_is_refused(client, app, message, monkeypatch):
    monkeypatch.setitem(app.config, "SENDGRID_WEBHOOK_PUBLIC_KEY", None)
    private = ec.generate_private_key(ec.SECP256R1())
    payload = json.dumps([{"event": "delivered", "sg_event_id": "y1"}])
    assert client.post("/webhooks/sendgrid", data=payload, headers=signed(private, payload)).status_code == 403
