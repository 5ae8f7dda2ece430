"""Sending one message: the RQ job ``deliver(message_id)``.

1. Claim: ``UPDATE message SET state='sending' ... WHERE id=? AND state='pending' AND
   due_at <= now``, committed at once. Only the run whose UPDATE hit the row goes on,
   so a job enqueued twice, or run by two workers, sends once.
2. Re-check at send time (``still_wanted``): the appointment is still active, still at
   the time the reminder was planned for, notifications still wanted. If not, the
   message ends ``canceled`` with the reason, and nothing is sent.
3. Render (templates, .ics, attachments), store what is sent, commit, then send with no
   transaction open (a slow provider must not hold database locks).
4. Record the result, again conditionally on the claim (state 'sending' and the same
   attempt number), so a run the sweep already gave up on cannot overwrite a newer one.

Temporary failures (network, 429, 5xx) go back to pending with an exponential backoff
(base ``PLINTH_OUTBOX_RETRY_SECONDS``, doubling, capped at one hour) until
``PLINTH_OUTBOX_MAX_ATTEMPTS``; permanent ones end ``failed`` with the error kept.

The one window for a duplicate: the provider accepted the email and the worker died
before step 4 committed. The sweep then sends it again (at-least-once), because losing
a reminder is worse than repeating one; the window is one local UPDATE long.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.messaging import compose
from app.messaging.channels import DeliveryError, PermanentFailure, TemporaryFailure, channel_for
from app.models import Appointment, AppointmentStatus, Message, MessageAttempt, MessageState
from app.timeutil import utcnow
from app.uow import unit_of_work

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
ACTIVE = (AppointmentStatus.booked, AppointmentStatus.confirmed)
# Which appointment status each event kind needs at send time.
NEEDS_STATUS = {"cancellation": (AppointmentStatus.canceled,), "no_show": (AppointmentStatus.no_show,)}


def backoff(attempt: int, base_seconds: int) -> timedelta:
    """Delay before retry number ``attempt`` (1-based): base, 2×base, 4×base... ≤ 1 h."""
    return min(timedelta(seconds=base_seconds * (2 ** max(attempt - 1, 0))), MAX_BACKOFF)


def deliver(message_id: int) -> str:
    """The job. Returns what happened (for logs and tests)."""
    attempt = claim(message_id)
    if attempt is None:
        return "not-claimed"
    try:
        with unit_of_work():
            message = db.session.get(Message, message_id)
            reason = still_wanted(message)
            if reason:
                _finish(message_id, attempt, MessageState.canceled, outcome="skipped", detail=reason)
                return "skipped"
            envelope = compose.envelope_for(message)  # also stores subject/text/html/ics on the row
            channel_name = message.channel
    except PermanentFailure as exc:
        with unit_of_work():
            _finish(message_id, attempt, MessageState.failed, outcome="failed", detail=str(exc))
        return "failed"
    except Exception as exc:  # a template or data bug: keep the row moving, visibly
        log.exception("Message %s could not be prepared", message_id)
        db.session.rollback()
        with unit_of_work():
            _retry_or_fail(message_id, attempt, TemporaryFailure(f"Could not prepare: {exc}"))
        return "retry"

    try:
        sent = channel_for(channel_name).send(envelope)
    except PermanentFailure as exc:
        with unit_of_work():
            _finish(message_id, attempt, MessageState.failed, outcome="failed", detail=str(exc),
                    status_code=exc.status_code)
        return "failed"
    except DeliveryError as exc:
        with unit_of_work():
            return _retry_or_fail(message_id, attempt, exc)
    with unit_of_work():
        _finish(message_id, attempt, MessageState.sent, outcome="sent", status_code=sent.status_code,
                provider_message_id=sent.provider_message_id)
    return "sent"


def claim(message_id: int) -> int | None:
    """Take the row for this run; the attempt number is the claim's token."""
    now = utcnow()
    with unit_of_work():
        attempt = db.session.execute(
            update(Message).where(Message.id == message_id, Message.state == MessageState.pending,
                                  Message.due_at <= now)
            .values(state=MessageState.sending, claimed_at=now, attempts=Message.attempts + 1)
            .returning(Message.attempts), execution_options={"synchronize_session": False}).scalar()
    return attempt


def still_wanted(message: Message) -> str | None:
    """None if the message should go out now, else why not (kept as its last error)."""
    from app.messaging.settings import event_enabled, notification_settings, provider_wants

    if message.appointment_id is None:
        return None
    appointment = db.session.get(Appointment, message.appointment_id)
    if appointment is None:
        return "The appointment no longer exists."
    kind = message.kind
    if not event_enabled(notification_settings(), kind):
        return f"{kind.replace('_', ' ').capitalize()} messages are turned off."
    if message.audience == "client" and not appointment.notify:
        return "Notifications are off for this appointment."
    if message.audience == "provider":
        if message.team_member is None or not provider_wants(message.team_member, kind):
            return "The provider turned these notifications off."
    needed = NEEDS_STATUS.get(kind, ACTIVE)
    if appointment.status not in needed:
        return f"The appointment is {appointment.status.value.replace('_', ' ')}."
    if kind.startswith("reminder"):
        if message.appointment_starts_at is not None and appointment.starts_at != message.appointment_starts_at:
            return "The appointment moved; a new reminder replaces this one."
        if appointment.starts_at <= utcnow():
            return "The appointment has already started."
    return None


def _finish(message_id: int, attempt: int, state: MessageState, *, outcome: str, detail: str | None = None,
            status_code: int | None = None, provider_message_id: str | None = None) -> bool:
    now = utcnow()
    values: dict = {"state": state, "last_error": None if state == MessageState.sent else detail}
    if state == MessageState.sent:
        values.update(sent_at=now, provider_message_id=provider_message_id)
    hit = db.session.execute(
        update(Message).where(Message.id == message_id, Message.state == MessageState.sending,
                              Message.attempts == attempt)
        .values(**values), execution_options={"synchronize_session": False}).rowcount
    db.session.add(MessageAttempt(message_id=message_id, at=now, outcome=outcome if hit else f"{outcome}-late",
                                  status_code=status_code, detail=detail or provider_message_id))
    return bool(hit)


def _retry_or_fail(message_id: int, attempt: int, exc: DeliveryError) -> str:
    config = current_app.config
    if attempt >= config.get("PLINTH_OUTBOX_MAX_ATTEMPTS", 8):
        _finish(message_id, attempt, MessageState.failed, outcome="failed",
                detail=f"Gave up after {attempt} attempts: {exc}", status_code=exc.status_code)
        return "failed"
    due: datetime = utcnow() + backoff(attempt, config.get("PLINTH_OUTBOX_RETRY_SECONDS", 30))
    hit = db.session.execute(
        update(Message).where(Message.id == message_id, Message.state == MessageState.sending,
                              Message.attempts == attempt)
        .values(state=MessageState.pending, due_at=due, last_error=str(exc)),
        execution_options={"synchronize_session": False}).rowcount
    db.session.add(MessageAttempt(message_id=message_id, at=utcnow(), outcome="retry" if hit else "retry-late",
                                  status_code=exc.status_code, detail=f"{exc} (next try {due:%H:%M:%S} UTC)"))
    return "retry"
