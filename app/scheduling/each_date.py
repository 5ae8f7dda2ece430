"""All or nothing over dates, naming each refused date: a series booked, its occurrences
moved, a repeat booked from the grid. Each date's change is tried in its own savepoint;
every refusal is kept with its date, and if any date was refused the caller refuses the
whole (its unit of work rolls the tried dates back)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from app.errors import Conflict, Problem
from app.extensions import db


class EachDateOrNone:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    @contextmanager
    def attempt(self, day: date, label: str | None = None) -> Iterator[None]:
        """Run the block in a savepoint; a Conflict is kept, named by ``label`` (default:
        the day as "Mon 02 Mar"), and the next date is tried."""
        try:
            with db.session.begin_nested():
                yield
        except Conflict as refused:
            self.problems += [Problem(f"{label or format(day, '%a %d %b')}: {p.message}",
                                      details={**p.details, "day": day.isoformat()})
                              for p in refused.problems]

    def refuse_if_any(self, message: str) -> None:
        """Conflict(message) listing every refused date, if there was one."""
        if self.problems:
            raise Conflict(message, self.problems)
