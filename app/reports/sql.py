"""SQL expressions the reports share, written once per dialect.

Reports group in the database, so local dates and hours, minute arithmetic and money
must be SQL expressions that give the same answer on SQLite and PostgreSQL:

* ``local(ts, zone, part)``: the local date / week (its Monday) / month (YYYY-MM) as
  text, or weekday (0 = Monday) / hour as an integer, of a UTC instant in the zone named
  by a column (the location's). PostgreSQL: ``AT TIME ZONE``; SQLite: ``plinth_local``
  (a Python function registered on each connection, app/dbsetup.py).
* ``minutes_between(a, b)`` of two instants, ``clock_minutes(t)`` of a time of day.
* ``week_of(day)``: the Monday of a date column, as text.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Date, DateTime, Integer, String, cast, extract, func, literal, select

from app.dialect import is_postgresql

PARTS = ("date", "week", "month", "dow", "hour")


def local(ts, zone, part: str):
    if part not in PARTS:
        raise ValueError(part)
    if not is_postgresql():
        expr = func.plinth_local(ts, zone, part)
        return cast(expr, Integer) if part in ("dow", "hour") else cast(expr, String)
    wall = func.timezone(zone, ts)
    if part == "date":
        return func.to_char(wall, "YYYY-MM-DD")
    if part == "week":  # a date (the Monday); callers read it as str(value)[:10]
        return cast(func.date_trunc("week", wall), Date)
    if part == "month":  # a date (the 1st); callers read it as str(value)[:7]
        return cast(func.date_trunc("month", wall), Date)
    if part == "dow":
        return cast(extract("isodow", wall), Integer) - 1
    return cast(extract("hour", wall), Integer)


def on_local_dates(ts, zone, date_from, date_to) -> list:
    """Conditions: the instant ``ts`` falls on a local date from ``date_from`` to
    ``date_to`` (both included) in the zone named by ``zone``. PostgreSQL compares wall
    timestamps (no text per row); SQLite compares the local date's text."""
    if is_postgresql():
        wall = func.timezone(zone, ts)
        return [wall >= literal(datetime.combine(date_from, time(0)), DateTime()),
                wall < literal(datetime.combine(date_to + timedelta(days=1), time(0)), DateTime())]
    day = local(ts, zone, "date")
    return [day >= date_from.isoformat(), day <= date_to.isoformat()]


def minutes_between(start, end):
    if is_postgresql():
        return extract("epoch", end - start) / 60
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def clock_minutes(t):
    """Minutes since midnight of a time-of-day column (wall clock)."""
    if is_postgresql():
        return extract("hour", t) * 60 + extract("minute", t)
    return cast(func.substr(t, 1, 2), Integer) * 60 + cast(func.substr(t, 4, 2), Integer)


def week_of(day):
    if is_postgresql():
        return func.to_char(func.date_trunc("week", day), "YYYY-MM-DD")
    return func.date(day, "-" + cast((cast(func.strftime("%w", day), Integer) + 6) % 7, String) + " days")


def days_until(earlier, day):
    """Whole days from a date column to a given date."""
    if is_postgresql():
        return cast(literal(day), Date) - earlier
    return cast(func.julianday(literal(day.isoformat())) - func.julianday(earlier), Integer)


def shift_worked_minutes():
    """A shift's wall-clock minutes minus its breaks. The breaks are summed per shift, through
    ``shift_break``'s shift_id index, for the shifts the caller reads: a grouped subquery of
    every break was hashed whole, so a 28-day report read every break ever planned (issue 13)."""
    from app.models import Shift, ShiftBreak

    breaks = (select(func.coalesce(func.sum(clock_minutes(ShiftBreak.end_time) - clock_minutes(ShiftBreak.start_time)), 0))
              .where(ShiftBreak.shift_id == Shift.id).correlate(Shift).scalar_subquery())
    return clock_minutes(Shift.end_time) - clock_minutes(Shift.start_time) - breaks
