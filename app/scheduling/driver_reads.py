"""The engine's interval reads straight through the driver on SQLite (issue 13).

``load_calendar_times`` sends the same three statements on every question. Through Core,
SQLite pays per statement for the cache key, the expansion of the IN lists and a result
processor per value, and for every datetime (stored as text) a parse: together more than
the query itself on a small question. Here each statement is compiled by SQLAlchemy once
per shape (how many calendar ids, occupied ids, ignored appointments) and sent with the
same SQL and the same parameters Core would send (checked by
tests/scheduling/test_driver_reads.py; bench/ replays it as the raw baseline): on a bare
cursor of the session's own connection when no statement listener watches, else through
``exec_driver_sql`` so the listener sees it (the bare path also skips ``echo`` logging). The rows come back as the driver's tuples:
text for dates, times and instants, parsed by the caller once per distinct value
(``TextValues``). PostgreSQL keeps the Core path: psycopg already hands back parsed
values in C.
"""
from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import exc

from app.timeutil import UTCDateTime

_SHAPES: dict[tuple, tuple[str, list]] = {}


def uses_driver_path(connection) -> bool:
    return connection.dialect.name == "sqlite"


def execute(connection, statement, params: dict) -> list[tuple]:
    """The rows of ``statement`` with ``params`` (Core-style named values) as the driver
    returns them."""
    sql, recipe = _compiled(connection.dialect, statement, params)
    values = tuple(process(params[name] if index is None else params[name][index]) if process
                   else (params[name] if index is None else params[name][index])
                   for name, index, process in recipe)
    dispatch = connection.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        # Someone watches the statements (a statement counter, a tracer): let them see it.
        return connection.exec_driver_sql(sql, values).all()
    # Nobody watches: the session's own DBAPI connection (same transaction), a bare cursor,
    # its tuples. SQLAlchemy's execution context and Row objects cost more than these
    # small reads themselves.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, values)
        return cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as error:
        # Wrapped as SQLAlchemy wraps every other driver error (not retried: a busy database
        # is the caller's to handle, as anywhere else).
        raise exc.DBAPIError.instance(sql, values, error, connection.dialect.loaded_dbapi.Error,
                                      dialect=connection.dialect) from error
    finally:
        cursor.close()


def _compiled(dialect, statement, params: dict) -> tuple[str, list]:
    """(SQL, [(parameter name, index in its list or None, bind processor)]) for this
    statement and these list lengths, built once through SQLAlchemy's own compiler."""
    shape = tuple(len(v) if isinstance(v, (list, tuple)) else None for v in params.values())
    key = (statement, dialect.name, tuple(params), shape)
    found = _SHAPES.get(key)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        state = compiled.construct_expanded_state(params)
        expanded = {name: (original, i) for original, names in state.parameter_expansion.items()
                    for i, name in enumerate(names)}
        recipe = []
        for name in state.positiontup:
            original, index = expanded.get(name, (name, None))
            type_ = compiled.binds[original].type
            recipe.append((original, index, type_.dialect_impl(dialect).bind_processor(dialect)))
        if len(_SHAPES) >= 1024:  # one entry per list-length combination: bounded, rarely refilled
            _SHAPES.clear()
        found = _SHAPES[key] = (state.statement, recipe)
    return found


@lru_cache(maxsize=8)
def _instant_parser(dialect):
    """``UTCDateTime``'s result processor for ``dialect``, built once (per question it
    cost as much as parsing a few dozen values)."""
    return UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)


class TextValues:
    """Parsers for the driver's text, each distinct string parsed once per read: shifts
    share a handful of times and days, and one appointment's end is often the next one's
    start. Values that are already parsed (another driver) pass through."""

    def __init__(self, dialect=None):
        self._instant = _instant_parser(dialect) if dialect else None
        self.instants: dict[str, datetime] = {}  # read directly by the hot loop
        self._days: dict[str, date] = {}
        self._times: dict[str, time] = {}

    def instant(self, value) -> datetime:
        found = self.instants.get(value)
        if found is None:
            found = self.instants[value] = self._instant(value) if self._instant else value
        return found

    def instants_in(self, rows, *columns: int) -> dict[str, datetime]:
        """Every instant text in ``columns`` of ``rows`` parsed, in bulk (one C-level pass:
        most of what the engine reads on SQLite is these); → text → instant, to index."""
        texts = set()
        for column in columns:
            texts.update(map(itemgetter(column), rows))
        try:
            self.instants.update(zip(texts, map(datetime.fromisoformat, [text + "+00:00" for text in texts])))
        except (TypeError, ValueError):  # a NULL, or text written with its own offset: one by one
            for text in texts:
                self.instant(text)
        return self.instants

    def day(self, value) -> date:
        if not isinstance(value, str):
            return value
        found = self._days.get(value)
        if found is None:
            found = self._days[value] = date.fromisoformat(value)
        return found

    def time(self, value) -> time:
        if not isinstance(value, str):
            return value
        found = self._times.get(value)
        if found is None:
            found = self._times[value] = time.fromisoformat(value)
        return found

