"""The demo clinic's past: months of visits before the demo weeks, so reports have
something to show (`flask seed-demo --history-months N`, default 6).

Written with bulk INSERTs (one statement per table and batch, ids read back with
RETURNING), not one ORM flush per row, so ``./scripts/run`` still seeds quickly. Rows
written this way skip the audit trail (it records people's changes; this is invented
history) and the billing services; they keep the same invariants instead:

* shifts (with lunch) on every working day of each calendar, same repeat pattern as the
  demo weeks; visits inside them, outside breaks, never overlapping on a calendar;
* each patient has one course of treatment (a case) at a time, seen at most every
  third day; a course starts with its discipline's initial visit, then follow-ups;
* statuses are outcomes: paid (invoiced on the day, paid at the desk), no-show, and
  cancellations (some late, with the moment they were made); no rebooking;
* seasonality: quieter in summer and over the holidays, busier in autumn and January.
"""
from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert

from app import demo_data as data
from app.extensions import db
from app.models import (Appointment, AppointmentStatus, BookedVia, Case, Charge, Invoice, InvoiceLine, InvoiceSequence,
                        Occupancy, Payment, PaymentAllocation, PaymentMethod, Shift, ShiftBreak)
from app.models.billing import ChargeKind, InvoiceKind
from app.models.settings import clinic_settings
from app.timeutil import to_utc

S = AppointmentStatus
SEASON = {1: 1.1, 2: 1.0, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.8, 7: 0.65, 8: 0.6, 9: 1.05, 10: 1.1, 11: 1.0, 12: 0.75}
OUTCOMES = ((S.paid, 82), (S.no_show, 7), (S.canceled, 11))
REFERRALS = ("Family doctor", "Google search", "Friend or family", "Sports club", "Insurer", None)
FIRST = {data.PHYSIO: ("pt_initial",), data.CHIRO: ("dc_initial",), data.MASSAGE: ("mt_60",)}
LATER = {data.PHYSIO: ("pt_follow_30", "pt_follow_30", "pt_follow_45"), data.CHIRO: ("dc_adjustment",),
         data.MASSAGE: ("mt_60", "mt_60", "mt_90")}
MIN_DAYS_BETWEEN_VISITS = 3


@dataclass
class _Course:
    client: object
    provider: object
    case_row: dict
    planned: int
    visits: int = 0
    last: date = date.min


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _insert(model, rows: list[dict]) -> list[int]:
    """Bulk insert; the new ids in the order of ``rows``."""
    if not rows:
        return []
    result = db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


class History:
    def __init__(self, builder, months: int) -> None:
        self.b = builder
        self.rng = random.Random(f"plinth-demo-history:{builder.now.date().isoformat()}")
        self.months = months
        self.counts = defaultdict(int)

    def build(self) -> dict[str, int]:
        if self.months <= 0:
            return {}
        clients = defaultdict(list)
        for info in self.b.cases:
            if info.client not in clients[info.provider.spec.location]:
                clients[info.provider.spec.location].append(info.client)
        for key in self.b.locations:
            first_demo_day = self.b.days[key][0]
            start = first_demo_day - timedelta(days=round(self.months * 30.44))
            days = [start + timedelta(days=n) for n in range((first_demo_day - start).days)]
            self._shifts(key, days)
            self._visits(key, [d for d in days if d.weekday() < 5], clients[key])
        return {"history visits": self.counts["appointments"], "history invoices": self.counts["invoices"]}

    # --- shifts -------------------------------------------------------------------
    def _shifts(self, key: str, days: list[date]) -> None:
        calendars = [(p.calendar, {wd: spec for wd, spec in p.spec.week.items()}, "Lunch")
                     for p in self.b.providers if p.spec.location == key]
        for resource in data.RESOURCES:
            if resource.location == key:
                calendar = next(c for c in self.b.resources[key] if c.name == resource.name)
                calendars.append((calendar, {wd: resource.hours for wd in range(5)}, "Cleaning"))
        rows, breaks = [], []
        for calendar, week, label in calendars:
            pattern = str(uuid.uuid5(uuid.NAMESPACE_URL, f"plinth-demo:{key}:{calendar.name}"))
            for day in days:
                spec = week.get(day.weekday())
                if spec is None:
                    continue
                rows.append({"calendar_id": calendar.id, "day": day, "start_time": spec.start, "end_time": spec.end,
                             "pattern_id": pattern})
                breaks.append(None if spec.break_start is None else (spec.break_start, spec.break_end, label))
        ids = _insert(Shift, rows)
        _insert(ShiftBreak, [{"shift_id": i, "start_time": b[0], "end_time": b[1], "label": b[2]}
                             for i, b in zip(ids, breaks) if b is not None])
        self.counts["shifts"] += len(ids)

    # --- visits -------------------------------------------------------------------
    def _visits(self, key: str, days: list[date], clients: list) -> None:
        zone = self.b.zones[key]
        location = self.b.locations[key]
        providers = [p for p in self.b.providers if p.spec.location == key]
        courses: dict[int, _Course] = {}  # id(client) → the course under way
        planned: list[tuple[_Course, object, datetime, datetime]] = []
        for day in days:
            seen_today: set[int] = set()
            for provider in self.rng.sample(providers, len(providers)):
                spec = provider.spec.week.get(day.weekday())
                if spec is None:
                    continue
                windows = [(_minutes(spec.start), _minutes(spec.break_start or spec.end)),
                           (_minutes(spec.break_end or spec.end), _minutes(spec.end))]
                target = max(0, round(self.rng.gauss(5, 1.2) * SEASON[day.month]))
                for a, b in windows:
                    t = a + 15 * self.rng.randint(0, 2)
                    while target > 0 and t < b:
                        course = self._course_for(provider, day, clients, courses, seen_today)
                        if course is None:
                            break
                        session_type = self._session_type(provider, course)
                        end = t + session_type.duration_minutes
                        if end > b:
                            break
                        starts_at, ends_at = to_utc(day, time(t // 60, t % 60), zone), to_utc(day, time(end // 60, end % 60), zone)
                        planned.append((course, session_type, starts_at, ends_at))
                        course.visits += 1
                        course.last = day
                        seen_today.add(id(course.client))
                        target -= 1
                        t = end + 15 * self.rng.randint(0, 3)
        self._write(location, planned)

    def _course_for(self, provider, day, clients, courses, seen_today) -> _Course | None:
        ready = [c for c in courses.values() if c.provider is provider and id(c.client) not in seen_today
                 and (day - c.last).days >= MIN_DAYS_BETWEEN_VISITS and c.visits < c.planned]
        if ready:
            return min(ready, key=lambda c: (c.last, self.rng.random()))
        free = [c for c in clients if id(c) not in seen_today and (
            id(c) not in courses or (courses[id(c)].visits >= courses[id(c)].planned
                                     and (day - courses[id(c)].last).days >= MIN_DAYS_BETWEEN_VISITS))]
        if not free:
            return None
        client = self.rng.choice(free)
        discipline = provider.spec.disciplines[0]
        case_row = {"client_id": client.id, "discipline_id": self.b.disciplines[discipline].id,
                    "provider_id": provider.member.id, "opened_on": day,
                    "title": {data.PHYSIO: "Earlier physiotherapy", data.CHIRO: "Earlier chiropractic care",
                              data.MASSAGE: "Earlier massage therapy"}.get(discipline, "Earlier episode"),
                    "referral_source": self.rng.choice(REFERRALS)}
        course = _Course(client, provider, case_row, planned=self.rng.randint(3, 10))
        courses[id(client)] = course
        return course

    def _session_type(self, provider, course: _Course):
        discipline = provider.spec.disciplines[0]
        keys = FIRST[discipline] if course.visits == 0 else LATER[discipline]
        return self.b.session_types[self.rng.choice(keys)]

    def _write(self, location, planned) -> None:
        courses = list({id(c): c for c, *_ in planned}.values())
        for course in courses:
            course.case_row["closed_on"] = course.last
        case_ids = dict(zip([id(c) for c in courses], _insert(Case, [c.case_row for c in courses])))
        rows, outcomes = [], []
        for course, session_type, starts_at, ends_at in planned:
            status = self.rng.choices([s for s, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
            late = status == S.canceled and self.rng.random() < 0.4
            booked_at = starts_at - timedelta(days=self.rng.randint(2, 21))
            changed = (starts_at - timedelta(hours=self.rng.randint(1, 23)) if late
                       else starts_at - timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 12))
                       if status == S.canceled else ends_at)
            rows.append({"case_id": case_ids[id(course)], "location_id": location.id, "session_type_id": session_type.id,
                         "starts_at": starts_at, "ends_at": ends_at, "status": status, "booked_via": BookedVia.staff,
                         "notify": True, "late_cancel": late, "created_at": min(booked_at, changed),
                         "updated_at": changed, "version": 1})
            outcomes.append((course, session_type, status))
        ids = _insert(Appointment, rows)
        _insert(Occupancy, [{"appointment_id": i, "calendar_id": course.provider.calendar.id, "starts_at": r["starts_at"],
                             "ends_at": r["ends_at"], "exclusive": True, "active": status != S.canceled}
                            for i, r, (course, _, status) in zip(ids, rows, outcomes)])
        self.counts["appointments"] += len(ids)
        self._bill(location, [(i, r, o) for i, r, o in zip(ids, rows, outcomes) if o[2] == S.paid])

    def _bill(self, location, paid) -> None:
        """Each paid visit: its session charge, an invoice issued that day, a payment."""
        if not paid:
            return
        sequence = db.session.get(InvoiceSequence, location.id)
        if sequence is None:  # numbers continue after the demo weeks' invoices
            sequence = InvoiceSequence(location_id=location.id, next_number=1)
            db.session.add(sequence)
        first = sequence.next_number
        settings = clinic_settings()
        zone = self.b.zones[next(k for k, v in self.b.locations.items() if v is location)]
        charges, invoices, lines = [], [], []
        for n, (appointment_id, row, (course, session_type, _)) in enumerate(paid):
            day = row["starts_at"].astimezone(zone).date()
            price = Decimal(session_type.price)
            member = course.provider.member
            charges.append({"case_id": row["case_id"], "appointment_id": appointment_id, "provider_id": member.id,
                            "kind": ChargeKind.service, "description": session_type.name, "quantity": Decimal(1),
                            "unit_price": price, "tax_rate": Decimal(0), "is_default": True,
                            "created_at": row["ends_at"]})
            client = course.client
            invoices.append({"kind": InvoiceKind.invoice, "location_id": location.id, "sequence": first + n,
                             "number": f"{location.invoice_prefix}{first + n:06d}", "case_id": row["case_id"],
                             "client_id": client.id, "issued_at": row["ends_at"], "issued_on": day,
                             "currency": settings.currency or "CAD", "subtotal": price, "tax_total": Decimal(0),
                             "total": price, "snapshot": {
                                 "clinic": {"name": settings.clinic_name, "legal_name": settings.legal_name},
                                 "location": {"name": location.name, "tax_id": location.tax_id},
                                 "client": {"name": client.full_name},
                                 "bill_to": {"kind": "client", "name": client.full_name},
                                 "claim_number": None, "credits": None,
                                 "providers": [{"name": member.display_name, "title": member.title,
                                                "registration_number": member.registration_number}]}})
            lines.append((day, session_type.name, member.display_name, price))
        invoice_ids = _insert(Invoice, invoices)
        charge_ids = _insert(Charge, [c | {"invoice_id": i} for c, i in zip(charges, invoice_ids)])
        _insert(InvoiceLine, [{"invoice_id": i, "position": 1, "charge_id": c, "service_date": day,
                               "description": name, "provider": who, "quantity": Decimal(1), "unit_price": price,
                               "tax_rate": Decimal(0), "net": price, "tax": Decimal(0), "total": price}
                              for i, c, (day, name, who, price) in zip(invoice_ids, charge_ids, lines)])
        payment_ids = _insert(Payment, [{"client_id": inv["client_id"], "location_id": location.id,
                                         "method": self.rng.choice([PaymentMethod.card, PaymentMethod.card, PaymentMethod.cash]),
                                         "amount": inv["total"], "received_on": inv["issued_on"],
                                         "created_at": inv["issued_at"]} for inv in invoices])
        _insert(PaymentAllocation, [{"payment_id": p, "invoice_id": i, "amount": inv["total"],
                                     "created_at": inv["issued_at"]}
                                    for p, i, inv in zip(payment_ids, invoice_ids, invoices)])
        sequence.next_number = first + len(invoices)
        db.session.flush()
        self.counts["invoices"] += len(invoices)


def seed(builder, months: int) -> dict[str, int]:
    return History(builder, months).build()

