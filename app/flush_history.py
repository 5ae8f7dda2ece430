"""What a row held before the flush under way: the flush guards that freeze issued
invoices (``billing/immutability.py``) and signed notes (``clinical/immutability.py``)
judge a change against the committed value, not the one being written."""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import get_history


def was_set(obj, attribute: str) -> bool:
    """Whether ``attribute`` of a stored row held a value before this flush (a new row: no)."""
    state = inspect(obj)
    if state.pending:
        return False
    if attribute in state.unloaded and not state.deleted:
        getattr(obj, attribute)  # load the committed value the change is judged against
    history = get_history(obj, attribute)
    before = history.deleted[0] if history.deleted else (history.unchanged[0] if history.unchanged else None)
    return before is not None
