"""Getting outbox rows onto the queue: right after commit, and by the periodic sweep.

Redis only delivers. Each message has one RQ job id (``plinth-msg-<id>``); the sweep
looks at the database, not at Redis, for what should be moving:

* pending rows that are due and have no job in Redis (never enqueued because Redis was
  down, or lost with a flushed Redis, or a retry whose time has come) are enqueued;
* rows stuck in ``sending`` longer than ``PLINTH_OUTBOX_STUCK_SECONDS`` (their worker
  died) go back to pending with a conditional UPDATE and are enqueued.

A job enqueued twice is harmless: delivery claims the row with a conditional UPDATE,
so only one run sends it.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select, update

from app.extensions import db, redis_client
from app.models import Message, MessageAttempt, MessageState
from app.tasks.queue import enqueue
from app.timeutil import utcnow
from app.uow import unit_of_work

log = logging.getLogger(__name__)

DELIVER = "app.messaging.delivery.deliver"
SWEEP_BATCH = 2000
JOB_TIMEOUT = 60  # seconds; a send has its own 15 s network timeout
# A queued job older than this many stuck-periods is presumed lost (e.g. taken by a worker
# that was killed before it started it) and enqueued again; the claim makes that harmless.
QUEUED_LIVE_PERIODS = 5


def job_id(message_id: int) -> str:
    return f"plinth-msg-{message_id}"


def enqueue_delivery(message_id: int):
    # result_ttl=0: a finished job leaves nothing behind, so "no job in Redis" means
    # "not queued, not running" for the sweep.
    return enqueue(DELIVER, message_id, job_id=job_id(message_id), result_ttl=0, failure_ttl=86400,
                   job_timeout=JOB_TIMEOUT)


def sweep() -> dict[str, int]:
    """The periodic job: re-enqueue what is due or stuck. Returns counts (for logs/tests)."""
    now = utcnow()
    stuck_after = timedelta(seconds=current_app.config.get("PLINTH_OUTBOX_STUCK_SECONDS", 120))
    with unit_of_work():
        stuck = db.session.execute(
            update(Message).where(Message.state == MessageState.sending, Message.claimed_at < now - stuck_after)
            .values(state=MessageState.pending, due_at=now, last_error="Worker stopped while sending; retried")
            .returning(Message.id), execution_options={"synchronize_session": False}).scalars().all()
        for message_id in stuck:
            db.session.add(MessageAttempt(message_id=message_id, at=now, outcome="stuck",
                                          detail="No result recorded; sent again"))
    with unit_of_work():
        due = db.session.scalars(
            select(Message.id).where(Message.state == MessageState.pending, Message.due_at <= now)
            .order_by(Message.due_at, Message.id).limit(SWEEP_BATCH)).all()
    missing = _without_job(due, stuck_after)
    enqueued = sum(1 for message_id in missing if enqueue_delivery(message_id) is not None)
    if stuck or enqueued:
        log.info("Outbox sweep: %d stuck, %d due without a job, %d enqueued", len(stuck), len(missing), enqueued)
    return {"stuck": len(stuck), "due": len(due), "enqueued": enqueued}


def _without_job(message_ids: list[int], stuck_after: timedelta) -> list[int]:
    """The ids with no live job in Redis. A job counts as live while queued (for up to
    ``QUEUED_LIVE_PERIODS`` × ``stuck_after``: a job a killed worker had just taken keeps
    that status) or started
    less than ``stuck_after`` ago (a killed worker's job keeps "started" until RQ's own
    clean-up). Finished, failed or missing jobs are not live."""
    if not message_ids:
        return []
    try:
        pipe = redis_client().pipeline(transaction=False)
        for message_id in message_ids:
            pipe.hmget(f"rq:job:{job_id(message_id)}", "status", "enqueued_at", "started_at")
        answers = pipe.execute()
    except (RedisError, OSError):
        return list(message_ids)  # enqueue() will log that Redis is down
    now = utcnow()
    missing = []
    for message_id, (status, enqueued_at, started_at) in zip(message_ids, answers):
        status = (status or b"").decode()
        queued_live = stuck_after * QUEUED_LIVE_PERIODS
        if status in ("queued", "scheduled", "deferred") and _age(now, enqueued_at) < queued_live:
            continue
        if status == "started" and _age(now, started_at) < stuck_after:
            continue
        missing.append(message_id)
    return missing


def _age(now, raw: bytes | None) -> timedelta:
    from rq.utils import str_to_date

    if not raw:
        return timedelta.max
    try:
        return now - str_to_date(raw.decode()).replace(tzinfo=now.tzinfo)
    except (ValueError, TypeError):
        return timedelta.max
