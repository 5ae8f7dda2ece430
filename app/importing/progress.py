"""How far an import is, for the page that started it: rows checked, then rows written.

The import writes in one transaction, so its progress cannot be read from the database
by another request until it commits; it is kept in Redis instead (an hour, then gone).
A Redis outage never breaks an import: the page then just shows no numbers.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from redis.exceptions import RedisError

from app.extensions import redis_client
from app.tasks.queue import queue_name

KEEP_SECONDS = 3600
CHECKING, WRITING, DONE = "checking", "writing", "done"


def _key(import_id: int) -> str:
    # Under the queue's name: test runs (each with its own queue) never read each other's.
    return f"{queue_name()}:import:{import_id}:progress"


def record(import_id: int, phase: str, done: int, total: int) -> None:
    try:
        redis_client().set(_key(import_id), json.dumps({"phase": phase, "done": done, "total": total}),
                           ex=KEEP_SECONDS)
    except (RedisError, OSError):
        pass


def clear(import_id: int) -> None:
    """A new import starts with no progress (an id can come back after a database reset)."""
    try:
        redis_client().delete(_key(import_id))
    except (RedisError, OSError):
        pass


def tracker(import_id: int, phase: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback for the planner or the runner."""
    def progress(done: int, total: int) -> None:
        record(import_id, phase, done, total)
    return progress


def read(import_id: int) -> dict:
    """``{"phase", "done", "total"}``; phase ``None`` when nothing was recorded (yet)."""
    try:
        raw = redis_client().get(_key(import_id))
    except (RedisError, OSError):
        raw = None
    if not raw:
        return {"phase": None, "done": 0, "total": 0}
    return json.loads(raw)
