"""`flask seed-demo`: a believable two-location clinic to click around in.

Everything is created in one transaction, so a failure leaves nothing behind, and the
Toronto location doubles as the marker: when it exists the demo is already there and
seeding changes nothing. A ``random.Random`` seeded with the date makes the output
repeatable for a given ``now`` (the clinic, team, clients and shifts for a given day;
the appointments' statuses also depend on the hour, since they split at "now"). The
calendar is anchored on "today" in each location's own zone: last week is history,
this week is under way, the next two weeks are bookings.

Here: the command's checks and the logins it prints. The rows are built by
``demo_builder.ClinicBuilder`` (clinic, team, catalogue, clients, cases, shifts), the
appointments laid out by ``demo_visits.VisitLayout`` (mixed into it) directly, not
through the booking service, but on the invariants the service enforces: inside the
calendar's shift and outside its breaks, and never two active exclusive occupancies of
one calendar overlapping.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from app import demo_data as data
from app.demo_builder import ClinicBuilder
from app.demo_data import ADMIN_PASSWORD, FRONT_DESK_PASSWORD, MANAGER_PASSWORD, PROVIDER_PASSWORD
from app.errors import Conflict, Problem
from app.extensions import db
from app.models import BillingItem, Client, Discipline, Location, Payer, SessionType, TeamMember
from app.security import ADMIN, FRONT_DESK, MANAGER, PROVIDER, sync_roles
from app.timeutil import utcnow
from app.uow import unit_of_work

MARKER_LOCATION = data.LOCATIONS[0].name
# Months of past visits before the demo weeks, for the reports (demo_history.py).
HISTORY_MONTHS = 6


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    sees: str


@dataclass
class SeedResult:
    created: bool
    logins: list[Login]
    counts: dict[str, int] = field(default_factory=dict)


def seed_demo(*, now: datetime | None = None, history_months: int = HISTORY_MONTHS) -> SeedResult:
    """Create the demo clinic around ``now`` (aware; default: the current time) unless
    it is already there, in which case nothing changes.

    Refuses (``Conflict``) when the database already holds clinic data or users with
    the demo's usernames: demo clients must never mix with a real clinic's.
    """
    sync_roles()
    # Even the read-only path ends its transaction: on SQLite every transaction holds
    # the write lock, and the caller may go on to open other connections.
    with unit_of_work():
        if _already_seeded():
            return SeedResult(False, demo_logins())
        _refuse_conflicts()
        counts = ClinicBuilder(now or utcnow(), history_months).build()
        return SeedResult(True, demo_logins(), counts)


def _already_seeded() -> bool:
    return db.session.scalar(select(Location.id).where(Location.name == MARKER_LOCATION)) is not None


def _refuse_conflicts() -> None:
    problems = []
    for model in (Location, Discipline, Payer, SessionType, BillingItem, Client, TeamMember):
        if db.session.scalar(select(func.count()).select_from(model)):
            problems.append(Problem(f"The database already has {model.__tablename__} rows."))
    user_model = current_app.appbuilder.sm.user_model  # an existing `admin` is kept, see _add_users
    taken = db.session.scalars(select(user_model.username).where(or_(
        user_model.username.in_(["manager", "frontdesk", *(p.username for p in data.PROVIDERS)]),
        user_model.email.like(f"%@{data.STAFF_EMAIL_DOMAIN}"),
    ))).all()
    problems += [Problem(f"A user “{name}” already exists.", field="username") for name in taken]
    if problems:
        raise Conflict("seed-demo only fills an empty database.", problems)


def demo_logins() -> list[Login]:
    """The demo's logins; a password someone has since changed is shown as such."""
    rows = [
        Login(ADMIN, "admin", ADMIN_PASSWORD, "everything, including users and roles"),
        Login(MANAGER, "manager", MANAGER_PASSWORD, "both clinics: all calendars, clients, setup"),
        Login(FRONT_DESK, "frontdesk", FRONT_DESK_PASSWORD, "Toronto's calendars, clients and cases"),
    ]
    for spec in data.PROVIDERS:
        city = data.location_spec(spec.location).city
        rows.append(Login(PROVIDER, spec.username, PROVIDER_PASSWORD,
                          f"{spec.first_name} {spec.last_name}'s calendar ({city}) and own cases"))
    sm = current_app.appbuilder.sm
    checked = []
    for row in rows:
        user = sm.find_user(username=row.username)
        works = user is not None and check_password_hash(user.password or "", row.password)
        checked.append(row if works else Login(row.role, row.username, "(not the demo’s)", row.sees))
    return checked


def format_logins(logins: list[Login]) -> str:
    headers = ("role", "username", "password", "sees")
    table = [headers] + [(r.role, r.username, r.password, r.sees) for r in logins]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
