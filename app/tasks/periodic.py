"""Periodic jobs the worker puts on the queue itself (no cron, no separate process).

Each worker, between jobs and while idle, checks every entry; a Redis key with an
expiry (SET NX EX) makes sure one enqueue per period happens across all workers. The
jobs themselves read the database, so a flushed Redis only delays them by one period.
"""
from __future__ import annotations

import logging
import time

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

log = logging.getLogger("app.tasks.periodic")


def schedule(app: Flask) -> list[tuple[str, int]]:
    """(dotted job function, period in seconds)."""
    return [("app.messaging.dispatch.sweep", int(app.config.get("PLINTH_OUTBOX_SWEEP_SECONDS", 10)))]


class Periodic:
    def __init__(self, app: Flask, connection: Redis, queue_name: str) -> None:
        self.app = app
        self.connection = connection
        self.queue_name = queue_name
        self.entries = schedule(app)
        self.next_check = 0.0

    @property
    def shortest_period(self) -> int:
        return min((period for _, period in self.entries), default=60)

    def tick(self) -> None:
        """Enqueue every job whose period has come (cheap: one SET per entry per check)."""
        now = time.monotonic()
        if now < self.next_check:
            return
        self.next_check = now + 1
        for func, period in self.entries:
            key = f"plinth:periodic:{self.queue_name}:{func}"
            try:
                if self.connection.set(key, "1", nx=True, ex=period):
                    # At the front: a sweep is short, and behind a backlog of batches
                    # it would come too late to keep the queue fed evenly.
                    Queue(self.queue_name, connection=self.connection).enqueue(
                        func, job_timeout=300, result_ttl=0, failure_ttl=3600, at_front=True)
            except RedisError as exc:
                log.warning("Could not enqueue %s (%s); next try in a second", func, type(exc).__name__)
