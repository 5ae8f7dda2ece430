"""What every report shares: its filters, whose figures a user may see, and the shape
of a result (columns, rows, a chart, the definitions printed under it).

Scope: managers (and admins) see every provider; anyone else holding the Reports
permission (providers) sees only figures about themselves — the filter's provider is
forced to their own team member, whatever was asked. The front desk has no Reports
permission unless a manager grants it, and then sees its own figures only (none, unless
it also treats patients).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import false, select

from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.models import Location, TeamMember
from app.security import sees_everything
from app.timeutil import UTC, local_today, utcnow

MAX_DAYS = 800


@dataclass(frozen=True)
class Filters:
    """The period (local dates, both included), and optional location, provider (team
    member) and session type. ``own_only``: the user sees only their own figures."""

    date_from: date
    date_to: date
    location_id: int | None = None
    provider_id: int | None = None
    session_type_id: int | None = None
    own_only: bool = False

    @property
    def utc_bounds(self) -> tuple[datetime, datetime]:
        """A UTC window wide enough for any zone (±14 h); the exact local-date test is
        applied in SQL on top, so this only lets an index narrow the scan."""
        return (datetime.combine(self.date_from - timedelta(days=1), time(0), UTC),
                datetime.combine(self.date_to + timedelta(days=2), time(0), UTC))

    def as_args(self) -> dict[str, str]:
        args = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in ("location_id", "provider_id", "session_type_id"):
            if getattr(self, name) is not None:
                args[name] = str(getattr(self, name))
        return args


def parse_filters(args, user, *, default_days: int = 90) -> Filters:
    """Filters from query arguments; the default period ends today at the user's first
    location (or the clinic's first). Bad values are a 422 naming the field."""
    problems = []

    def number(name):
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            problems.append(Problem(f"{name} must be a whole number.", field=name))
            return None

    def day(name, default):
        raw = (args.get(name) or "").strip()
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.append(Problem(f"{name} must be a date (YYYY-MM-DD).", field=name))
            return default

    location_id = number("location_id")
    location = db.session.get(Location, location_id) if location_id else None
    if location is None:
        location = db.session.scalars(select(Location).order_by(Location.id)).first()
    today = local_today(location) if location else utcnow().date()
    date_to = day("date_to", today)
    date_from = day("date_from", date_to - timedelta(days=default_days - 1))
    if date_from > date_to:
        problems.append(Problem("The period ends before it starts.", field="date_to"))
    elif (date_to - date_from).days > MAX_DAYS:
        problems.append(Problem(f"Choose at most {MAX_DAYS} days.", field="date_from"))
    provider_id, session_type_id = number("provider_id"), number("session_type_id")
    if problems:
        raise ValidationFailed("Some filters are not valid.", problems)
    own_only = not sees_everything(user)
    if own_only:
        provider_id = own_member_id(user)
    return Filters(date_from, date_to, location_id, provider_id, session_type_id, own_only)


def own_member_id(user) -> int:
    """The user's team member id, or -1 (matches nothing) when they are none."""
    found = db.session.scalar(select(TeamMember.id).where(TeamMember.user_id == user.id))
    return found if found is not None else -1


def nothing_if_no_member(query, filters: Filters):
    return query.where(false()) if filters.own_only and filters.provider_id == -1 else query


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | percent | money | number


@dataclass
class Report:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    definitions: list[str]
    chart: dict[str, Any] = field(default_factory=dict)
    extra: list["Report"] = field(default_factory=list)  # sub-tables (e.g. by lead time)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        for table in (self, *self.extra):
            if table is not self:
                writer.writerow([])
                writer.writerow([table.title])
            writer.writerow([c.label for c in table.columns])
            for row in table.rows:
                writer.writerow([_csv_value(row.get(c.key)) for c in table.columns])
        return out.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def ratio(part, whole) -> float | None:
    return None if not whole else float(part or 0) / float(whole)


def bar_chart(labels, datasets: dict[str, list], kind: str = "bar", percent: bool = False) -> dict:
    return {"type": kind, "labels": [str(x) for x in labels], "percent": percent,
            "datasets": [{"label": name, "data": values} for name, values in datasets.items()]}
