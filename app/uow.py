"""One commit per request or job.

Services only flush; the edge (a view, an API endpoint, a job, a CLI command) wraps
its work in ``unit_of_work()``, which commits once or rolls everything back. Work that
must only happen once the data is durable (enqueuing an RQ job) is registered with
``after_commit()`` and runs after the commit, never after a rollback.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_PENDING_KEY = "plinth_after_commit"


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the current transaction commits (dropped on rollback)."""
    db.session.info.setdefault(_PENDING_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_PENDING_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING_KEY, None)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit once if the block succeeds; roll back everything if it raises."""
    session = db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
