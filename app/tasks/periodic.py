"""Periodic jobs, on RQ's own cron scheduler (``rq.cron.CronScheduler``, public API).

Each worker process runs a thread that owns a ``CronScheduler`` with every entry of
``schedule()`` registered (``register(func, queue, interval=…)``) and calls its
``enqueue_jobs()`` once a second. Only one worker's scheduler enqueues at a time: it
holds a Redis key (SET NX with an expiry, renewed each second); when that worker dies
the key expires and another takes over within ``LEASE_SECONDS``. The jobs themselves
read the database, so a flushed Redis only delays them by one period.
"""
from __future__ import annotations

import logging
import threading
import uuid

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq.cron import CronScheduler
from rq.utils import import_attribute

log = logging.getLogger("app.tasks.periodic")

LEASE_SECONDS = 5


def schedule(app: Flask) -> list[tuple[str, int]]:
    """(dotted job function, period in seconds)."""
    return [("app.messaging.dispatch.sweep", int(app.config.get("PLINTH_OUTBOX_SWEEP_SECONDS", 10)))]


def cron_scheduler(app: Flask, connection: Redis, queue_name: str) -> CronScheduler:
    """RQ's scheduler with Plinth's periodic jobs registered on ``queue_name``."""
    scheduler = CronScheduler(connection=connection, name=f"plinth:{queue_name}:{uuid.uuid4().hex[:8]}")
    for func, period in schedule(app):
        scheduler.register(import_attribute(func), queue_name, interval=period,
                           job_timeout=300, result_ttl=0, failure_ttl=3600)
    return scheduler


class Periodic(threading.Thread):
    """The worker's scheduling thread (a daemon: it ends with the worker)."""

    def __init__(self, app: Flask, connection: Redis, queue_name: str, tick: float = 1.0) -> None:
        super().__init__(name="plinth-periodic", daemon=True)
        self.scheduler = cron_scheduler(app, connection, queue_name)
        self.connection = connection
        self.lease_key = f"plinth:periodic:{queue_name}:lease"
        self.tick = tick
        self.stopped = threading.Event()

    def holds_lease(self) -> bool:
        """Take the lease, or renew it if this scheduler holds it."""
        name = self.scheduler.name
        if self.connection.set(self.lease_key, name, nx=True, ex=LEASE_SECONDS):
            return True
        if (self.connection.get(self.lease_key) or b"").decode() == name:
            self.connection.expire(self.lease_key, LEASE_SECONDS)
            return True
        return False

    def step(self) -> list:
        """Enqueue what is due, if this worker's scheduler holds the lease."""
        return self.scheduler.enqueue_jobs() if self.holds_lease() else []

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.step()
            except RedisError as exc:
                log.warning("Periodic jobs not enqueued (%s); next try in a second", type(exc).__name__)
            self.stopped.wait(self.tick)

    def stop(self) -> None:
        self.stopped.set()
