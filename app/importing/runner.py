"""Writing an import plan: bulk statements in the caller's one transaction.

New clients go in with one multi-row INSERT per thousand, updates as one executemany,
and each created or changed client gets its audit row (bulk statements bypass the ORM's
flush hook, so the trail is written here, in the same transaction). The caller commits
once: a failure anywhere rolls everything back, nothing is half-imported.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, update

from app.audit import current_actor_id, jsonable
from app.extensions import db
from app.importing.planner import CREATE, ERROR, UPDATE, ImportOptions, RowOutcome, counts
from app.models import AuditEvent, Client
from app.timeutil import utcnow

CHUNK = 1000


@dataclass(frozen=True)
class RunResult:
    written: bool  # False: all-or-nothing and some row had an error
    counts: dict[str, int]


def run(outcomes: list[RowOutcome], options: ImportOptions,
        progress: Callable[[int, int], None] | None = None) -> RunResult:
    summary = counts(outcomes)
    if summary[ERROR] and not options.valid_rows_only:
        return RunResult(False, summary)
    creates = [o for o in outcomes if o.action == CREATE]
    updates = [o for o in outcomes if o.action == UPDATE]
    total, done = len(creates) + len(updates), 0
    now, actor = utcnow(), current_actor_id()
    for start in range(0, len(creates), CHUNK):
        chunk = creates[start:start + CHUNK]
        rows = [{**o.values, "home_location_id": options.home_location_id, "created_at": now,
                 "online_booking_blocked": False} for o in chunk]
        ids = db.session.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True), rows).all()
        for outcome, client_id in zip(chunk, ids):
            outcome.client_id = client_id
        _audit([(o.client_id, None, o.values) for o in chunk], "imported", now, actor)
        done += len(chunk)
        if progress:
            progress(done, total)
    for start in range(0, len(updates), CHUNK):
        chunk = updates[start:start + CHUNK]
        # Each row changes its own columns; updates are the rare case of an import.
        for outcome in chunk:
            db.session.execute(update(Client), [{"id": outcome.client_id, **outcome.changes}])
        _audit([(o.client_id, {k: jsonable(v) for k, v in o.before.items()}, o.changes) for o in chunk], "updated_by_import", now, actor)
        done += len(chunk)
        if progress:
            progress(done, total)
    return RunResult(True, summary)


def _audit(entries, action: str, now, actor) -> None:
    if not entries:
        return
    db.session.execute(insert(AuditEvent), [
        {"actor_id": actor, "at": now, "entity_type": "Client", "entity_id": client_id, "action": action,
         "before": before, "after": {k: jsonable(v) for k, v in after.items()}}
        for client_id, before, after in entries])
