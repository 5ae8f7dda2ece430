"""The outbox: messages are rows written in the caller's transaction, sent after commit.

* ``queue_email(...)`` is the one way any area asks for an email. It inserts with
  ``ON CONFLICT (dedupe_key) DO NOTHING``, so the same key can never make two messages
  (not even from two concurrent transactions) and a duplicate never spoils the
  caller's transaction; it returns None when the key already exists.
* Messages due now are enqueued after commit (``app.uow.after_commit``), one batch job
  per transaction; later ones, retries and anything Redis lost are enqueued by the
  worker's sweep (app.messaging.dispatch). A rollback leaves neither a row nor a job.
* ``withdraw`` (reschedule, cancel), ``postpone``, ``resend`` and ``cancel`` change
  pending rows with conditional UPDATEs and leave a line in the message's history.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from app import audit
from app.errors import Conflict
from app.dialect import insert
from app.extensions import db
from app.models import Message, MessageAttempt, MessageState
from app.timeutil import utcnow
from app.uow import after_commit

_TO_ENQUEUE = "plinth_outbox_enqueue"


def queue_email(kind: str, to: str, context: dict, key: str, *, client_id: int | None = None,
                team_member_id: int | None = None, appointment_id: int | None = None,
                invoice_id: int | None = None, due_at: datetime | None = None,
                location_id: int | None = None, audience: str = "client",
                appointment_starts_at: datetime | None = None,
                offset_minutes: int | None = None) -> Message | None:
    """Add an email to the outbox in the current transaction; None if ``key`` exists.

    ``context`` holds values the template needs that the database will not have at
    send time (a login code, a claim link). Appointment details are read at send
    time instead, so the message always tells the final state.
    """
    return queue("email", kind, to, context, key, client_id=client_id, team_member_id=team_member_id,
                 appointment_id=appointment_id, invoice_id=invoice_id, due_at=due_at,
                 location_id=location_id, audience=audience, appointment_starts_at=appointment_starts_at,
                 offset_minutes=offset_minutes)


def queue(channel: str, kind: str, to: str, context: dict | None, key: str, *, due_at: datetime | None = None,
          **fields) -> Message | None:
    """Channel-neutral form of ``queue_email`` (an SMS channel uses this with "sms")."""
    if not to or not key:
        raise ValueError("A message needs an address and a dedupe key.")
    now = utcnow()
    values = dict(channel=channel, kind=kind, to_address=to.strip(), context=context or None,
                  dedupe_key=key[:200], due_at=due_at or now, state=MessageState.pending, attempts=0,
                  created_at=now, **fields)
    statement = insert(Message).values(**values).on_conflict_do_nothing(
        index_elements=["dedupe_key"]).returning(Message.id)
    new_id = db.session.execute(statement).scalar()
    if new_id is None:
        return None
    if values["due_at"] <= now:
        enqueue_after_commit([new_id])
    return db.session.get(Message, new_id)


def enqueue_after_commit(message_ids: Iterable[int]) -> None:
    """Enqueue delivery once the transaction commits: one callback and one batch job per
    transaction (a booking's confirmations to client and provider travel together)."""
    transaction = db.session().get_transaction()
    entry: tuple | None = db.session.info.get(_TO_ENQUEUE)
    if entry is None or entry[0] is not transaction:
        # The first of this transaction (what a rolled-back one left here is dropped).
        entry = db.session.info[_TO_ENQUEUE] = (transaction, [])
        ids = entry[1]

        def _enqueue() -> None:
            db.session.info.pop(_TO_ENQUEUE, None)
            from app.messaging.dispatch import enqueue_batches

            enqueue_batches(ids)

        after_commit(_enqueue)
    entry[1].extend(message_ids)


def _note(message_ids: Iterable[int], outcome: str, detail: str | None) -> None:
    for message_id in message_ids:
        db.session.add(MessageAttempt(message_id=message_id, at=utcnow(), outcome=outcome, detail=detail))


def withdraw(appointment_id: int, *, reason: str, kinds: Iterable[str] | None = None,
             kind_prefix: str | None = None, audience: str | None = None) -> list[tuple[int, str, str]]:
    """Cancel the appointment's pending messages (all, or of ``kinds`` / ``kind_prefix``).
    Returns (id, kind, audience) of each one withdrawn. Messages already claimed by a
    worker are left to its send-time check, which sees the new state of the appointment."""
    statement = update(Message).where(
        Message.appointment_id == appointment_id, Message.state == MessageState.pending)
    if kinds is not None:
        statement = statement.where(Message.kind.in_(list(kinds)))
    if kind_prefix is not None:
        statement = statement.where(Message.kind.like(f"{kind_prefix}%"))
    if audience is not None:
        statement = statement.where(Message.audience == audience)
    statement = statement.values(state=MessageState.canceled, last_error=f"Withdrawn: {reason}").returning(
        Message.id, Message.kind, Message.audience)
    rows = [tuple(r) for r in db.session.execute(statement, execution_options={"synchronize_session": False})]
    _note((r[0] for r in rows), "withdrawn", reason)
    _expire(r[0] for r in rows)
    return rows


def postpone(appointment_id: int, kinds: Iterable[str], due_at: datetime) -> int:
    """Push pending event messages back to ``due_at`` (the front desk is still editing)."""
    result = db.session.execute(
        update(Message).where(Message.appointment_id == appointment_id, Message.state == MessageState.pending,
                              Message.kind.in_(list(kinds)), Message.due_at < due_at)
        .values(due_at=due_at), execution_options={"synchronize_session": False})
    return result.rowcount


def pending_kinds(appointment_id: int) -> set[tuple[str, str, int | None]]:
    """(kind, audience, team_member_id) of the appointment's pending messages."""
    rows = db.session.execute(select(Message.kind, Message.audience, Message.team_member_id).where(
        Message.appointment_id == appointment_id, Message.state == MessageState.pending))
    return {tuple(r) for r in rows}


def resend(message_ids: Iterable[int], *, actor_id: int | None = None) -> int:
    """Send again now: failed, canceled or sent messages go back to pending (a manager's
    decision, audited). A message being sent right now is refused."""
    ids = list(message_ids)
    rows = db.session.execute(
        update(Message).where(Message.id.in_(ids), Message.state != MessageState.sending)
        .values(state=MessageState.pending, due_at=utcnow(), last_error=None)
        .returning(Message.id), execution_options={"synchronize_session": False}).scalars().all()
    if len(rows) != len(ids):
        raise Conflict("A message that is being sent right now cannot be resent; try again in a minute.")
    _note(rows, "resent", "Resent by staff")
    for message_id in rows:
        audit.record(db.session, entity=_Ref(message_id), action="message_resent", actor_id=actor_id)
    _expire(rows)
    enqueue_after_commit(rows)
    return len(rows)


def cancel(message_ids: Iterable[int], *, actor_id: int | None = None) -> int:
    """Stop pending messages from going out (a manager's decision, audited)."""
    ids = list(message_ids)
    rows = db.session.execute(
        update(Message).where(Message.id.in_(ids), Message.state == MessageState.pending)
        .values(state=MessageState.canceled, last_error="Canceled by staff")
        .returning(Message.id), execution_options={"synchronize_session": False}).scalars().all()
    if len(rows) != len(ids):
        raise Conflict("Only messages still waiting to be sent can be canceled.")
    _note(rows, "canceled", "Canceled by staff")
    for message_id in rows:
        audit.record(db.session, entity=_Ref(message_id), action="message_canceled", actor_id=actor_id)
    _expire(rows)
    return len(rows)


class _Ref:
    """What audit.record needs of an entity (type name and id) without loading it."""

    def __init__(self, message_id: int) -> None:
        self.id = message_id


_Ref.__name__ = "Message"


def _expire(message_ids: Iterable[int]) -> None:
    """Objects already loaded in the session must not keep their old state."""
    for message_id in message_ids:
        obj = db.session.identity_map.get(identity_key(Message, message_id))
        if obj is not None:
            db.session.expire(obj)
