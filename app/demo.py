"""`flask seed-demo`: a believable two-location clinic to click around in.

Everything is created in one transaction, so a failure leaves nothing behind, and the
Toronto location doubles as the marker: when it exists the demo is already there and
seeding changes nothing. A ``random.Random`` seeded with the date makes the output
repeatable for a given ``now`` (the clinic, team, clients and shifts for a given day;
the appointments' statuses also depend on the hour, since they split at "now"). The
calendar is anchored on "today" in each location's own zone: last week is history,
this week is under way, the next two weeks are bookings.

Appointments are laid out here directly, not through the booking service, but they
obey the same invariants the service enforces: inside the calendar's shift and outside
its breaks, and never two active exclusive occupancies of one calendar overlapping.
"""
from __future__ import annotations

import random
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash

from app import demo_data as data
from app.errors import Conflict, Problem
from app.extensions import db
from app.models import (
    Appointment, AppointmentStatus, BillingItem, BookedVia, Calendar, CalendarKind, Case, Client,
    Discipline, Location, Occupancy, Payer, PayerKind, SessionType, SessionTypeBillingItem,
    Shift, ShiftBreak, TeamMember,
)
from app.security import ADMIN, FRONT_DESK, MANAGER, PROVIDER, sync_roles
from app.setup import team
from app.setup.team import provision_provider_calendars
from app.timeutil import UTC, to_utc, utcnow
from app.uow import unit_of_work

# The demo logins. The command prints them for anyone to read, so they protect
# nothing: that is why seeding refuses a database that already holds a clinic.
ADMIN_PASSWORD = "admin-demo-2026"
MANAGER_PASSWORD = "manager-demo-2026"
FRONT_DESK_PASSWORD = "frontdesk-demo-2026"
PROVIDER_PASSWORD = "provider-demo-2026"  # every provider, `provider` included

MARKER_LOCATION = data.LOCATIONS[0].name
STAFF_EMAIL_DOMAIN = "clinic.example.com"
RELEASED = (AppointmentStatus.canceled, AppointmentStatus.rebooked)  # hold no time
KEPT = (AppointmentStatus.booked, AppointmentStatus.confirmed, AppointmentStatus.arrived,
        AppointmentStatus.paid)
S = AppointmentStatus
# Months of past visits before the demo weeks, for the reports (demo_history.py).
HISTORY_MONTHS = 6
# Every demo calendar keeps the default booking horizon; shifts must reach its end.
SHIFT_HORIZON_DAYS = Calendar.__table__.c.booking_horizon_days.default.arg
PAST_STATUSES = ((S.paid, 58), (S.arrived, 17), (S.no_show, 7), (S.canceled, 10), (S.rebooked, 8))
FUTURE_STATUSES = ((S.booked, 47), (S.confirmed, 40), (S.canceled, 7), (S.rebooked, 6))


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
        counts = _Builder(now or utcnow(), history_months).build()
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
        user_model.email.like(f"%@{STAFF_EMAIL_DOMAIN}"),
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
        city = _location_spec(spec.location).city
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


def _location_spec(key: str) -> data.LocationSpec:
    return next(spec for spec in data.LOCATIONS if spec.key == key)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclass(frozen=True)
class _Hours:
    """A calendar's shift on one day, in local minutes since midnight."""

    start: int
    end: int
    breaks: tuple[tuple[int, int], ...]

    def windows(self) -> list[tuple[int, int]]:
        edges, cursor = [], self.start
        for b0, b1 in self.breaks:
            edges.append((cursor, b0))
            cursor = b1
        return edges + [(cursor, self.end)]

    def covers(self, a: int, b: int) -> bool:
        return self.start <= a and b <= self.end and all(b <= b0 or a >= b1 for b0, b1 in self.breaks)


@dataclass
class _Provider:
    spec: data.ProviderSpec
    member: TeamMember
    calendar: Calendar


@dataclass
class _CaseInfo:
    case: Case
    client: Client
    spec: data.CaseSpec
    provider: _Provider
    opened_on: date
    assessed: bool  # a new case's first visit must be an initial assessment
    last_seen: date = date.min
    pending_rebook: bool = False


@dataclass
class _Rebook:
    original: Appointment
    info: _CaseInfo
    session_type: SessionType
    due: date


class _Builder:
    """Builds the clinic row by row; the appointment layout keeps in-memory busy lists."""

    def __init__(self, now: datetime, history_months: int = 0) -> None:
        self.now = now.astimezone(UTC)
        self.history_months = history_months
        self.rng = random.Random(f"plinth-demo:{self.now.date().isoformat()}")
        self.locations: dict[str, Location] = {}
        self.zones: dict[str, ZoneInfo] = {}
        self.days: dict[str, list[date]] = {}
        self.shift_days: dict[str, list[date]] = {}
        self.disciplines: dict[str, Discipline] = {}
        self.users: dict[str, User] = {}
        self.providers: list[_Provider] = []
        self.resources: dict[str, list[Calendar]] = defaultdict(list)  # location key → rooms, equipment
        self.session_types: dict[str, SessionType] = {}
        self.payers: dict[str, Payer] = {}
        self.cases: list[_CaseInfo] = []
        self.hours: dict[tuple[int, date], _Hours] = {}  # (id(calendar), day)
        self.busy: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
        self.client_busy: dict[tuple[int, date], list[tuple[int, int, int]]] = defaultdict(list)
        self.pending: dict[int, list[_Rebook]] = defaultdict(list)  # id(provider) → rebooks
        self.appointments: list[Appointment] = []
        self.shift_count = 0
        self.closed_cases = 0

    def build(self) -> dict[str, int]:
        self._add_locations()
        self._add_users()
        self._add_providers()
        self._add_resources()
        self._add_catalogue()
        self._add_payers()
        self._add_clients()
        self._add_shifts()
        self._add_appointments()
        db.session.flush()
        from app import demo_billing

        billing = demo_billing.seed(locations=list(self.locations.values()), session_types=self.session_types,
                                    appointments=self.appointments, actor=self.users["frontdesk"], now=self.now)
        from app import demo_history

        history = demo_history.seed(self, self.history_months)
        from app.messaging import demo as messaging_demo

        messaging_demo.seed(list(self.locations.values()))
        from app import demo_clinical

        maya = next(p.member for p in self.providers if p.spec.username == "provider")
        clinical = demo_clinical.seed(appointments=self.appointments, provider=maya, now=self.now)
        return {
            "locations": len(self.locations), "providers": len(self.providers),
            "rooms and equipment": sum(len(v) for v in self.resources.values()),
            "session types": len(self.session_types), "clients": len({id(i.client) for i in self.cases}),
            "cases": len(self.cases) + self.closed_cases, "shifts": self.shift_count,
            "appointments": len(self.appointments), **billing, **history, **clinical,
        }

    # --- the clinic ---------------------------------------------------------------
    def _add_locations(self) -> None:
        for spec in data.LOCATIONS:
            location = Location(
                name=spec.name, timezone=spec.timezone, address_line1=spec.address_line1,
                city=spec.city, region=spec.region, postal_code=spec.postal_code, country=spec.country,
                phone=spec.phone, email=spec.email, tax_id=spec.tax_id, invoice_prefix=spec.invoice_prefix,
                language=spec.language, currency=spec.currency, notes="Demo data created by `flask seed-demo`.",
            )
            db.session.add(location)
            self.locations[spec.key] = location
            self.zones[spec.key] = ZoneInfo(spec.timezone)
            # Last week is history, this week is under way, two more weeks are booked.
            local_today = self.now.astimezone(self.zones[spec.key]).date()
            monday = local_today - timedelta(days=local_today.weekday()) - timedelta(weeks=1)
            self.days[spec.key] = [monday + timedelta(days=n) for n in range(28) if n % 7 < 5]
            # Shifts run on past the booked weeks to the end of online booking's horizon,
            # so a series or an online patient finds working days as far as may be booked.
            last = local_today + timedelta(days=SHIFT_HORIZON_DAYS)
            self.shift_days[spec.key] = [monday + timedelta(days=n) for n in range((last - monday).days + 1)
                                         if n % 7 < 5]
        for name, colour in data.DISCIPLINES.items():
            self.disciplines[name] = Discipline(name=name, colour=colour)
            db.session.add(self.disciplines[name])

    def _add_users(self) -> None:
        sm = current_app.appbuilder.sm
        # An admin made earlier with `flask fab create-admin` is kept as it is.
        self.users["admin"] = sm.find_user(username="admin") or self._user(
            "admin", "Alex", "Admin", ADMIN, ADMIN_PASSWORD)
        manager = self._user("manager", "Rebecca", "Moreau", MANAGER, MANAGER_PASSWORD)
        frontdesk = self._user("frontdesk", "Jordan", "Lee", FRONT_DESK, FRONT_DESK_PASSWORD)
        tor, lis = self.locations[data.TORONTO], self.locations[data.LISBON]
        db.session.add_all([
            TeamMember(user=manager, display_name="Rebecca Moreau", title="Clinic manager",
                       locations=[tor, lis]),
            TeamMember(user=frontdesk, display_name="Jordan Lee", title="Front desk", locations=[tor]),
        ])
        self.users.update(manager=manager, frontdesk=frontdesk)

    def _user(self, username: str, first: str, last: str, role: str, password: str) -> User:
        return team.new_login(
            username=username, email=f"{_ascii(first)}.{_ascii(last)}@{STAFF_EMAIL_DOMAIN}",
            password=password, first_name=first, last_name=last, role_name=role,
        )

    def _add_providers(self) -> None:
        for spec in data.PROVIDERS:
            user = self._user(spec.username, spec.first_name, spec.last_name, PROVIDER, PROVIDER_PASSWORD)
            member = TeamMember(
                user=user, display_name=f"{spec.first_name} {spec.last_name}", is_provider=True,
                title=spec.title, registration_number=spec.registration_number,
                disciplines=[self.disciplines[d] for d in spec.disciplines],
                locations=[self.locations[spec.location]],
            )
            db.session.add(member)
            db.session.flush()
            (calendar,) = provision_provider_calendars(member)
            calendar.colour = spec.colour
            calendar.online_enabled = True
            calendar.slug = f"{_ascii(spec.first_name)}-{_ascii(spec.last_name)}"
            self.providers.append(_Provider(spec, member, calendar))

    def _add_resources(self) -> None:
        for order, spec in enumerate(data.RESOURCES, start=1):
            calendar = Calendar(
                name=spec.name, kind=CalendarKind[spec.kind], location=self.locations[spec.location],
                disciplines=[self.disciplines[d] for d in spec.disciplines], colour=spec.colour,
                sort_order=1000 + 10 * order,
            )
            db.session.add(calendar)
            self.resources[spec.location].append(calendar)

    def _add_catalogue(self) -> None:
        items = {}
        for spec in data.BILLING_ITEMS:
            items[spec.code] = BillingItem(code=spec.code, name=spec.name, unit_price=spec.unit_price,
                                           tax_rate=spec.tax_rate, is_product=spec.is_product)
        for spec in data.SESSION_TYPES:
            self.session_types[spec.key] = SessionType(
                name=spec.name, category=spec.category, description=spec.description,
                discipline=self.disciplines[spec.discipline], duration_minutes=spec.minutes,
                price=spec.price, colour=spec.colour, online_bookable=spec.online,
                for_new_clients=spec.new_clients, for_returning_clients=spec.returning_clients,
                needs_room=spec.needs_room, needs_equipment=spec.needs_equipment,
                billing_lines=[SessionTypeBillingItem(billing_item=items[code], quantity=Decimal(qty))
                               for code, qty in spec.billing],
            )
        db.session.add_all([*items.values(), *self.session_types.values()])

    def _add_payers(self) -> None:
        for spec in data.PAYERS:
            self.payers[spec.key] = Payer(
                name=spec.name, kind=PayerKind[spec.kind], contact_name=spec.contact_name,
                email=spec.email, phone=spec.phone, address=spec.address,
            )
        db.session.add_all(self.payers.values())
        # Each location bills only its own network; online, the others read its message.
        for key, location in self.locations.items():
            location.accepted_payers = [self.payers[p] for p in data.LOCATION_PAYERS[key] if p != "self"]
            location.out_of_network_message = data.OUT_OF_NETWORK[key]

    # --- clients and their cases --------------------------------------------------
    def _add_clients(self) -> None:
        rng = self.rng
        for key, names in data.CLIENT_NAMES.items():
            local = [p for p in self.providers if p.spec.location == key]
            for n, (first, last, preferred) in enumerate(names):
                client = self._client(key, n, first, last, preferred)
                # Round-robin over providers keeps every provider's list of clients full.
                treating = local[n % len(local)]
                self._open_case(client, treating, rng.choice(treating.spec.disciplines))
                if rng.random() < 0.3:
                    other = rng.choice([p for p in local if p is not treating])
                    self._open_case(client, other, rng.choice(other.spec.disciplines))
                if rng.random() < 0.2:
                    self._closed_case(client, treating)

    def _client(self, key: str, n: int, first: str, last: str, preferred: str | None) -> Client:
        rng, spec = self.rng, _location_spec(key)
        street, postal = rng.choice(data.STREETS[key])
        domain = rng.choice(("example.com", "example.org", "example.net"))
        number = rng.randint(12, 980) if key == data.TORONTO else rng.randint(1, 240)
        client = Client(
            first_name=first, last_name=last, preferred_name=preferred,
            date_of_birth=self.days[key][0] - timedelta(days=rng.randint(18 * 365, 82 * 365)),
            email=None if rng.random() < 0.1 else f"{_ascii(first)}.{_ascii(last)}@{domain}",
            phone=f"{spec.phone_prefix}{20 + n:02d}",
            # Toronto writes "123 King Street", Lisbon "Rua Augusta, 123".
            address_line1=f"{number} {street}" if key == data.TORONTO else f"{street}, {number}",
            city=spec.city, region=spec.region, postal_code=postal, country=spec.country,
            alerts=rng.choice(data.ALERTS) if rng.random() < 0.2 else None,
            home_location=self.locations[key],
            preferred_language="fr_CA" if (first, last) in data.FRENCH_SPEAKERS else None,
        )
        db.session.add(client)
        return client

    def _open_case(self, client: Client, provider: _Provider, discipline: str) -> None:
        rng, key = self.rng, provider.spec.location
        specs = [c for c in data.CASES if c.discipline == discipline
                 and set(c.payers) & set(data.LOCATION_PAYERS[key])]
        spec = rng.choice(specs)
        first_day, today = self.days[key][0], self.now.astimezone(self.zones[key]).date()
        new = rng.random() < 0.25
        if new:  # opened during the demo weeks: their first visit is an assessment
            opened = first_day + timedelta(days=rng.randint(0, max(0, (today - first_day).days)))
        else:
            opened = first_day - timedelta(days=rng.randint(10, 150))
        case = self._case(client, spec, provider, opened)
        self.cases.append(_CaseInfo(case, client, spec, provider, opened, assessed=not new))

    def _closed_case(self, client: Client, provider: _Provider) -> None:
        specs = [c for c in data.CLOSED_CASES if c.discipline in provider.spec.disciplines]
        if not specs:
            return
        spec = self.rng.choice(specs)
        opened = self.days[provider.spec.location][0] - timedelta(days=self.rng.randint(240, 600))
        case = self._case(client, spec, provider, opened)
        case.closed_on = opened + timedelta(days=self.rng.randint(30, 90))
        self.closed_cases += 1

    def _case(self, client: Client, spec: data.CaseSpec, provider: _Provider, opened: date) -> Case:
        rng, key = self.rng, provider.spec.location
        payer_key = rng.choice([p for p in spec.payers if p in data.LOCATION_PAYERS[key]] or ["self"])
        if client.created_at is None or opened < client.created_at.date():
            client.created_at = to_utc(opened, time(10), self.zones[key])  # a client since the first case
        case = Case(
            client=client, title=spec.title, discipline=self.disciplines[spec.discipline],
            payer=self.payers[payer_key], provider=provider.member, opened_on=opened,
            referral_source=rng.choice(data.REFERRAL_SOURCES),
            prescriber=rng.choice(data.PRESCRIBERS) if spec.post_surgical or rng.random() < 0.2 else None,
        )
        self._authorise(case, payer_key, opened)
        db.session.add(case)
        return case

    def _authorise(self, case: Case, payer_key: str, opened: date) -> None:
        """Insurers pay against a claim with a visit (or money) limit and an expiry."""
        digits = str(self.rng.randint(100000, 999999))
        if payer_key == "mva":
            case.claim_number = f"LM-{opened:%y}-{digits}"
            case.authorised_visits = self.rng.choice((12, 16, 20))
            case.authorisation_expires_on = opened + timedelta(days=180)
        elif payer_key == "wsib":
            case.claim_number, case.authorised_visits = f"3{digits}{self.rng.randint(0, 9)}", 12
            case.authorisation_expires_on = opened + timedelta(weeks=10)
        elif payer_key == "ehb":
            case.claim_number, case.authorised_amount = f"MEH-{digits}-01", Decimal("750.00")
            case.authorisation_expires_on = opened + timedelta(days=365)
        elif payer_key == "tejo":
            case.claim_number, case.authorised_visits = f"ST-{digits}", 10
            case.authorisation_expires_on = opened + timedelta(days=180)

    # --- working time -------------------------------------------------------------
    def _add_shifts(self) -> None:
        for provider in self.providers:
            week = {wd: (spec, "Lunch") for wd, spec in provider.spec.week.items()}
            self._shifts(provider.calendar, provider.spec.location, week)
        for resource in data.RESOURCES:
            calendar = next(c for c in self.resources[resource.location] if c.name == resource.name)
            self._shifts(calendar, resource.location, {wd: (resource.hours, "Cleaning") for wd in range(5)})

    def _shifts(self, calendar: Calendar, key: str, week: dict) -> None:
        pattern = str(uuid.uuid5(uuid.NAMESPACE_URL, f"plinth-demo:{key}:{calendar.name}"))
        for day in self.shift_days[key]:
            if day.weekday() not in week:
                continue
            spec, label = week[day.weekday()]
            breaks = [] if spec.break_start is None else [
                ShiftBreak(start_time=spec.break_start, end_time=spec.break_end, label=label)]
            db.session.add(Shift(calendar=calendar, day=day, start_time=spec.start, end_time=spec.end,
                                 pattern_id=pattern, breaks=breaks))
            self.hours[(id(calendar), day)] = _Hours(
                _minutes(spec.start), _minutes(spec.end),
                tuple((_minutes(b.start_time), _minutes(b.end_time)) for b in breaks))
            self.shift_count += 1

    # --- appointments -------------------------------------------------------------
    def _add_appointments(self) -> None:
        # Day by day across all providers, so rooms go to whoever asks first that day.
        for key, days in self.days.items():
            for day in days:
                for provider in (p for p in self.providers if p.spec.location == key):
                    self._fill_day(provider, day)
        for rebooks in self.pending.values():  # moved past the demo weeks: call it a cancellation
            for rebook in rebooks:
                rebook.original.status = AppointmentStatus.canceled

    def _fill_day(self, provider: _Provider, day: date) -> None:
        hours = self.hours.get((id(provider.calendar), day))
        if hours is None:
            return
        target = self.rng.randint(5, 8)  # a few will be canceled or moved, leaving 4–8
        free = sum(b - a for a, b in hours.windows())
        spare_gap = max(0, free - target * 45) // (target + 1)  # spreads visits over the day
        placed = 0
        for a, b in hours.windows():
            t = a + self._gap(spare_gap)
            while placed < target and t < b:
                end = self._book_one(provider, day, t, b)
                if end is None:
                    t += 15
                    continue
                placed += 1
                t = end + self._gap(spare_gap)

    def _gap(self, spare: int) -> int:
        return 15 * self.rng.randint(0, (2 * spare) // 15) if spare >= 15 else 0

    def _book_one(self, provider: _Provider, day: date, t: int, window_end: int) -> int | None:
        """Book the first candidate that fits at ``t``; its end (minutes) or None."""
        due = [r for r in self.pending[id(provider)] if r.due <= day]
        for rebook in due:
            if self._fits(rebook.info, rebook.session_type, day, t, window_end):
                self.pending[id(provider)].remove(rebook)
                return self._place(rebook.info, rebook.session_type, day, t, rebook.original)
        for info in self._candidates(provider, day):
            for session_type in self._session_options(info):
                if self._fits(info, session_type, day, t, window_end):
                    return self._place(info, session_type, day, t, None)
        return None

    def _candidates(self, provider: _Provider, day: date) -> list[_CaseInfo]:
        mine = [i for i in self.cases if i.provider is provider and i.opened_on <= day
                and not i.pending_rebook]
        # Whoever was seen least recently comes first; ties broken at random.
        return sorted(mine, key=lambda i: (i.last_seen, self.rng.random()))[:4]

    def _session_options(self, info: _CaseInfo) -> list[SessionType]:
        st, rng, discipline = self.session_types, self.rng, info.spec.discipline
        if discipline == data.MASSAGE:
            return [st["mt_90"], st["mt_60"]] if rng.random() < 0.3 else [st["mt_60"]]
        if discipline == data.CHIRO:
            return [st["dc_adjustment"] if info.assessed else st["dc_initial"]]
        if not info.assessed:
            return [st["pt_initial"]]
        if info.spec.post_surgical and rng.random() < 0.7:
            return [st["pt_post_surgical"], st["pt_follow_45"], st["pt_follow_30"]]
        if info.spec.shockwave and rng.random() < 0.3:
            return [st["pt_shockwave"], st["pt_follow_30"]]
        return [st["pt_follow_45"], st["pt_follow_30"]] if rng.random() < 0.4 else [st["pt_follow_30"]]

    def _fits(self, info: _CaseInfo, session_type: SessionType, day: date, t: int, window_end: int) -> bool:
        end = t + session_type.duration_minutes
        if end > window_end or info.opened_on > day:
            return False
        visits = self.client_busy[(id(info.client), day)]
        if any(who == id(info.provider) or (t < b and a < end) for a, b, who in visits):
            return False  # one visit per provider a day, and never in two places at once
        return all(cal is not None for cal in self._resources_for(info, session_type, day, t, end))

    def _resources_for(self, info: _CaseInfo, session_type: SessionType, day: date, t: int,
                       end: int) -> list[Calendar | None]:
        """The room and/or equipment the session needs, None where none is free."""
        key = info.provider.spec.location
        wanted = [(session_type.needs_room, CalendarKind.room),
                  (session_type.needs_equipment, CalendarKind.equipment)]
        return [self._free_resource(key, kind, session_type.discipline, day, t, end)
                for needed, kind in wanted if needed]

    def _free_resource(self, key: str, kind: CalendarKind, discipline: Discipline, day: date,
                       t: int, end: int) -> Calendar | None:
        # Specialised rooms first: a rehab session takes the gym before the general room.
        for calendar in sorted(self.resources[key], key=lambda c: len(c.disciplines)):
            hours = self.hours.get((id(calendar), day))
            if (calendar.kind == kind and discipline in calendar.disciplines and hours is not None
                    and hours.covers(t, end) and self._is_free(calendar, day, t, end)):
                return calendar
        return None

    def _is_free(self, calendar: Calendar, day: date, t: int, end: int) -> bool:
        return all(end <= a or t >= b for a, b in self.busy[(id(calendar), day)])

    def _place(self, info: _CaseInfo, session_type: SessionType, day: date, t: int,
               rebooked_from: Appointment | None) -> int:
        rng, key, provider = self.rng, info.provider.spec.location, info.provider
        end = t + session_type.duration_minutes
        calendars = [provider.calendar, *self._resources_for(info, session_type, day, t, end)]
        zone = self.zones[key]
        starts_at, ends_at = to_utc(day, _clock(t), zone), to_utc(day, _clock(end), zone)
        status = self._status(starts_at, ends_at)
        online = session_type.online_bookable and rng.random() < 0.2
        created_at = min(self.now, starts_at - timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8)))
        if rebooked_from is not None:
            created_at = max(created_at, rebooked_from.created_at)
        appointment = Appointment(
            case=info.case, location=provider.calendar.location, session_type=session_type,
            starts_at=starts_at, ends_at=ends_at, status=status,
            booked_via=BookedVia.online if online else BookedVia.staff,
            created_by=None if online else self._booker(provider),
            notes=rng.choice(data.APPOINTMENT_NOTES) if rng.random() < 0.08 else None,
            rebooked_from=rebooked_from, created_at=created_at,
            occupancies=[Occupancy(calendar=c, starts_at=starts_at, ends_at=ends_at, exclusive=True,
                                   active=status not in RELEASED) for c in calendars],
        )
        db.session.add(appointment)
        self.appointments.append(appointment)
        for calendar in calendars:  # released time stays blocked here too, to keep it simple
            self.busy[(id(calendar), day)].append((t, end))
        self.client_busy[(id(info.client), day)].append((t, end, id(provider)))
        info.last_seen, info.pending_rebook = day, False
        if status in KEPT:
            info.assessed = True
        if status == AppointmentStatus.rebooked:
            info.pending_rebook = True
            self.pending[id(provider)].append(
                _Rebook(appointment, info, session_type, day + timedelta(days=rng.randint(1, 6))))
        return end

    def _status(self, starts_at: datetime, ends_at: datetime) -> AppointmentStatus:
        if starts_at <= self.now < ends_at:
            return AppointmentStatus.arrived
        table = PAST_STATUSES if ends_at <= self.now else FUTURE_STATUSES
        statuses, weights = zip(*table)
        return self.rng.choices(statuses, weights)[0]

    def _booker(self, provider: _Provider) -> User:
        if provider.spec.location == data.TORONTO and self.rng.random() < 0.7:
            return self.users["frontdesk"]
        return provider.member.user if self.rng.random() < 0.6 else self.users["manager"]
