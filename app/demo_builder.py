"""The demo clinic's rows (`flask seed-demo`, ``app/demo.py``): locations, team,
rooms and equipment, catalogue, payers, clients and cases, shifts, then the demo weeks'
appointments (``demo_visits.VisitLayout``) and the other areas' demo rows (billing,
history, messaging, clinical). A ``random.Random`` seeded with the date makes it
repeatable for a given ``now``.
"""
from __future__ import annotations

import random
import unicodedata
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_appbuilder.security.sqla.models import User

from app import demo_data as data
from app.demo_visits import CaseInfo, Hours, Provider, Rebook, VisitLayout, minutes
from app.extensions import db
from app.models import (
    Appointment, BillingItem, Calendar, CalendarKind, Case, Client,
    Discipline, Location, Payer, PayerKind, SessionType, SessionTypeBillingItem,
    Shift, ShiftBreak, TeamMember,
)
from app.security import ADMIN, FRONT_DESK, MANAGER, PROVIDER
from app.setup import team
from app.setup.team import provision_provider_calendars
from app.timeutil import UTC, to_utc

# Every demo calendar keeps the default booking horizon; shifts must reach its end.
SHIFT_HORIZON_DAYS = Calendar.__table__.c.booking_horizon_days.default.arg


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class ClinicBuilder(VisitLayout):
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
        self.providers: list[Provider] = []
        self.resources: dict[str, list[Calendar]] = defaultdict(list)  # location key → rooms, equipment
        self.session_types: dict[str, SessionType] = {}
        self.payers: dict[str, Payer] = {}
        self.cases: list[CaseInfo] = []
        self.hours: dict[tuple[int, date], Hours] = {}  # (id(calendar), day)
        self.busy: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
        self.client_busy: dict[tuple[int, date], list[tuple[int, int, int]]] = defaultdict(list)
        self.pending: dict[int, list[Rebook]] = defaultdict(list)  # id(provider) → rebooks
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
            "admin", "Alex", "Admin", ADMIN, data.ADMIN_PASSWORD)
        manager = self._user("manager", "Rebecca", "Moreau", MANAGER, data.MANAGER_PASSWORD)
        frontdesk = self._user("frontdesk", "Jordan", "Lee", FRONT_DESK, data.FRONT_DESK_PASSWORD)
        tor, lis = self.locations[data.TORONTO], self.locations[data.LISBON]
        db.session.add_all([
            TeamMember(user=manager, display_name="Rebecca Moreau", title="Clinic manager",
                       locations=[tor, lis]),
            TeamMember(user=frontdesk, display_name="Jordan Lee", title="Front desk", locations=[tor]),
        ])
        self.users.update(manager=manager, frontdesk=frontdesk)

    def _user(self, username: str, first: str, last: str, role: str, password: str) -> User:
        return team.new_login(
            username=username, email=f"{_ascii(first)}.{_ascii(last)}@{data.STAFF_EMAIL_DOMAIN}",
            password=password, first_name=first, last_name=last, role_name=role,
        )

    def _add_providers(self) -> None:
        for spec in data.PROVIDERS:
            user = self._user(spec.username, spec.first_name, spec.last_name, PROVIDER, data.PROVIDER_PASSWORD)
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
            self.providers.append(Provider(spec, member, calendar))

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
        rng, spec = self.rng, data.location_spec(key)
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

    def _open_case(self, client: Client, provider: Provider, discipline: str) -> None:
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
        self.cases.append(CaseInfo(case, client, spec, provider, opened, assessed=not new))

    def _closed_case(self, client: Client, provider: Provider) -> None:
        specs = [c for c in data.CLOSED_CASES if c.discipline in provider.spec.disciplines]
        if not specs:
            return
        spec = self.rng.choice(specs)
        opened = self.days[provider.spec.location][0] - timedelta(days=self.rng.randint(240, 600))
        case = self._case(client, spec, provider, opened)
        case.closed_on = opened + timedelta(days=self.rng.randint(30, 90))
        self.closed_cases += 1

    def _case(self, client: Client, spec: data.CaseSpec, provider: Provider, opened: date) -> Case:
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
            self.hours[(id(calendar), day)] = Hours(
                minutes(spec.start), minutes(spec.end),
                tuple((minutes(b.start_time), minutes(b.end_time)) for b in breaks))
            self.shift_count += 1
