"""Getting outbox rows onto the queue: right after commit, and by the periodic sweep.

Redis only delivers. Jobs carry batches of message ids (``deliver_batch``, up to
``PLINTH_OUTBOX_BATCH_SIZE``): one per committed transaction (a booking's
confirmations), and the sweep's due messages in batches. Each message id enqueued gets
a marker key in Redis naming its job (``plinth:outbox:<queue>:msg:<id>``), so the
sweep can tell which due messages already have a live job. The sweep looks at the
database, not at Redis, for what should be moving:

* pending rows that are due and have no live job (never enqueued because Redis was
  down, or lost with a flushed Redis, or a retry whose time has come, or left by a batch
  that stopped early) are enqueued;
* rows stuck in ``sending`` longer than ``PLINTH_OUTBOX_STUCK_SECONDS`` (their worker
  died) go back to pending with a conditional UPDATE and are enqueued.

A message in two jobs is harmless: delivery claims each row with a conditional UPDATE,
so only one run sends it.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.extensions import db, redis_client
from app.models import Message, MessageAttempt, MessageState
from app.tasks.queue import enqueue, queue_name
from app.timeutil import utcnow
from app.uow import unit_of_work

log = logging.getLogger(__name__)

DELIVER_BATCH = "app.messaging.delivery.deliver_batch"
SWEEP_BATCH = 2000
# A batch stops claiming after PLINTH_OUTBOX_BATCH_SECONDS; this leaves room for the
# message in hand (a send has its own 15 s network timeout; an invoice renders a PDF).
JOB_TIMEOUT_MARGIN = 60
# A queued job older than this many stuck-periods is presumed lost (e.g. taken by a worker
# that was killed before it started it) and enqueued again; the claim makes that harmless.
QUEUED_LIVE_PERIODS = 5


def batch_size() -> int:
    return current_app.config.get("PLINTH_OUTBOX_BATCH_SIZE", 100)


def batch_seconds() -> int:
    return current_app.config.get("PLINTH_OUTBOX_BATCH_SECONDS", 30)


def stuck_after() -> timedelta:
    return timedelta(seconds=current_app.config.get("PLINTH_OUTBOX_STUCK_SECONDS", 120))


def marker(message_id: int, queue: str | None = None) -> str:
    return f"plinth:outbox:{queue or queue_name()}:msg:{message_id}"


def enqueue_batches(message_ids: Iterable[int]) -> int:
    """Enqueue ``deliver_batch`` jobs for these ids (in batches); returns how many ids
    were enqueued (fewer when Redis is down: the sweep enqueues the rest later)."""
    ids = list(message_ids)
    size, enqueued = batch_size(), 0
    # A marker outlives every rule by which the sweep still counts its job as live.
    ttl = stuck_after() * (QUEUED_LIVE_PERIODS + 1) + timedelta(seconds=batch_seconds())
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        # result_ttl=0: a finished job leaves nothing behind, so a marker naming a
        # missing job means "not queued, not running" for the sweep.
        job = enqueue(DELIVER_BATCH, chunk, job_id=f"plinth-msgs-{uuid.uuid4().hex}", result_ttl=0,
                      failure_ttl=86400, job_timeout=batch_seconds() + JOB_TIMEOUT_MARGIN)
        if job is None:
            break
        enqueued += len(chunk)
        try:
            pipe = redis_client().pipeline(transaction=False)
            for message_id in chunk:
                pipe.set(marker(message_id), job.id, ex=ttl)
            pipe.execute()
        except (RedisError, OSError) as exc:  # the sweep enqueues them again: harmless
            log.warning("Could not mark %d queued messages (%s)", len(chunk), type(exc).__name__)
    return enqueued


def enqueue_delivery(message_id: int) -> int:
    """One message, as a batch of one."""
    return enqueue_batches([message_id])


def sweep() -> dict[str, int]:
    """The periodic job: re-enqueue what is due or stuck. Returns counts (for logs/tests)."""
    now = utcnow()
    stuck_for = stuck_after()
    with unit_of_work():
        stuck = db.session.execute(
            update(Message).where(Message.state == MessageState.sending, Message.claimed_at < now - stuck_for)
            .values(state=MessageState.pending, due_at=now, last_error="Worker stopped while sending; retried")
            .returning(Message.id), execution_options={"synchronize_session": False}).scalars().all()
        for message_id in stuck:
            db.session.add(MessageAttempt(message_id=message_id, at=now, outcome="stuck",
                                          detail="No result recorded; sent again"))
    with unit_of_work():
        due = db.session.scalars(
            select(Message.id).where(Message.state == MessageState.pending, Message.due_at <= now)
            .order_by(Message.due_at, Message.id).limit(SWEEP_BATCH)).all()
    missing = without_job(due)
    enqueued = enqueue_batches(missing)
    if stuck or enqueued:
        log.info("Outbox sweep: %d stuck, %d due without a job, %d enqueued", len(stuck), len(missing), enqueued)
    return {"stuck": len(stuck), "due": len(due), "enqueued": enqueued}


def without_job(message_ids: list[int]) -> list[int]:
    """The ids with no live job in Redis: no marker, or a marker naming a job that is
    not live. A job counts as live while queued (for up to ``QUEUED_LIVE_PERIODS`` ×
    the stuck threshold: a job a killed worker had just taken keeps that status) or
    started less than a batch's time budget plus the stuck threshold ago (a killed
    worker's job keeps "started" until RQ's own clean-up). Finished, failed or missing
    jobs are not live. Two round trips to Redis, whatever the number of ids."""
    if not message_ids:
        return []
    try:
        connection = redis_client()
        job_ids = connection.mget([marker(message_id) for message_id in message_ids])
        distinct = sorted({job for job in job_ids if job})
        pipe = connection.pipeline(transaction=False)
        for job in distinct:
            pipe.hmget(b"rq:job:" + job, "status", "enqueued_at", "started_at")
        answers = dict(zip(distinct, pipe.execute()))
    except (RedisError, OSError):
        return list(message_ids)  # enqueue() will log that Redis is down
    now = utcnow()
    stuck_for = stuck_after()
    queued_live = stuck_for * QUEUED_LIVE_PERIODS
    started_live = stuck_for + timedelta(seconds=batch_seconds())
    live = set()
    for job, (status, enqueued_at, started_at) in answers.items():
        status = (status or b"").decode()
        if status in ("queued", "scheduled", "deferred") and _age(now, enqueued_at) < queued_live:
            live.add(job)
        elif status == "started" and _age(now, started_at) < started_live:
            live.add(job)
    return [message_id for message_id, job in zip(message_ids, job_ids) if job not in live]


def _age(now, raw: bytes | None) -> timedelta:
    from rq.utils import str_to_date

    if not raw:
        return timedelta.max
    try:
        return now - str_to_date(raw.decode()).replace(tzinfo=now.tzinfo)
    except (ValueError, TypeError):
        return timedelta.max
