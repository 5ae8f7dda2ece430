"""Time: instants are UTC in the database; clinics think in their location's wall clock.

Rules (ARCHITECTURE §4.1):
* Columns holding instants use ``UTCDateTime``: timezone-aware in, timezone-aware UTC out,
  on SQLite (which has no zone support) as well as on PostgreSQL (timestamptz).
* ``to_utc(local_date, local_time, zone)`` converts a wall-clock time. A time that
  does not exist (spring forward gap) is moved forward by the gap, the way a clock
  on the wall is; a time that occurs twice (fall back) means its first occurrence.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

UTC = timezone.utc


class UTCDateTime(TypeDecorator):
    """An instant, always stored and returned as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; attach a time zone first")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite hands back the naive UTC text written above: parse it as UTC in one
        # step (the generic path calls SQLAlchemy's parser, then process_result_value,
        # for every value; the engine reads thousands per question).
        parse = datetime.fromisoformat

        def process(value):
            if value is None:
                return None
            if isinstance(value, str):
                try:
                    return parse(value + "+00:00")  # several times faster than .replace(tzinfo=)
                except ValueError:  # text written with its own offset by other means
                    value = parse(value)
            return self.process_result_value(value, dialect)

        return process


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_valid_timezone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in _zone_names()


_ZONES: set[str] | None = None


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


def to_utc(local_date: date, local_time: time, zone: str | ZoneInfo) -> datetime:
    """Wall-clock date and time at a location → the UTC instant (see module rules)."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    offset = day_offset(local_date, tz)
    if offset is not None:  # the common case: one offset all day, the conversion is a subtraction
        return datetime.combine(local_date, local_time, UTC) - offset
    return _to_utc_exact(local_date, local_time, tz)


@lru_cache(maxsize=8192)
def day_offset(local_date: date, tz: ZoneInfo) -> timedelta | None:
    """The UTC offset every wall time of ``local_date`` has in ``tz``, or None on a day whose
    offset changes (a DST change: there ``to_utc`` converts each time exactly). The engine
    converts thousands of shift times per question; a day's offset is found once.

    Uniform means: midnight and the day's last instant, each in both folds, share one
    offset. (A zone changing twice within one day and back to the first offset would pass
    unnoticed; tests/test_to_utc.py compares this with the exact conversion.)"""
    ends = (datetime.combine(local_date, time(0), tz), datetime.combine(local_date, time.max, tz))
    offsets = {t.replace(fold=fold).utcoffset() for t in ends for fold in (0, 1)}
    return offsets.pop() if len(offsets) == 1 else None


def _to_utc_exact(local_date: date, local_time: time, tz: ZoneInfo) -> datetime:
    naive = datetime.combine(local_date, local_time)
    first = naive.replace(tzinfo=tz, fold=0)
    # A wall time that does not exist does not round-trip; PEP 495 maps fold=0 of a gap
    # time using the offset *before* the gap, which is the time pushed forward by the gap.
    return first.astimezone(UTC)


def to_local(instant: datetime, zone: str | ZoneInfo) -> datetime:
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return instant.astimezone(tz)


@lru_cache(maxsize=16384)  # the engine asks for the same days of the same zones on every question
def local_day_bounds(day: date, zone: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at the start and end of ``day`` (23/24/25 h)."""
    return to_utc(day, time(0), zone), to_utc(day + timedelta(days=1), time(0), zone)


def local_today(where, now: datetime | None = None) -> date:
    """Today's date on the wall clock of ``where``: a Location, anything with a
    ``location`` (a calendar), or a zone name. The one "today" of the app: the server's
    own date (``date.today()``) belongs to no clinic. ``None`` (a client with no home
    location) is UTC's date, the one fallback."""
    if where is None:
        where = "UTC"
    location = getattr(where, "location", where)
    zone = getattr(location, "timezone", location)
    return to_local(now or utcnow(), zone).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (weeks run Monday to Sunday, ISO 8601)."""
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=65536)  # visits start on a quarter-hour grid: the same instants recur
def local_part_of_utc_text(value: str | None, zone: str | None, part: str):
    """SQLite's ``plinth_local(utc_text, zone, part)`` (registered in app/dbsetup.py):
    SQLite has no time zones, so the reports' grouping by the location's local date,
    week, month, weekday or hour is this Python function, evaluated inside the query.
    PostgreSQL computes the same with ``AT TIME ZONE`` (app/reports/sql.py)."""
    if value is None or zone is None:
        return None
    instant = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    local = instant.astimezone(ZoneInfo(zone))
    if part == "date":
        return local.date().isoformat()
    if part == "week":
        return week_start(local.date()).isoformat()
    if part == "month":
        return local.strftime("%Y-%m")
    if part == "dow":
        return local.weekday()
    if part == "hour":
        return local.hour
    raise ValueError(f"unknown part {part!r}")
def zone_country(zone: str | None) -> str | None:
    """The ISO country of a time zone (America/Toronto -> CA, Europe/Lisbon -> PT), from
    CLDR through Babel; None for zones of no country (UTC)."""
    from babel.core import get_global

    country = get_global("zone_territories").get(zone or "")
    return country if country and country != "ZZ" else None
