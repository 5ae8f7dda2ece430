"""A large, deterministic clinic for the scheduling benchmark (not a test fixture).

Two locations (America/Toronto, Europe/Lisbon), each with 20 provider calendars, 7 rooms
and 3 pieces of equipment, all accepting one discipline; a 90-day horizon of weekday
shifts with one break each; about 12 appointments per provider per working day (each
holding its provider and sometimes a room or a piece of equipment), never overlapping
within a calendar (buffers included), always inside shifts and outside breaks and time
blocks; time blocks (weekly meetings, vacations, room maintenance).

Everything is written with SQLAlchemy Core ``insert()`` and lists of dicts (no ORM
objects, so no audit trail either), from one seeded ``random.Random``: the same seed
gives the same rows on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.generate sqlite:////tmp/plinth_bench.db
    .venv/bin/python -m bench.generate postgresql://postgres@127.0.0.1:5432/plinth_bench

The command migrates the (empty) database to the current schema first.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from app.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    Calendar,
    CalendarKind,
    Case,
    Client,
    Discipline,
    Location,
    Occupancy,
    OverlapPolicy,
    SessionType,
    Shift,
    ShiftBreak,
    TimeBlock,
)
from app.models.calendars import calendar_discipline
from app.scheduling import intervals as iv
from app.timeutil import to_utc

SEED = 20260401
FIRST_DAY = date(2026, 3, 2)   # a Monday. Toronto springs forward on 8 Mar, Lisbon on 29 Mar:
HORIZON_DAYS = 90              # both DST changes fall inside the horizon (2 Mar – 30 May 2026).
TODAY = date(2026, 4, 1)       # the benchmark's "today" (a Wednesday, a month into the data)
LOCATIONS = (("Bench Toronto", "America/Toronto", "TOR-"), ("Bench Lisboa", "Europe/Lisbon", "LIS-"))
PROVIDERS_PER_LOCATION, ROOMS_PER_LOCATION, EQUIPMENT_PER_LOCATION = 20, 7, 3
APPOINTMENTS_PER_DAY = 12      # the most a provider gets a day; gaps make it ~11 on average
CLIENTS = 2000
# name, minutes, needs_room. The last two are the benchmark's 50-minute session types.
SESSION_TYPES = (
    ("Follow-up 30", 30, False),
    ("Treatment 45", 45, False),
    ("Assessment 60", 60, False),
    ("Bench 50", 50, False),
    ("Bench 50 with room", 50, True),
)
DURATIONS = (30, 30, 30, 30, 30, 45, 60)        # of the generated appointments
GAPS = (0, 0, 0, 0, 0, 0, 0, 0, 15, 30)       # minutes left free before an appointment
P_ROOM, P_EQUIPMENT, P_CANCELED, P_ONLINE = 0.35, 0.06, 0.05, 0.2
GRID = 15


@dataclass
class _Cal:
    id: int
    kind: CalendarKind
    location: int  # index into LOCATIONS
    zone: str
    buffer_before: int = 0
    buffer_after: int = 0
    # per local date: working intervals (UTC) and, for rooms/equipment, what is taken
    working: dict[date, list] = field(default_factory=dict)
    blocks: list = field(default_factory=list)
    taken: dict[date, list] = field(default_factory=dict)


def weekdays(first: date = FIRST_DAY, days: int = HORIZON_DAYS) -> list[date]:
    return [first + timedelta(days=n) for n in range(days) if (first + timedelta(days=n)).weekday() < 5]


def _overlaps(intervals, start, end) -> bool:
    return any(s < end and start < e for s, e in intervals)


def _ceil_grid(t: datetime) -> datetime:
    # Both zones are whole hours from UTC, so the UTC quarter-hour grid is the local one.
    extra = t.minute % GRID
    if extra or t.second or t.microsecond:
        t = t.replace(second=0, microsecond=0) + timedelta(minutes=GRID - extra)
    return t


def _add_minutes(t: time, minutes: int) -> time:
    total = t.hour * 60 + t.minute + minutes
    return time(total // 60, total % 60)


def _insert_returning_ids(conn: Connection, table, rows: list[dict]) -> list[int]:
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def generate(conn: Connection, *, seed: int = SEED, first_day: date = FIRST_DAY,
             horizon_days: int = HORIZON_DAYS, today: date = TODAY, clinic: int = 0,
             one_location: bool = False) -> dict:
    """Write the clinic through ``conn`` (the caller commits) and return ids and counts.
    ``clinic`` > 0 adds another clinic's data (own locations, discipline, session types,
    clients, calendars; names suffixed, its own random sequence) to a database that
    already holds clinic 0, to measure reads with other tenants' rows around.
    ``one_location`` puts all 60 calendars at the first location (its zone): the grid
    benchmark's 60-column day."""
    if not clinic and conn.scalar(select(func.count()).select_from(Calendar.__table__)):
        raise RuntimeError("the database already has calendars; generate into an empty one")
    rng = random.Random(seed + clinic)
    suffix = f" #{clinic}" if clinic else ""
    days = weekdays(first_day, horizon_days)

    # --- locations, discipline, session types, clients and cases -----------------------
    location_ids = _insert_returning_ids(conn, Location.__table__, [
        {"name": name + suffix, "timezone": zone, "invoice_prefix": prefix, "active": True}
        for name, zone, prefix in LOCATIONS])
    (discipline_id,) = _insert_returning_ids(conn, Discipline.__table__, [{"name": "Physiotherapy" + suffix, "colour": "#2e86c1"}])
    session_type_ids = _insert_returning_ids(conn, SessionType.__table__, [
        {"name": name + suffix, "category": "Physiotherapy", "discipline_id": discipline_id, "duration_minutes": minutes,
         "price": Decimal("90.00"), "colour": "#3a87ad", "online_bookable": True, "for_new_clients": True,
         "for_returning_clients": True, "needs_room": needs_room, "needs_equipment": False, "active": True}
        for name, minutes, needs_room in SESSION_TYPES])
    type_by_minutes = {minutes: sid for (_, minutes, _), sid in zip(SESSION_TYPES, session_type_ids)}
    client_ids = _insert_returning_ids(conn, Client.__table__, [
        {"first_name": f"Client{n:04d}", "last_name": "Bench", "email": f"client{n:04d}@example.com",
         "online_booking_blocked": False, "home_location_id": location_ids[n % 2],
         "created_at": to_utc(first_day, time(9), "UTC") - timedelta(days=30)}
        for n in range(CLIENTS)])
    case_ids = _insert_returning_ids(conn, Case.__table__, [
        {"client_id": cid, "title": "Low back pain", "discipline_id": discipline_id,
         "opened_on": first_day - timedelta(days=30)} for cid in client_ids])

    # --- calendars ---------------------------------------------------------------------
    cal_rows, cals = [], []
    for li, (loc_name, zone, prefix) in enumerate(LOCATIONS):
        if one_location:
            li, zone = 0, LOCATIONS[0][1]
        for kind, count, label in ((CalendarKind.provider, PROVIDERS_PER_LOCATION, "Provider"),
                                   (CalendarKind.room, ROOMS_PER_LOCATION, "Room"),
                                   (CalendarKind.equipment, EQUIPMENT_PER_LOCATION, "Equipment")):
            for n in range(count):
                before = 5 if kind == CalendarKind.provider and n % 5 == 2 else 0
                after = 10 if kind == CalendarKind.provider and n % 4 == 1 else 0
                cal_rows.append({
                    "name": f"{prefix}{label} {n + 1:02d}", "kind": kind, "location_id": location_ids[li],
                    "colour": "#3a87ad", "sort_order": n, "active": True, "overlap_policy": OverlapPolicy.never,
                    "online_enabled": kind == CalendarKind.provider, "lead_time_minutes": 120,
                    "buffer_before_minutes": before, "buffer_after_minutes": after,
                    "cancellation_window_hours": 24, "booking_horizon_days": 90,
                })
                cals.append(_Cal(0, kind, li, zone, before, after))
    for cal, cid in zip(cals, _insert_returning_ids(conn, Calendar.__table__, cal_rows)):
        cal.id = cid
    conn.execute(insert(calendar_discipline), [{"calendar_id": c.id, "discipline_id": discipline_id} for c in cals])

    # --- shifts with one break each ----------------------------------------------------------
    shift_rows, break_specs = [], []
    for cal in cals:
        if cal.kind == CalendarKind.provider:
            start = rng.choice((time(7, 30), time(8), time(8, 30), time(9)))
            end = _add_minutes(start, rng.choice((570, 600)))  # 9.5 or 10 h
            break_start = _add_minutes(start, rng.choice((240, 270)))
            break_end = _add_minutes(break_start, rng.choice((30, 30, 30, 60)))
        elif cal.kind == CalendarKind.room:
            start, end, break_start, break_end = time(7), time(20), time(13, 45), time(14)
        else:
            start, end, break_start, break_end = time(7), time(20), time(12), time(12, 30)
        for day in days:
            shift_rows.append({"calendar_id": cal.id, "day": day, "start_time": start, "end_time": end})
            break_specs.append((break_start, break_end))
            shift_utc = (to_utc(day, start, cal.zone), to_utc(day, end, cal.zone))
            break_utc = (to_utc(day, break_start, cal.zone), to_utc(day, break_end, cal.zone))
            cal.working[day] = iv.subtract([shift_utc], [break_utc])
    shift_ids = _insert_returning_ids(conn, Shift.__table__, shift_rows)
    conn.execute(insert(ShiftBreak.__table__), [
        {"shift_id": sid, "start_time": b0, "end_time": b1, "label": "Lunch"}
        for sid, (b0, b1) in zip(shift_ids, break_specs)])

    # --- time blocks -----------------------------------------------------------------------
    block_rows = []

    def block(cal: _Cal, start: datetime, end: datetime, reason: str) -> None:
        cal.blocks.append((start, end))
        block_rows.append({"calendar_id": cal.id, "starts_at": start, "ends_at": end, "reason": reason})

    for index, cal in enumerate(cals):
        if cal.kind == CalendarKind.provider:
            if index % 2 == 0:  # a weekly team meeting on Wednesdays
                for day in days:
                    if day.weekday() == 2:
                        block(cal, to_utc(day, time(13), cal.zone), to_utc(day, time(14), cal.zone), "Team meeting")
            if rng.random() < 0.3:  # a week of vacation
                first = rng.choice(days)
                block(cal, to_utc(first, time(0), cal.zone), to_utc(first + timedelta(days=7), time(0), cal.zone),
                      "Vacation")
        else:  # maintenance every other week, on a random weekday afternoon
            for week in range(0, len(days), 10):
                day = days[min(len(days) - 1, week + rng.randrange(5))]
                block(cal, to_utc(day, time(15), cal.zone), to_utc(day, time(17), cal.zone), "Maintenance")
    if block_rows:
        conn.execute(insert(TimeBlock.__table__), block_rows)
    for cal in cals:
        cal.blocks.sort()

    # --- appointments and their occupancies ------------------------------------------------
    by_location = {li: {kind: [c for c in cals if c.location == li and c.kind == kind] for kind in CalendarKind}
                   for li in range(len(LOCATIONS))}
    appointment_rows, occupancy_specs = [], []  # occupancy: (appointment index, calendar id, start, end, active)

    def free_resource(options: list[_Cal], day: date, start: datetime, end: datetime) -> _Cal | None:
        for res in rng.sample(options, len(options)):
            if (iv.covers(res.working[day], start, end) and not _overlaps(res.blocks, start, end)
                    and not _overlaps(res.taken.setdefault(day, []), start, end)):
                return res
        return None

    for day in days:
        for provider in by_location[0][CalendarKind.provider] + by_location[1][CalendarKind.provider]:
            bb, ba = timedelta(minutes=provider.buffer_before), timedelta(minutes=provider.buffer_after)
            placed, previous_end = 0, None
            for seg_start, seg_end in provider.working[day]:
                cursor = seg_start
                while placed < APPOINTMENTS_PER_DAY:
                    length = timedelta(minutes=rng.choice(DURATIONS))
                    t = cursor + timedelta(minutes=rng.choice(GAPS))
                    if previous_end is not None:
                        t = max(t, previous_end + bb)
                    t = _ceil_grid(t)
                    if t + length > seg_end:
                        break
                    occ = (t - bb, t + length + ba)
                    clash = [e for s, e in provider.blocks if s < occ[1] and occ[0] < e]
                    if clash:
                        cursor = max(clash) + bb
                        continue
                    canceled = rng.random() < P_CANCELED
                    index = len(appointment_rows)
                    if canceled:
                        status = AppointmentStatus.canceled
                    elif day < today:
                        status = rng.choice((AppointmentStatus.paid,) * 16 + (AppointmentStatus.arrived,) * 3
                                            + (AppointmentStatus.no_show,))
                    else:
                        status = rng.choice((AppointmentStatus.booked, AppointmentStatus.confirmed))
                    minutes = int(length.total_seconds() // 60)
                    appointment_rows.append({
                        "case_id": rng.choice(case_ids), "location_id": location_ids[provider.location],
                        "session_type_id": type_by_minutes[minutes], "starts_at": t, "ends_at": t + length,
                        "status": status,
                        "booked_via": BookedVia.online if rng.random() < P_ONLINE else BookedVia.staff,
                        "notify": True, "created_at": t - timedelta(days=7), "updated_at": t - timedelta(days=7),
                        "version": 1,
                    })
                    occupancy_specs.append((index, provider.id, occ[0], occ[1], not canceled))
                    for kind, chance in ((CalendarKind.room, P_ROOM), (CalendarKind.equipment, P_EQUIPMENT)):
                        if rng.random() < chance:
                            res = free_resource(by_location[provider.location][kind], day, t, t + length)
                            if res is not None:
                                occupancy_specs.append((index, res.id, t, t + length, not canceled))
                                if not canceled:
                                    res.taken[day].append((t, t + length))
                    placed += 1
                    cursor = t + length
                    if not canceled:
                        previous_end = occ[1]
    appointment_ids = []
    for chunk in range(0, len(appointment_rows), 5000):
        appointment_ids += _insert_returning_ids(conn, Appointment.__table__, appointment_rows[chunk:chunk + 5000])
    occupancy_rows = [{"appointment_id": appointment_ids[i], "calendar_id": cid, "starts_at": s, "ends_at": e,
                       "exclusive": True, "active": active} for i, cid, s, e, active in occupancy_specs]
    for chunk in range(0, len(occupancy_rows), 5000):
        conn.execute(insert(Occupancy.__table__), occupancy_rows[chunk:chunk + 5000])

    providers = [c for c in cals if c.kind == CalendarKind.provider]
    return {
        "location_ids": location_ids,
        "discipline_id": discipline_id,
        "session_type_ids": dict(zip((name for name, _, _ in SESSION_TYPES), session_type_ids)),
        "provider_ids": {li: [c.id for c in providers if c.location == li] for li in range(len(LOCATIONS))},
        "calendar_ids": [c.id for c in cals],
        "case_ids": case_ids,
        "counts": counts(conn),
    }


def counts(conn: Connection) -> dict[str, int]:
    """Rows per table the engine reads, plus a few derived numbers."""
    result = {}
    for name, table in (("locations", Location), ("calendars", Calendar), ("shifts", Shift),
                        ("shift_breaks", ShiftBreak), ("time_blocks", TimeBlock), ("appointments", Appointment),
                        ("occupancies", Occupancy), ("clients", Client), ("cases", Case)):
        result[name] = conn.scalar(select(func.count()).select_from(table.__table__))
    result["active_occupancies"] = conn.scalar(select(func.count()).select_from(Occupancy.__table__)
                                               .where(Occupancy.__table__.c.active.is_(True)))
    result["canceled_appointments"] = conn.scalar(
        select(func.count()).select_from(Appointment.__table__)
        .where(Appointment.__table__.c.status == AppointmentStatus.canceled))
    for kind in CalendarKind:
        result[f"{kind.value}_calendars"] = conn.scalar(
            select(func.count()).select_from(Calendar.__table__).where(Calendar.__table__.c.kind == kind))
    return result


# --- building an app against a database (shared with bench_availability) ------------------
def build_app(url: str, instance_dir: str | None = None, *, migrate: bool = True):
    """A Plinth app on ``url``, migrated to the current schema (as tests/conftest.py does)."""
    from app import create_app

    os.environ["PLINTH_INSTANCE_DIR"] = instance_dir or tempfile.mkdtemp(prefix="plinth_bench_instance_")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SERVER_NAME": None})
    if migrate:
        from flask_migrate import upgrade

        from app.security import sync_roles

        with app.app_context():
            upgrade()
            sync_roles()
    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="sqlite:///path or postgresql://... (an empty database)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="plinth_bench_instance_") as instance_dir:
        app = build_app(args.database_url, instance_dir)
        from app.extensions import db

        with app.app_context():
            started = clock.perf_counter()
            with db.engine.begin() as conn:
                summary = generate(conn, seed=args.seed)
            print(f"generated in {clock.perf_counter() - started:.1f} s")
            for name, value in summary["counts"].items():
                print(f"  {name:24} {value}")
            db.engine.dispose()


if __name__ == "__main__":
    main()
