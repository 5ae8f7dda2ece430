"""Sending messages: the RQ job ``deliver_batch(message_ids)``, each message on its own.

A job carries a batch of ids (the sweep's, or one transaction's) so the worker's fork,
the database connection and the clinic-wide reads (``compose.Snapshot``: switches,
branding, templates, the channel) are paid once per batch. Each message still goes
through the same steps on its own:

1. Claim: ``UPDATE message SET state='sending' ... WHERE id=? AND state='pending' AND
   due_at <= now``. Only the run whose UPDATE hit the row goes on, so a job enqueued
   twice, a batch run twice, or two workers holding the same id send it once.
2. Re-check at send time (``still_wanted``), in the claim's transaction, right after
   the claim: the appointment (read fresh, with its client and provider, in one query)
   is still active, still at the time the reminder was planned for, notifications still
   wanted. If not, the message ends ``canceled`` with the reason, and nothing is sent.
3. Render (templates, .ics, attachments), commit the claim, then send with no
   transaction open (a slow provider must not hold database locks).
4. Record the result with what was sent and the provider's message id, again
   conditionally on the claim (state 'sending' and the same attempt number), so a run
   the sweep already gave up on cannot overwrite a newer one. Committed per message.

Temporary failures (network, 429, 5xx) go back to pending with an exponential backoff
(base ``PLINTH_OUTBOX_RETRY_SECONDS``, doubling, capped at one hour) until
``PLINTH_OUTBOX_MAX_ATTEMPTS``; permanent ones end ``failed`` with the error kept.

Text messages (SMS, WhatsApp) take the same steps; their re-check also asks whether
the client still consents (a STOP received since the message was planned cancels it),
and one due inside the location's quiet hours goes back to pending until they end (a
reminder that would then arrive after the visit starts is canceled instead). Twilio's
"opted out" error (21610) fails the message and records the opt-out on the client.

A batch stops claiming after ``PLINTH_OUTBOX_BATCH_SECONDS`` and enqueues what is left
as a new batch; after ``FAILURES_BEFORE_PAUSE`` temporary failures in a row (the
provider is down) it stops and leaves the rest pending for the sweep, instead of
waiting out a network timeout per message.

A batch sends up to ``PLINTH_OUTBOX_SEND_THREADS`` (4) messages at once, each in a thread
with its own session doing steps 1–4 for its message alone: a send is mostly waiting for
the provider, so one worker keeps several waits going (one at a time until the batch's
first message is sent, and again after any temporary failure).

The one window for a duplicate: the provider accepted the email or text and the worker
died before step 4 committed. The sweep then sends it again (at-least-once), because
losing a reminder is worse than repeating one. A killed worker has at most
``PLINTH_OUTBOX_SEND_THREADS`` messages in that window (one per send in flight; set it to
1 for at most one). (Neither SendGrid's mail send nor Twilio's Messages API takes an
idempotency key that would close it.)
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.messaging import compose, consent, quiet
from app.messaging.channels import TEXT_CHANNELS, DeliveryError, PermanentFailure, TemporaryFailure
from app.models import (
    Appointment,
    AppointmentStatus,
    Calendar,
    Case,
    Message,
    MessageAttempt,
    MessageState,
    Occupancy,
)
from app.timeutil import utcnow
from app.uow import unit_of_work

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
ACTIVE = (AppointmentStatus.booked, AppointmentStatus.confirmed)
# Which appointment status each event kind needs at send time.
NEEDS_STATUS = {"cancellation": (AppointmentStatus.canceled,), "no_show": (AppointmentStatus.no_show,)}
FAILURES_BEFORE_PAUSE = 3
# Texts the patient is waiting for on screen: quiet hours do not hold them back.
ASKED_FOR_NOW = {"login_code"}


def backoff(attempt: int, base_seconds: int) -> timedelta:
    """Delay before retry number ``attempt`` (1-based): base, 2×base, 4×base... ≤ 1 h."""
    return min(timedelta(seconds=base_seconds * (2 ** max(attempt - 1, 0))), MAX_BACKOFF)


def send_threads() -> int:
    return current_app.config.get("PLINTH_OUTBOX_SEND_THREADS", 4)


def deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """The job. Sends each message on its own (``deliver``), up to
    ``PLINTH_OUTBOX_SEND_THREADS`` at once: the time is the provider's answer, so a
    worker waits for several at a time. One at a time until the first is sent and again
    after a temporary failure, so an outage still stops the batch after
    ``FAILURES_BEFORE_PAUSE`` attempts. Returns how many ended how (for logs, tests)."""
    from app.messaging.dispatch import enqueue_batches

    budget = current_app.config.get("PLINTH_OUTBOX_BATCH_SECONDS", 30)
    threads = send_threads()
    started = time.monotonic()
    snapshot: compose.Snapshot | None = None
    outcomes: Counter[str] = Counter()
    state = {"failures_in_row": 0, "sent_one": False}
    in_flight: set[Future] = set()

    def settle(done) -> None:
        for future in done:
            outcome = future.result()  # an unexpected error fails the job, as it always did
            outcomes[outcome] += 1
            state["failures_in_row"] = state["failures_in_row"] + 1 if outcome == "retry" else 0
            state["sent_one"] = state["sent_one"] or outcome == "sent"

    with _pool(threads) as pool:
        for index, message_id in enumerate(message_ids):
            while in_flight:
                width = threads if state["sent_one"] and not state["failures_in_row"] else 1
                if len(in_flight) < width:
                    break
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                settle(done)
            rest = message_ids[index:]
            if index and time.monotonic() - started > budget:  # (every job sends at least one)
                # Keep jobs short (the sweep judges a started job by its age); the rest
                # goes to the back of the queue. If Redis is down, the sweep finds them.
                requeued = enqueue_batches(rest)
                outcomes["requeued"] += requeued
                if requeued < len(rest):
                    outcomes["left"] += len(rest) - requeued
                break
            if state["failures_in_row"] >= FAILURES_BEFORE_PAUSE:
                log.warning("Outbox: %d temporary failures in a row; %d messages left to the sweep",
                            state["failures_in_row"], len(rest))
                outcomes["left"] += len(rest)
                break
            if snapshot is None:
                snapshot = read_snapshot()
            in_flight.add(pool.submit(deliver, message_id, snapshot))
        settle(wait(in_flight).done)
    return dict(outcomes)


class _Inline:
    """``PLINTH_OUTBOX_SEND_THREADS`` = 1: each message sent in the job's own thread."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def submit(fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - re-raised by future.result()
            future.set_exception(exc)
        return future


class _SendPool(ThreadPoolExecutor):
    """Threads that each run one ``deliver`` in an app context (and session) of their own."""

    def __init__(self, threads: int):
        super().__init__(max_workers=threads, thread_name_prefix="plinth-send")
        self.app = current_app._get_current_object()

    def submit(self, fn, *args) -> Future:
        return super().submit(self._in_context, fn, *args)

    def _in_context(self, fn, *args):
        with self.app.app_context():
            try:
                return fn(*args)
            finally:
                db.session.remove()


def _pool(threads: int):
    return _SendPool(threads) if threads > 1 else _Inline()


def deliver(message_id: int, snapshot: compose.Snapshot | None = None) -> str:
    """Send one message (also the job of single-message jobs enqueued by older versions).
    Returns what happened: sent, skipped, failed, retry or not-claimed."""
    snapshot = snapshot or read_snapshot()
    now = utcnow()
    try:
        with unit_of_work():
            attempt = _claim(message_id, now)
            if attempt is None:
                return "not-claimed"
            message = _load(message_id)
            reason = still_wanted(message, snapshot, now)
            if reason:
                _finish(message_id, attempt, MessageState.canceled, outcome="skipped", detail=reason)
                return "skipped"
            later = _quiet_until(message, snapshot, now)
            if later is not None:
                return _postpone(message, attempt, later)
            composed = compose.compose(message, snapshot)
            channel = snapshot.channel(message.channel)
    except Exception as exc:
        # The claim was rolled back with the rest: take it again to record why (unless
        # another run took it meanwhile), so a broken message cannot loop unseen.
        if not isinstance(exc, PermanentFailure):
            log.exception("Message %s could not be prepared", message_id)
        with unit_of_work():
            attempt = _claim(message_id, utcnow())
            if attempt is None:
                return "not-claimed"
            if isinstance(exc, PermanentFailure):
                _finish(message_id, attempt, MessageState.failed, outcome="failed", detail=str(exc))
                return "failed"
            return _retry_or_fail(message_id, attempt, TemporaryFailure(f"Could not prepare: {exc}"))

    try:
        sent = channel.send(composed.envelope)
    except PermanentFailure as exc:
        with unit_of_work():
            _finish(message_id, attempt, MessageState.failed, outcome="failed", detail=str(exc),
                    status_code=exc.status_code, stored=composed.stored)
            if getattr(exc, "opted_out", False):
                # They told the provider STOP (not us): honour it for every later text.
                consent.opt_out_number(composed.envelope.to, reason=str(exc))
        return "failed"
    except DeliveryError as exc:
        with unit_of_work():
            return _retry_or_fail(message_id, attempt, exc, stored=composed.stored)
    with unit_of_work():
        _finish(message_id, attempt, MessageState.sent, outcome="sent", status_code=sent.status_code,
                provider_message_id=sent.provider_message_id, stored=composed.stored)
    return "sent"


def read_snapshot() -> compose.Snapshot:
    """The clinic-wide reads, in a transaction of their own."""
    try:
        with unit_of_work():
            return compose.Snapshot.read()
    except IntegrityError:
        # Two workers created the settings rows at once on a fresh install: they exist now.
        with unit_of_work():
            return compose.Snapshot.read()


def _claim(message_id: int, now: datetime) -> int | None:
    """Take the row for this run; the attempt number is the claim's token."""
    return db.session.execute(
        update(Message).where(Message.id == message_id, Message.state == MessageState.pending,
                              Message.due_at <= now)
        .values(state=MessageState.sending, claimed_at=now, attempts=Message.attempts + 1)
        .returning(Message.attempts), execution_options={"synchronize_session": False}).scalar()


def _load(message_id: int) -> Message:
    """The message with everything its check and its text read, in one statement, fresh
    (``populate_existing``: what the session held before the claim does not count)."""
    appointment = joinedload(Message.appointment)
    return db.session.scalars(
        select(Message).where(Message.id == message_id).options(
            joinedload(Message.client), joinedload(Message.team_member),
            appointment.joinedload(Appointment.case).joinedload(Case.client),
            appointment.joinedload(Appointment.session_type),
            appointment.joinedload(Appointment.occupancies).joinedload(Occupancy.calendar)
            .joinedload(Calendar.team_member))
        .execution_options(populate_existing=True)).unique().one()


def still_wanted(message: Message, snapshot: compose.Snapshot | None = None, now: datetime | None = None
                 ) -> str | None:
    """None if the message should go out now, else why not (kept as its last error)."""
    from app.messaging.settings import event_enabled, notification_settings, provider_wants

    if message.channel in TEXT_CHANNELS:
        refusal = consent.refusal(message.client)  # a STOP counts for every text not yet sent
        if refusal:
            return refusal
    if message.appointment_id is None:
        return None
    appointment = message.appointment
    if appointment is None:
        return "The appointment no longer exists."
    kind = message.kind
    settings = snapshot.settings if snapshot is not None else notification_settings()
    if not event_enabled(settings, kind):
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
        if appointment.starts_at <= (now or utcnow()):
            return "The appointment has already started."
    return None


def _quiet_until(message: Message, snapshot: compose.Snapshot, now: datetime) -> datetime | None:
    """When a text that is due now in the location's quiet hours may go (None: now).
    Planning already avoids quiet hours; this catches retries and late sweeps."""
    if message.channel not in TEXT_CHANNELS or message.kind in ASKED_FOR_NOW:
        return None
    setup = compose.text_setup(message, snapshot)
    if setup is None:
        return None
    allowed = quiet.next_allowed(now, setup.zone, setup.quiet_start, setup.quiet_end)
    return allowed if allowed > now else None


def _postpone(message: Message, attempt: int, due: datetime) -> str:
    """Give the claim back, due at the end of the quiet hours (or cancel a reminder that
    would then arrive after the visit starts)."""
    if message.kind.startswith("reminder") and message.appointment is not None \
            and due >= message.appointment.starts_at:
        _finish(message.id, attempt, MessageState.canceled, outcome="skipped",
                detail="Quiet hours last until the appointment; no reminder by text.")
        return "skipped"
    hit = db.session.execute(
        update(Message).where(Message.id == message.id, Message.state == MessageState.sending,
                              Message.attempts == attempt)
        .values(state=MessageState.pending, due_at=due, attempts=attempt - 1),
        execution_options={"synchronize_session": False}).rowcount
    db.session.add(MessageAttempt(message_id=message.id, at=utcnow(), outcome="postponed" if hit else "late",
                                  detail=f"Quiet hours: due again {due:%Y-%m-%d %H:%M} UTC"))
    return "postponed"


def _finish(message_id: int, attempt: int, state: MessageState, *, outcome: str, detail: str | None = None,
            status_code: int | None = None, provider_message_id: str | None = None,
            stored: dict | None = None) -> bool:
    now = utcnow()
    values: dict = {"state": state, "last_error": None if state == MessageState.sent else detail, **(stored or {})}
    if state == MessageState.sent:
        values.update(sent_at=now, provider_message_id=provider_message_id)
    hit = db.session.execute(
        update(Message).where(Message.id == message_id, Message.state == MessageState.sending,
                              Message.attempts == attempt)
        .values(**values), execution_options={"synchronize_session": False}).rowcount
    db.session.add(MessageAttempt(message_id=message_id, at=now, outcome=outcome if hit else f"{outcome}-late",
                                  status_code=status_code, detail=detail or provider_message_id))
    return bool(hit)


def _retry_or_fail(message_id: int, attempt: int, exc: DeliveryError, stored: dict | None = None) -> str:
    config = current_app.config
    if attempt >= config.get("PLINTH_OUTBOX_MAX_ATTEMPTS", 8):
        _finish(message_id, attempt, MessageState.failed, outcome="failed",
                detail=f"Gave up after {attempt} attempts: {exc}", status_code=exc.status_code, stored=stored)
        return "failed"
    due: datetime = utcnow() + backoff(attempt, config.get("PLINTH_OUTBOX_RETRY_SECONDS", 30))
    hit = db.session.execute(
        update(Message).where(Message.id == message_id, Message.state == MessageState.sending,
                              Message.attempts == attempt)
        .values(state=MessageState.pending, due_at=due, last_error=str(exc), **(stored or {})),
        execution_options={"synchronize_session": False}).rowcount
    db.session.add(MessageAttempt(message_id=message_id, at=utcnow(), outcome="retry" if hit else "retry-late",
                                  status_code=exc.status_code, detail=f"{exc} (next try {due:%H:%M:%S} UTC)"))
    return "retry"


def warm_up() -> None:
    """What every work horse would otherwise pay per job: imports, the locale data,
    compiled default templates. The worker calls this once before forking."""
    from babel.dates import format_date

    import app.messaging.channels.files  # noqa: F401
    import app.messaging.channels.sendgrid  # noqa: F401
    import app.messaging.channels.textfiles  # noqa: F401
    import app.messaging.channels.twilio  # noqa: F401
    from app.messaging import templates

    templates.warm_up()
    format_date(utcnow().date(), format="full", locale=current_app.config.get("PLINTH_LOCALE", "en_CA"))
