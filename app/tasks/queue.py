"""Putting jobs on Plinth's RQ queue without ever letting a Redis outage break a request."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job

from app.extensions import redis_client
from app.tasks import QUEUE_NAME

log = logging.getLogger(__name__)


def queue_name() -> str:
    """The queue the app enqueues onto (tests give each run its own via PLINTH_QUEUE_NAME)."""
    return current_app.config.get("PLINTH_QUEUE_NAME") or QUEUE_NAME


def get_queue() -> Queue:
    return Queue(queue_name(), connection=redis_client())


def enqueue(func: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> Job | None:
    """Enqueue ``func(*args, **kwargs)``; return the job, or None when Redis is down.

    Never raises for an unreachable Redis: the row that needs the work is already
    committed, so a periodic sweep re-enqueues it later. A warning is logged instead.
    Keyword arguments RQ itself understands (``job_id``, ``job_timeout``, ...) are
    passed to ``Queue.enqueue`` as usual.
    """
    try:
        return get_queue().enqueue(func, *args, **kwargs)
    except (RedisError, OSError) as exc:
        name = func if isinstance(func, str) else getattr(func, "__qualname__", repr(func))
        log.warning(
            "Redis is unreachable (%s); %s was not enqueued and will be retried by a sweep.",
            type(exc).__name__, name,
        )
        return None
