"""The RQ worker: ``python -m app.tasks.worker`` (add ``--burst`` to drain and exit).

It builds the Flask app once, listens on Plinth's queue on the app's ``REDIS_URL`` and
runs RQ's scheduler alongside. Every job runs inside the app context, so job functions
use ``db.session`` and ``current_app`` exactly as a request does. A thread enqueues the
periodic jobs through RQ's ``CronScheduler`` (``app/tasks/periodic.py``: the outbox
sweep; one worker at a time).
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Any
from urllib.parse import urlparse

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue

from app.tasks import QUEUE_NAME
from app.tasks.periodic import Periodic

log = logging.getLogger("app.tasks.worker")


class AppWorker(Worker):
    """An RQ ``Worker`` whose jobs (and their callbacks) run inside the app context."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        self.app = app
        super().__init__(*args, **kwargs)

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        from app.extensions import db

        with self.app.app_context():
            if self.is_horse:
                # The horse is a fork of the worker: pooled database connections it
                # inherited belong to the parent and must not be used from here.
                db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, execution)
            finally:
                # Whatever the job left uncommitted is dropped, never leaked to the next.
                db.session.remove()


# Run once in the worker before it forks: every work horse inherits what they load
# (imports, locale data, compiled templates) instead of paying for it per job.
WARM_UP = ("app.messaging.delivery.warm_up",)


def warm_up(app: Flask) -> None:
    from rq.utils import import_attribute

    with app.app_context():
        for name in WARM_UP:
            try:
                import_attribute(name)()
            except Exception:  # an optimisation only: never keep the worker from starting
                log.exception("Warm-up %s failed", name)


def redacted(url: str) -> str:
    """Where a Redis URL points, without its password, for log messages."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return f"unix:{parsed.path}"
    return f"{parsed.hostname}:{parsed.port or 6379}{parsed.path or ''}"


def build_worker(app: Flask, queue_names: list[str], name: str | None = None) -> AppWorker:
    # A connection of its own: RQ raises the socket timeout for its blocking dequeue,
    # which must not leak into the app's short-timeout client used by requests.
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
    return AppWorker(queue_names, connection=connection, app=app, name=name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.tasks.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--queue", action="append", dest="queues", metavar="NAME",
                        help=f"queue to listen on (repeatable; default {QUEUE_NAME!r})")
    parser.add_argument("--burst", action="store_true", help="run the jobs waiting now, then exit")
    parser.add_argument("--name", help="worker name (default: random)")
    parser.add_argument("--logging-level", default="INFO", help="for the worker's own log lines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log.setLevel(args.logging_level)

    from app import create_app

    app = create_app()
    where = redacted(app.config["REDIS_URL"])
    try:
        Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5).ping()
    except RedisError as exc:
        log.error("Redis at %s is unreachable (%s): the worker cannot start.", where, type(exc).__name__)
        return 1
    queues = args.queues or [app.config.get("PLINTH_QUEUE_NAME") or QUEUE_NAME]
    # Jobs that enqueue more work (the outbox sweep) put it where this worker listens.
    app.config["PLINTH_QUEUE_NAME"] = queues[0]
    warm_up(app)
    log.info("Plinth worker: queues %s on Redis %s", ", ".join(queues), where)
    worker = build_worker(app, queues, name=args.name)
    periodic = Periodic(app, Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5), queues[0])
    if args.burst:
        periodic.step()  # a burst drains what is there now, the periodic jobs included
    else:
        periodic.start()
    try:
        worker.work(burst=args.burst, with_scheduler=True, logging_level=args.logging_level)
    finally:
        periodic.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
