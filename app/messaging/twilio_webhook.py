"""Twilio's webhooks: delivery status callbacks and inbound replies (STOP, START, HELP).

* ``POST /webhooks/twilio/status?m=<message id>``: Twilio reports each text's progress
  (queued, sent, delivered, undelivered, failed; read for WhatsApp). Recorded once per
  (SID, status) as a MessageEvent of the message (by the id in the URL we gave Twilio,
  else by the SID); the message's delivery status
  only moves forward (a late "sent" never hides "delivered").
* ``POST /webhooks/twilio/inbound``: a patient's reply. STOP (and Twilio's other opt-out
  words) stops texts to every client with that number at once — delivery re-checks
  consent before each send; START gives consent again; HELP answers with the clinic's
  name and phone.

Both check ``X-Twilio-Signature`` with the library's RequestValidator against the URL
Twilio called (``PUBLIC_BASE_URL`` + path) and the auth token; no token or a bad
signature: 403 and nothing recorded. A replayed request (same signed body, so the
same SID) is refused: its event id is already recorded, so it changes nothing.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select, update
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from app.dialect import insert
from app.extensions import db
from app.messaging import consent
from app.messaging.channels.twilio import OPTED_OUT_CODES
from app.models import Message, MessageEvent, read_clinic_settings
from app.timeutil import utcnow
from app.uow import unit_of_work

log = logging.getLogger(__name__)
twilio_bp = Blueprint("twilio", __name__)

# Twilio's status words in the order a text goes through them.
STATUS_RANK = {"accepted": 0, "queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3,
               "failed": 3, "read": 4}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
START_WORDS = {"START", "UNSTOP", "YES", "OPTIN"}
HELP_WORDS = {"HELP", "INFO"}
OPTED_OUT = {str(code) for code in OPTED_OUT_CODES}
MAX_BODY = 64 * 1024


def signature_ok() -> bool:
    if (request.content_length or 0) > MAX_BODY:
        return False  # Twilio's forms are a few hundred bytes
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not signature:
        return False
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.full_path.rstrip("?")
    return RequestValidator(token).validate(url, request.form, signature)


def _refused():
    log.warning("Twilio webhook refused: missing or bad signature")
    return jsonify({"message": "Bad signature."}), 403


def _record(event_id: str, message_id: int | None, event: str, detail: str | None) -> bool:
    """One MessageEvent per provider event id; False if it was recorded before (a replay)."""
    new_id = db.session.execute(insert(MessageEvent).values(
        provider_event_id=event_id[:120], message_id=message_id, event=event[:30], at=utcnow(),
        detail=detail[:1000] if detail else None,
    ).on_conflict_do_nothing(index_elements=["provider_event_id"]).returning(MessageEvent.id)).scalar()
    return new_id is not None


@twilio_bp.post("/webhooks/twilio/status")
def status_callback():
    if not signature_ok():
        return _refused()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    if not sid or status not in STATUS_RANK:
        return jsonify({"message": "Expected MessageSid and a known MessageStatus."}), 400
    error = request.form.get("ErrorCode") or None
    with unit_of_work():
        recorded = record_status(sid, status, error, request.args.get("m", type=int))
    return jsonify({"recorded": int(recorded)}), 200


def record_status(sid: str, status: str, error_code: str | None, message_id: int | None = None) -> bool:
    """Record one status of text ``sid``; ``message_id`` is the id our callback URL
    carries (the SID may not be stored yet when Twilio calls back)."""
    if message_id is not None:
        row = db.session.execute(select(Message.id, Message.provider_message_id).where(
            Message.id == message_id)).first()
        if row is None or row.provider_message_id not in (None, sid):
            message_id = None
    if message_id is None:
        message_id = db.session.scalar(select(Message.id).where(Message.provider_message_id == sid))
    detail = f"Twilio error {error_code}" if error_code else None
    if not _record(f"{sid}:{status}", message_id, status, detail):
        return False
    if message_id is not None:
        earlier = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
        values = {"delivery_status": status}
        if status in ("undelivered", "failed"):
            values["last_error"] = f"Not delivered: {detail or status}"
            if error_code in OPTED_OUT:  # they told the carrier STOP: no more texts from us
                to = db.session.scalar(select(Message.to_address).where(Message.id == message_id))
                consent.opt_out_number(to, reason=f"Twilio error {error_code}")
        db.session.execute(update(Message).where(
            Message.id == message_id,
            Message.delivery_status.is_(None) | Message.delivery_status.in_(earlier) |
            Message.delivery_status.notin_(list(STATUS_RANK))).values(**values),
            execution_options={"synchronize_session": False})
    return True


@twilio_bp.post("/webhooks/twilio/inbound")
def inbound():
    if not signature_ok():
        return _refused()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    number = (request.form.get("From") or "").removeprefix("whatsapp:")
    if not sid or not number:
        return jsonify({"message": "Expected MessageSid and From."}), 400
    word = keyword(request.form.get("Body") or "", request.form.get("OptOutType"))
    reply = MessagingResponse()
    with unit_of_work():
        if not _record(f"in:{sid}", None, f"inbound_{word or 'text'}", f"from {number}"):
            log.info("Twilio inbound %s seen before; ignored", sid)
            return Response(str(reply), mimetype="application/xml")
        if word == "stop":
            consent.opt_out_number(number, reason="replied STOP")
        elif word == "start":
            consent.opt_in_number(number)
        elif word == "help":
            clinic = read_clinic_settings()
            reply.message(f"{clinic.clinic_name}: appointment messages."
                          + (f" Call {clinic.phone}." if clinic.phone else "") + " Reply STOP to opt out.")
    return Response(str(reply), mimetype="application/xml")


def keyword(body: str, opt_out_type: str | None = None) -> str | None:
    """stop, start, help or None; Twilio's own classification (OptOutType) first."""
    if opt_out_type:
        return {"STOP": "stop", "START": "start", "HELP": "help"}.get(opt_out_type.upper())
    first = (body.strip().split() or [""])[0].strip(".!").upper()
    if first in STOP_WORDS:
        return "stop"
    if first in START_WORDS:
        return "start"
    if first in HELP_WORDS:
        return "help"
    return None
