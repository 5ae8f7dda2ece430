"""Background work: RQ job functions and the worker that runs them.

Jobs take ids, not objects, and claim their work atomically, so running one twice is
harmless. Redis only delivers: the database is the source of truth, and anything that
could not be enqueued is picked up again by a sweep.

- ``app.tasks.queue.enqueue(func, *args, **kwargs)`` puts a job on Plinth's queue.
- ``python -m app.tasks.worker`` runs the worker (with RQ's scheduler).
"""
from __future__ import annotations

QUEUE_NAME = "plinth"
