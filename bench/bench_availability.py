"""Scheduling benchmark: the availability engine against raw fetch and naive baselines.

    .venv/bin/python -m bench.bench_availability --db sqlite
    .venv/bin/python -m bench.bench_availability --db postgresql
    .venv/bin/python -m bench.bench_availability --db both --profile

Builds a fresh app and database (an SQLite file in a temporary directory, or the
PostgreSQL database ``plinth_bench``, dropped and created), generates the clinic of
bench/generate.py, then measures wall-clock medians (time.perf_counter) of:

  a  first 20 openings of a 50-min session across all providers of a location;
  b  31 days of openings for one provider;
  c  one day for all 60 calendars: c1 per-provider openings of the 40 providers for a
     50-min session needing a room, c2 load_calendar_times for all 60 calendars;
  d  one booking (booking.book + commit; the rows are deleted afterwards), on
     PostgreSQL with and without the exclusion constraint ex_occupancy_no_overlap;

each against the raw time to run the SQL the engine issued (captured with a
before_cursor_execute listener and replayed on a bare DBAPI cursor, fetchall() and
nothing else) and against the naive baselines of bench/naive.py, whose answers are
asserted equal to the engine's. Results go to stdout and bench/results/<db>.json.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import tempfile
import time as clock
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import and_, delete, event, func, select, text
from sqlalchemy.orm import joinedload, selectinload

from bench import naive
from bench.generate import (
    FIRST_DAY,
    HORIZON_DAYS,
    LOCATIONS,
    TODAY,
    build_app,
    generate,
)

PG_ADMIN_URL = os.environ.get("PLINTH_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("PLINTH_BENCH_PG_DB", "plinth_bench")  # helpers running side by side each use their own
RESULTS = Path(__file__).resolve().parent / "results"
# What the timed runs read: wall clock, or with ``--clock thread`` this thread's CPU time
# (a loaded machine preempts a 5 ms run more often than a 0.5 ms one, which inflates
# wall-clock ratios; on SQLite the database works in this thread, so CPU time counts all
# of both sides. On PostgreSQL it leaves out the server's work: use wall clock there).
TIMER = clock.perf_counter
NOW = None  # set once the app is importable: 09:17 in Toronto on TODAY
DAY_C = TODAY + timedelta(days=1)  # scenario c: tomorrow (a Thursday), untouched by "now"
LATE_DAY = date(2026, 5, 26)  # a Tuesday 85 days into the data, for the history probe
EXCLUSION_DDL = ("ALTER TABLE occupancy ADD CONSTRAINT ex_occupancy_no_overlap "
                 "EXCLUDE USING gist (calendar_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
                 "WHERE (exclusive AND active)")  # as in migrations/versions/0001_initial_schema.py


# --- measuring -------------------------------------------------------------------------------
class Recorder:
    """Counts (and keeps) the statements sent to the database while ``on``."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    @contextmanager
    def record(self):
        # Listening only while recording: the timed runs carry no listener (the raw replay
        # has none), and SQLite's engine reads take the bare cursor only when nobody listens.
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._hook)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._hook)


@dataclass
class Stats:
    runs: list[float] = field(default_factory=list)  # seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs) * 1000

    def summary(self) -> dict:
        ms = sorted(r * 1000 for r in self.runs)
        q = statistics.quantiles(ms, n=4) if len(ms) >= 4 else [ms[0], statistics.median(ms), ms[-1]]
        return {"median_ms": round(statistics.median(ms), 3), "p25_ms": round(q[0], 3), "p75_ms": round(q[2], 3),
                "min_ms": round(ms[0], 3), "max_ms": round(ms[-1], 3), "runs": len(ms)}


def measure(fn, *, runs: int, warmup: int, setup=None, teardown=None) -> Stats:
    stats = Stats()
    for i in range(warmup + runs):
        ctx = setup() if setup else None
        gc.collect()
        started = TIMER()
        out = fn(ctx)
        elapsed = TIMER() - started
        if teardown:
            teardown(ctx, out)
        if i >= warmup:
            stats.runs.append(elapsed)
    return stats


def measure_interleaved(variants: dict, *, runs: int, warmup: int) -> dict[str, Stats]:
    """Like ``measure`` for several variants ``{name: (fn, setup, teardown)}``, run in
    turn (engine, raw, ORM, engine, raw, ORM, ...) so that load from other processes on
    the machine falls on all of them alike."""
    stats = {name: Stats() for name in variants}
    for i in range(warmup + runs):
        for name, (fn, setup, teardown) in variants.items():
            ctx = setup() if setup else None
            gc.collect()
            started = TIMER()
            out = fn(ctx)
            elapsed = TIMER() - started
            if teardown:
                teardown(ctx, out)
            if i >= warmup:
                stats[name].runs.append(elapsed)
    return stats


def replayable(statements) -> list[tuple[str, object]]:
    """The reads among captured statements (SQLite's BEGIN IMMEDIATE and the like left out)."""
    return [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def replay(raw_connection, statements) -> int:
    """Run captured statements on a bare DBAPI cursor, fetch every row, do nothing else."""
    rows = 0
    cursor = raw_connection.cursor()
    for statement, parameters in statements:
        cursor.execute(statement, parameters)
        rows += len(cursor.fetchall())
    cursor.close()
    return rows


# --- the benchmark on one database --------------------------------------------------------------
def recreate_pg() -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", (PG_DB,))
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB


def drop_pg() -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def counts_of(db) -> dict:
    from bench.generate import counts

    with db.engine.connect() as conn:
        return counts(conn)


def run_backend(backend: str, args) -> dict:
    tmp = tempfile.mkdtemp(prefix="plinth_bench_")
    url = f"sqlite:///{tmp}/bench.db" if backend == "sqlite" else recreate_pg()
    app = None
    try:
        app = build_app(url, os.path.join(tmp, "instance"))
        with app.app_context():
            return Bench(backend, args).run()
    finally:
        if app is not None:
            from app.extensions import db

            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if backend == "postgresql" and not args.keep:
            drop_pg()
        shutil.rmtree(tmp, ignore_errors=True)


class Bench:
    def __init__(self, backend: str, args):
        from app.extensions import db

        self.backend, self.args, self.db = backend, args, db
        self.recorder = Recorder(db.engine)
        self.out: dict = {"backend": backend, "scenarios": {}}

    # helpers ---------------------------------------------------------------------------
    def wanted(self, key: str) -> bool:
        return not self.args.only or key in self.args.only.split(",")

    def fresh(self):
        """A new session, as a new request would have."""
        self.db.session.remove()

    def calendars(self, ids) -> list:
        from app.models import Calendar

        by_id = {c.id: c for c in self.db.session.scalars(
            select(Calendar).where(Calendar.id.in_(list(ids)))
            .options(joinedload(Calendar.location), selectinload(Calendar.disciplines))).unique()}
        return [by_id[i] for i in ids]

    def window_of(self, fn, setup) -> tuple[datetime, datetime]:
        """The window the engine passes to load_calendar_times in ``fn`` (find_slots pads
        the days asked for; the ORM-fetch column must read the same range)."""
        from app.scheduling import availability

        seen = []
        original = availability.load_calendar_times

        def spy(calendars, window, **kw):
            seen.append(window)
            return original(calendars, window, **kw)

        availability.load_calendar_times = spy
        try:
            fn(setup())
        finally:
            availability.load_calendar_times = original
        assert len(seen) == 1, seen
        return seen[0]

    @staticmethod
    def occupancy_select(ids, w0, w1, *, lower_bound: bool = True):
        """The engine's occupancy statement (app/scheduling/availability.py,
        load_calendar_times); ``lower_bound=False`` gives it as it was before commit
        ef33291 (starts_at bounded above only). Checked against what the engine issues."""
        from app.models import Occupancy
        from app.scheduling import availability

        conditions = [Occupancy.calendar_id.in_(ids), Occupancy.active.is_(True), Occupancy.starts_at < w1]
        longest = getattr(availability, "MAX_OCCUPANCY", None)
        if lower_bound and longest is not None:
            conditions.append(Occupancy.starts_at > w0 - longest)
        conditions.append(Occupancy.ends_at > w0)
        return (select(Occupancy.calendar_id, Occupancy.starts_at, Occupancy.ends_at, Occupancy.appointment_id)
                .where(*conditions).order_by(Occupancy.starts_at))

    def orm_rows(self, calendars, window) -> int:
        """load_calendar_times' statements, as it issues them, with the rows materialised
        and no interval work (the "fetch" column). Since the engine reads plain Core rows
        (app/scheduling/calendar_time.py) this is its own ``time_selects`` through the
        session's connection; on older code, the ORM statements it issued then."""
        from app.scheduling import calendar_time

        db = self.db
        ids = [c.id for c in calendars]
        db.session.flush()
        connection = db.session.connection()
        statements, params = calendar_time.time_selects(ids, window)
        return sum(len(connection.execute(statement, params).all()) for statement in statements)

    def count(self, fn, ctx) -> tuple[int, object, list]:
        with self.recorder.record() as rec:
            out = fn(ctx)
        return len(rec.statements), out, list(rec.statements)

    def raw_stats(self, statements) -> tuple[Stats, int, int]:
        reads = replayable(statements)
        self.fresh()
        raw = self.db.engine.raw_connection()
        try:
            rows = replay(raw, reads)
            raw.rollback()
            stats = measure(lambda _: replay(raw, reads), runs=self.args.runs, warmup=self.args.warmup,
                            setup=self.fresh, teardown=lambda _c, _o: raw.rollback())
        finally:
            raw.rollback()
            raw.close()
        return stats, len(reads), rows

    def scenario(self, key: str, title: str, *, setup, engine, orm_fn=None, naive_fn=None, naive_day_fn=None,
                 to_comparable=None, naive_runs=None, extra=None):
        """Measure engine, raw replay of its SQL and the same statements through the ORM
        without interval work (interleaved), then the naive baselines; assert equal answers."""
        args = self.args
        if not self.wanted(key):
            return None
        print(f"  [{self.backend}] {key}: {title}", flush=True)
        statements_engine, engine_out, captured = self.count(engine, setup())
        reads = replayable(captured)
        self.fresh()
        raw_conn = self.db.engine.raw_connection()
        try:
            raw_rows = replay(raw_conn, reads)
            raw_conn.rollback()
            variants = {"engine": (engine, setup, None),
                        "raw": (lambda _: replay(raw_conn, reads), self.fresh, lambda _c, _o: raw_conn.rollback())}
            if orm_fn is not None:
                orm_count, _, orm_captured = self.count(orm_fn, setup())
                # the ORM fetch must read exactly the engine's interval rows: same SQL, same parameters
                for statement, parameters in orm_captured:
                    if any(f"FROM {t}" in statement for t in ("shift", "time_block", "occupancy")):
                        assert any(statement == st and repr(parameters) == repr(pa) for st, pa in captured), \
                            f"{key}: ORM fetch differs from the engine: {statement[:80]}"
                variants["orm_fetch"] = (orm_fn, setup, None)
            timings = measure_interleaved(variants, runs=args.runs, warmup=args.warmup)
        finally:
            raw_conn.rollback()
            raw_conn.close()
        engine_stats = timings["engine"]
        result = {"title": title, "engine": engine_stats.summary(), "engine_statements": statements_engine,
                  "engine_sql": [" ".join(st.split())[:110] for st, _ in captured],
                  "raw": timings["raw"].summary(), "raw_statements": len(reads), "raw_rows": raw_rows,
                  "engine_over_raw": round(engine_stats.median_ms / timings["raw"].median_ms, 2)}
        if orm_fn is not None:
            result["orm_fetch"] = timings["orm_fetch"].summary()
            result["orm_fetch_statements"] = orm_count
            result["engine_over_orm_fetch"] = round(engine_stats.median_ms / timings["orm_fetch"].median_ms, 2)
        comparable = to_comparable(engine_out) if to_comparable else engine_out
        result["answer_size"] = len(comparable)
        for name, fn in (("naive", naive_fn), ("naive_per_day", naive_day_fn)):
            if fn is None or args.naive_runs == 0:
                continue
            count, out, _ = self.count(fn, setup())
            assert out == comparable, f"{key}: {name} disagrees with the engine"
            stats = measure(fn, runs=naive_runs or args.naive_runs, warmup=1, setup=setup)
            result[name] = stats.summary()
            result[f"{name}_statements"] = count
            result[f"{name}_over_engine"] = round(stats.median_ms / engine_stats.median_ms, 1)
            result[f"{name}_verified_equal"] = True
        if extra:
            result.update(extra)
        result["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
        self.out["scenarios"][key] = result
        print("     " + _line(result), flush=True)
        if args.profile:
            self.profile(key, engine, setup)
        return result

    def profile(self, key, fn, setup, teardown=None, runs: int = 5):
        profiler = cProfile.Profile()
        for _ in range(runs):
            ctx = setup()
            profiler.enable()
            out = fn(ctx)
            profiler.disable()
            if teardown:
                teardown(ctx, out)
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats("app/", 25)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"profile_{tag(self.backend, self.args)}_{key}.txt").write_text(buf.getvalue())

    # the run -------------------------------------------------------------------------------
    def run(self) -> dict:
        from app.models import Calendar, CalendarKind, Case, SessionType
        from app.scheduling import availability, booking
        from app.timeutil import local_day_bounds, to_utc

        global NOW
        NOW = to_utc(TODAY, time(9, 17), LOCATIONS[0][1])
        db, args = self.db, self.args
        started = clock.perf_counter()
        with db.engine.begin() as conn:
            first_day = FIRST_DAY - timedelta(days=args.history_days)
            data = generate(conn, first_day=first_day, horizon_days=HORIZON_DAYS + args.history_days)
            for clinic in range(1, args.clinics):  # other tenants' rows around the measured clinic
                generate(conn, first_day=first_day, horizon_days=HORIZON_DAYS + args.history_days, clinic=clinic)
        if args.clinics > 1:
            data["counts"] = counts_of(db)
        self.out["first_day"], self.out["history_days_before_today"] = str(first_day), (TODAY - first_day).days
        self.out["generate_seconds"] = round(clock.perf_counter() - started, 2)
        self.out["counts"] = data["counts"]
        started = clock.perf_counter()
        if self.backend == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        self.out["analyze_seconds"] = round(clock.perf_counter() - started, 2)
        print(f"  [{self.backend}] generated {data['counts']} in {self.out['generate_seconds']} s", flush=True)

        types = data["session_type_ids"]
        toronto, lisbon = data["location_ids"]
        tor_providers = data["provider_ids"][0]
        all_providers = data["provider_ids"][0] + data["provider_ids"][1]
        slots = lambda result: [(s.start, s.calendar_ids) for s in result]

        # a: first 20 openings, 50 min, any provider at a location, from "now" over two weeks
        def setup_a():
            self.fresh()
            return db.session.get(SessionType, types["Bench 50"])

        a_end = TODAY + timedelta(days=13)
        tor_where = and_(Calendar.location_id == toronto, Calendar.kind == CalendarKind.provider)

        def engine_a(st, end_day=a_end):
            return availability.find_slots(session_type=st, location_id=toronto, start_day=TODAY,
                                           end_day=end_day, now=NOW, any_provider=True, limit=20)

        def orm_a(st, window):
            return self.orm_rows(availability._load_calendars(tor_where), window)

        window_a = self.window_of(engine_a, setup_a)
        self.scenario(
            "a", "first 20 openings, 50 min, any of 20 providers at Toronto (window: today + 13 days)",
            setup=setup_a,
            engine=engine_a,
            orm_fn=lambda st: orm_a(st, window_a),
            to_comparable=slots,
            naive_fn=lambda st: naive.first_openings(naive.PerCandidate(), session_type=st, location_id=toronto,
                                                     start_day=TODAY, end_day=a_end, now=NOW, limit=20),
            naive_day_fn=lambda st: naive.first_openings(naive.PerDay(), session_type=st, location_id=toronto,
                                                         start_day=TODAY, end_day=a_end, now=NOW, limit=20),
        )

        # a2: the same question over the two days that hold the answer (what a caller
        # widening its window step by step would pay); the answer must be the same.
        first20 = slots(availability.find_slots(session_type=setup_a(), location_id=toronto, start_day=TODAY,
                                                end_day=a_end, now=NOW, any_provider=True, limit=20))
        a2_end = max(t for t, _ in first20).date()
        window_a2 = self.window_of(lambda st: engine_a(st, a2_end), setup_a)
        self.scenario(
            "a2", f"as a, window today .. {a2_end} (the days holding the 20 answers)",
            setup=setup_a,
            engine=lambda st: engine_a(st, a2_end),
            orm_fn=lambda st: orm_a(st, window_a2),
            to_comparable=slots,
        )
        assert slots(availability.find_slots(session_type=setup_a(), location_id=toronto, start_day=TODAY,
                                             end_day=a2_end, now=NOW, limit=20)) == first20

        # b: 31 days for one provider (TOR-Provider 02: 10 min buffer after)
        provider_b = tor_providers[1]

        def setup_b():
            self.fresh()
            return db.session.get(SessionType, types["Bench 50"]), self.calendars([provider_b])

        b_end = TODAY + timedelta(days=30)

        def engine_b(ctx):
            return availability.find_slots(session_type=ctx[0], provider_calendars=ctx[1], start_day=TODAY,
                                           end_day=b_end, now=NOW)

        window_b = self.window_of(engine_b, setup_b)
        self.scenario(
            "b", "31 days of openings, 50 min, one provider",
            setup=setup_b,
            engine=engine_b,
            orm_fn=lambda ctx: self.orm_rows(ctx[1], window_b),
            to_comparable=slots,
            naive_fn=lambda ctx: naive.provider_slots(naive.PerCandidate(), session_type=ctx[0], providers=ctx[1],
                                                      start_day=TODAY, end_day=b_end, now=NOW),
            naive_day_fn=lambda ctx: naive.provider_slots(naive.PerDay(), session_type=ctx[0], providers=ctx[1],
                                                          start_day=TODAY, end_day=b_end, now=NOW),
        )

        # c1: one day, each of the 40 providers (both locations), 50 min needing a room
        def setup_c1():
            self.fresh()
            return db.session.get(SessionType, types["Bench 50 with room"]), self.calendars(all_providers)

        def engine_c1(ctx):
            return availability.find_slots(session_type=ctx[0], provider_calendars=ctx[1], start_day=DAY_C,
                                           end_day=DAY_C, now=NOW, any_provider=False)

        window_c1 = self.window_of(engine_c1, setup_c1)

        def orm_c1(ctx):
            rooms = availability._load_calendars(and_(Calendar.location_id.in_([toronto, lisbon]),
                                                      Calendar.kind.in_([CalendarKind.room])))
            return self.orm_rows(ctx[1] + rooms, window_c1)

        self.scenario(
            "c1", "one day, per-provider openings of all 40 providers, 50 min + a room",
            setup=setup_c1,
            engine=engine_c1,
            orm_fn=orm_c1,
            to_comparable=slots,
            naive_fn=lambda ctx: naive.provider_slots(naive.PerCandidate(), session_type=ctx[0], providers=ctx[1],
                                                      start_day=DAY_C, end_day=DAY_C, now=NOW),
            naive_day_fn=lambda ctx: naive.provider_slots(naive.PerDay(), session_type=ctx[0], providers=ctx[1],
                                                          start_day=DAY_C, end_day=DAY_C, now=NOW),
        )

        # c2: one day, load_calendar_times for all 60 calendars
        zones = [zone for _, zone, _ in LOCATIONS]
        window_c = (min(local_day_bounds(DAY_C, z)[0] for z in zones), max(local_day_bounds(DAY_C, z)[1] for z in zones))

        def setup_c2():
            self.fresh()
            return self.calendars(data["calendar_ids"])

        def comparable_times(times):
            return {cid: {"shifts": ct.shifts, "breaks": ct.breaks, "working": ct.working,
                          "blocks": sorted(ct.blocks), "occupied": sorted(ct.occupied)} for cid, ct in times.items()}

        self.scenario(
            "c2", "one day, load_calendar_times for all 60 calendars",
            setup=setup_c2,
            engine=lambda cals: availability.load_calendar_times(cals, window_c),
            orm_fn=lambda cals: self.orm_rows(cals, window_c),
            to_comparable=comparable_times,
            naive_fn=lambda cals: naive.calendar_times(cals, window_c),
        )
        # f: the grid's events feed (appointments, breaks, blocks) for Toronto's busy day, as
        # an Admin (every calendar visible): the read that grew with every clinic's history.
        if self.wanted("f"):
            from flask import current_app

            from app.calendar import feeds
            from app.models import Location
            from app.security import ADMIN

            sm = current_app.appbuilder.sm
            admin = sm.find_user(username="bench-admin") or sm.add_user(
                "bench-admin", "Bench", "Admin", "bench@example.com", sm.find_role(ADMIN), password="bench-admin-pw")
            admin_id = admin.id
            db.session.commit()

            def setup_f():
                self.fresh()
                return sm.get_user_by_id(admin_id), db.session.get(Location, toronto)

            self.scenario(
                "f", "grid events feed, Toronto, one day, as an Admin",
                setup=setup_f,
                engine=lambda ctx: feeds.events(user=ctx[0], location=ctx[1], day_from=DAY_C, day_to=DAY_C),
                to_comparable=lambda events: events,
            )

        self.out["windows"] = {k: [str(w[0]), str(w[1])] for k, w in
                               (("a", window_a), ("a2", window_a2), ("b", window_b), ("c1", window_c1),
                                ("c2", window_c))}
        c = self.out["scenarios"]
        if "c1" in c and "c2" in c:
            self.out["c_total"] = {k: round(c["c1"][k]["median_ms"] + c["c2"][k]["median_ms"], 2)
                                   for k in ("engine", "orm_fetch", "raw", "naive") if k in c["c1"] and k in c["c2"]}
        if self.wanted("history"):
            self.history_probe(data["calendar_ids"])
        if args.breakdown:
            self.breakdown("c2: 60 calendars, one day", data["calendar_ids"], window_c)
            self.breakdown("a: 20 providers, 14 days (+ find_slots' padding)", tor_providers, window_a)

        # d: one booking (book + commit), rows deleted after each run
        if self.wanted("d"):
            self.booking(data, types, tor_providers, Case, SessionType, booking, availability)
        return self.out

    def booking(self, data, types, tor_providers, Case, SessionType, booking, availability):
        from app.models import Appointment, AuditEvent, Occupancy

        db, args = self.db, self.args
        self.fresh()
        st30 = db.session.get(SessionType, types["Follow-up 30"])
        free = []  # one free 30-min start per provider and day, over two weeks from tomorrow
        for provider in self.calendars(tor_providers):
            found = availability.find_slots(session_type=st30, provider_calendars=[provider],
                                            start_day=TODAY + timedelta(days=1), end_day=TODAY + timedelta(days=14),
                                            now=NOW)
            seen = set()
            for slot in found:
                if slot.start.date() not in seen:
                    seen.add(slot.start.date())
                    free.append((provider.id, slot.start))
        free = free[:: max(1, len(free) // 60)][:60]
        case_id = data["case_ids"][0]
        cursor = {"i": 0}

        def setup():
            self.fresh()
            provider_id, start = free[cursor["i"] % len(free)]
            cursor["i"] += 1
            audit_max = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
            st = db.session.get(SessionType, types["Follow-up 30"])
            case = db.session.get(Case, case_id)
            (provider,) = self.calendars([provider_id])
            return {"st": st, "case": case, "provider": provider, "start": start, "audit_max": audit_max}

        def engine(ctx):
            made = booking.book(case=ctx["case"], session_type=ctx["st"], calendar=ctx["provider"],
                                start=ctx["start"], actor=None, now=NOW)
            appointment_id = made.appointment.id  # before commit: reading it after would reload the row
            db.session.commit()
            return appointment_id

        def raw(ctx):
            table = Appointment.__table__
            length = timedelta(minutes=30)
            provider, start = ctx["provider"], ctx["start"]
            appointment_id = db.session.execute(table.insert().returning(table.c.id), {
                "case_id": case_id, "location_id": provider.location_id, "session_type_id": ctx["st"].id,
                "starts_at": start, "ends_at": start + length, "status": "booked", "booked_via": "staff",
                "notify": True, "version": 1}).scalar_one()
            db.session.execute(Occupancy.__table__.insert(), {
                "appointment_id": appointment_id, "calendar_id": provider.id,
                "starts_at": start - timedelta(minutes=provider.buffer_before_minutes),
                "ends_at": start + length + timedelta(minutes=provider.buffer_after_minutes),
                "exclusive": True, "active": True})
            db.session.commit()
            return appointment_id

        def naive_fn(ctx):
            made = naive.check_and_insert(naive.PerCandidate(), provider=ctx["provider"], session_type=ctx["st"],
                                          case_id=case_id, start=ctx["start"])
            assert made is not None, "naive refused a free slot"
            return made

        def undo(ctx, appointment_id):
            db.session.rollback()
            if self.backend == "postgresql":  # audit rows are append-only (a trigger): the bench's own go
                db.session.execute(text("SET LOCAL session_replication_role = replica"))
            db.session.execute(delete(Occupancy).where(Occupancy.appointment_id == appointment_id))
            db.session.execute(delete(AuditEvent).where(AuditEvent.id > ctx["audit_max"]))
            db.session.execute(delete(Appointment).where(Appointment.id == appointment_id))
            db.session.commit()

        def one(key, label):
            print(f"  [{self.backend}] {key}: booking ({label})", flush=True)
            result = {"title": f"one booking: booking.book + commit, 30 min ({label})"}
            fns = {"engine": engine, "raw": raw, "naive": naive_fn}
            for name, fn in fns.items():
                ctx = setup()
                count, out, captured = self.count(fn, ctx)
                undo(ctx, out)
                result[f"{name}_statements"] = count
                result[f"{name}_sql"] = [" ".join(st.split())[:110] for st, _ in captured]
            timings = measure_interleaved({name: (fn, setup, undo) for name, fn in fns.items()},
                                          runs=args.runs, warmup=args.warmup)
            for name, stats in timings.items():
                result[name] = stats.summary()
            result["engine_over_raw"] = round(result["engine"]["median_ms"] / result["raw"]["median_ms"], 2)
            result["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
            result["naive_over_engine"] = round(result["naive"]["median_ms"] / result["engine"]["median_ms"], 2)
            print("     " + _line(result), flush=True)
            if args.profile:
                self.profile(key, engine, setup, undo)
            return result

        before = self.counts_snapshot()
        any_appointment = db.session.scalar(select(Appointment.id).order_by(Appointment.id).limit(1))
        if self.backend == "postgresql":
            self.out["scenarios"]["d_with_constraint"] = one("d_with_constraint", "with exclusion constraint")
            self.out["bulk_insert_with_constraint"] = self.bulk_constraint_cost(any_appointment, tor_providers[0])
            self.fresh()
            with db.engine.begin() as conn:
                conn.execute(text("ALTER TABLE occupancy DROP CONSTRAINT ex_occupancy_no_overlap"))
            try:
                self.out["scenarios"]["d_without_constraint"] = one("d_without_constraint", "without exclusion constraint")
                self.out["bulk_insert_without_constraint"] = self.bulk_constraint_cost(any_appointment,
                                                                                      tor_providers[0])
            finally:
                self.fresh()
                started = clock.perf_counter()
                with db.engine.begin() as conn:
                    conn.execute(text(EXCLUSION_DDL))
                self.out["constraint_rebuild_seconds"] = round(clock.perf_counter() - started, 2)
                with db.engine.connect() as conn:
                    assert conn.scalar(text("SELECT count(*) FROM pg_constraint "
                                            "WHERE conname = 'ex_occupancy_no_overlap'")) == 1
        else:
            self.out["scenarios"]["d"] = one("d", "SQLite: no exclusion constraint")
            self.out["bulk_insert"] = self.bulk_constraint_cost(any_appointment, tor_providers[0])
        assert self.counts_snapshot() == before, "the booking runs left rows behind"

    def breakdown(self, key, calendars_ids, window) -> dict:
        """Where load_calendar_times' time goes, statement by statement: the raw DBAPI
        replay, the same select through Core (Connection.execute: type processing, no
        ORM), and as the engine issues it (Session: ORM); then the whole call."""
        from app.models import Shift, ShiftBreak, TimeBlock
        from app.scheduling import availability

        db, args = self.db, self.args
        w0, w1 = window

        def calendars():
            self.fresh()
            return self.calendars(calendars_ids)

        ids = list(calendars_ids)
        shift_q = (select(Shift).where(Shift.calendar_id.in_(ids), Shift.day >= (w0 - timedelta(days=1)).date(),
                                       Shift.day <= (w1 + timedelta(days=1)).date())
                   .order_by(Shift.calendar_id, Shift.day, Shift.start_time))
        block_q = (select(TimeBlock.calendar_id, TimeBlock.starts_at, TimeBlock.ends_at, TimeBlock.reason)
                   .where(TimeBlock.calendar_id.in_(ids), TimeBlock.starts_at < w1, TimeBlock.ends_at > w0)
                   .order_by(TimeBlock.starts_at))
        occ_q = self.occupancy_select(ids, w0, w1)

        def core_shifts(_):
            conn = db.session.connection()
            rows = conn.execute(select(*Shift.__table__.c).where(*shift_q.whereclause.clauses)
                                .order_by(Shift.calendar_id, Shift.day, Shift.start_time)).all()
            return rows + conn.execute(select(*ShiftBreak.__table__.c)
                                       .where(ShiftBreak.shift_id.in_([r.id for r in rows]))).all()

        parts = {
            "shifts+breaks (selectinload)": (lambda _: db.session.scalars(
                shift_q.options(selectinload(Shift.breaks))).all(), core_shifts),
            "time blocks": (lambda _: db.session.execute(block_q).all(),
                            lambda _: db.session.connection().execute(block_q).all()),
            "occupancies": (lambda _: db.session.execute(occ_q).all(),
                            lambda _: db.session.connection().execute(occ_q).all()),
        }
        result = {}
        for label, (orm_fn, core_fn) in parts.items():
            _, _, captured = self.count(orm_fn, calendars())
            reads = replayable(captured)
            self.fresh()
            raw_conn = db.engine.raw_connection()
            try:
                rows = replay(raw_conn, reads)
                raw_conn.rollback()
                timings = measure_interleaved({
                    "raw": (lambda _, c=raw_conn, r=reads: replay(c, r), self.fresh,
                            lambda _c, _o, c=raw_conn: c.rollback()),
                    "core": (core_fn, calendars, None),
                    "orm": (orm_fn, calendars, None),
                }, runs=args.runs, warmup=args.warmup)
            finally:
                raw_conn.rollback()
                raw_conn.close()
            result[label] = {"rows": rows, **{f"{name}_ms": round(st.median_ms, 3) for name, st in timings.items()}}
        whole = measure(lambda cals: availability.load_calendar_times(cals, window), runs=args.runs,
                        warmup=args.warmup, setup=calendars)
        result["load_calendar_times (whole call)"] = {"ms": whole.summary()["median_ms"]}
        print(f"  [{self.backend}] breakdown {key}: " + json.dumps(result), flush=True)
        self.out.setdefault("breakdown", {})[key] = result
        return result

    def history_probe(self, calendar_ids):
        """How the occupancy read of one day of all 60 calendars depends on the age of the
        data: the engine's statement (bounded below since commit ef33291) against the same
        without the lower bound (as it was before), early and late in the data; raw DBAPI
        replay and through the Session. Index entries read: the (calendar_id, starts_at)
        range each statement's bounds on starts_at select."""
        from app.models import Occupancy
        from app.scheduling import availability
        from app.timeutil import local_day_bounds

        zones = [zone for _, zone, _ in LOCATIONS]
        probe = {}
        first_day = date.fromisoformat(self.out["first_day"])
        longest = getattr(availability, "MAX_OCCUPANCY", None)
        for label, day in ((f"tomorrow ({(DAY_C - first_day).days} days of history)", DAY_C),
                           (f"late ({(LATE_DAY - first_day).days} days of history)", LATE_DAY)):
            w0 = min(local_day_bounds(day, z)[0] for z in zones)
            w1 = max(local_day_bounds(day, z)[1] for z in zones)
            engine_q = self.occupancy_select(calendar_ids, w0, w1)
            unbounded = self.occupancy_select(calendar_ids, w0, w1, lower_bound=False)
            # engine_q is what load_calendar_times sends for this window
            _, _, sent = self.count(lambda cals, w=(w0, w1): availability.load_calendar_times(cals, w),
                                    (self.fresh(), self.calendars(calendar_ids))[1])
            _, _, mine = self.count(lambda _, q=engine_q: self.db.session.execute(q).all(), None)
            sent_occ = [(st, repr(pa)) for st, pa in sent if "FROM occupancy" in st]
            assert sent_occ == [(st, repr(pa)) for st, pa in mine], "history probe: not the engine's statement"
            self.fresh()
            in_range = select(func.count()).select_from(Occupancy).where(
                Occupancy.calendar_id.in_(calendar_ids), Occupancy.starts_at < w1)
            entry = {
                "rows_returned": len(self.db.session.execute(engine_q).all()),
                "index_entries_unbounded": self.db.session.scalar(in_range),
                "index_entries_engine": self.db.session.scalar(
                    in_range.where(Occupancy.starts_at > w0 - longest) if longest else in_range),
            }
            assert sorted(self.db.session.execute(unbounded).all()) == sorted(self.db.session.execute(engine_q).all())
            captured = {name: self.count(lambda _, q=q: self.db.session.execute(q).all(), None)[2]
                        for name, q in (("engine", engine_q), ("unbounded", unbounded))}
            self.fresh()
            raw_conn = self.db.engine.raw_connection()
            try:
                variants = {}
                for name, q in (("engine", engine_q), ("unbounded", unbounded)):
                    reads = replayable(captured[name])
                    variants[f"raw_{name}"] = (lambda _, c=raw_conn, r=reads: replay(c, r), self.fresh,
                                               lambda _c, _o, c=raw_conn: c.rollback())
                    variants[f"session_{name}"] = (lambda _, q=q: self.db.session.execute(q).all(), self.fresh, None)
                timings = measure_interleaved(variants, runs=self.args.runs, warmup=self.args.warmup)
            finally:
                raw_conn.rollback()
                raw_conn.close()
            entry.update({name: st.summary() for name, st in timings.items()})
            probe[label] = entry
            print(f"  [{self.backend}] history probe {label}: {entry['rows_returned']} rows; index entries "
                  f"{entry['index_entries_engine']} (engine) / {entry['index_entries_unbounded']} (unbounded); raw "
                  f"{entry['raw_engine']['median_ms']:.2f} / {entry['raw_unbounded']['median_ms']:.2f} ms; "
                  f"session {entry['session_engine']['median_ms']:.2f} / "
                  f"{entry['session_unbounded']['median_ms']:.2f} ms", flush=True)
        self.out["history_probe"] = probe

    def bulk_constraint_cost(self, appointment_id, calendar_id, rows=1000) -> dict:
        """Insert ``rows`` active exclusive occupancies (non-overlapping, in 2027) in one
        executemany and roll back: the per-row cost of the exclusion constraint shows
        here, where one booking is too small to see it."""
        from app.models import Occupancy
        from app.timeutil import UTC

        base = datetime(2027, 1, 4, 9, tzinfo=UTC)
        data = [{"appointment_id": appointment_id, "calendar_id": calendar_id,
                 "starts_at": base + timedelta(minutes=30 * i), "ends_at": base + timedelta(minutes=30 * i + 30),
                 "exclusive": True, "active": True} for i in range(rows)]

        def run(_):
            with self.db.engine.connect() as conn:
                conn.execute(Occupancy.__table__.insert(), data)
                conn.rollback()

        stats = measure(run, runs=max(5, self.args.runs // 2), warmup=2, setup=self.fresh)
        return {"rows": rows, **stats.summary()}

    def counts_snapshot(self):
        from bench.generate import counts

        self.fresh()
        with self.db.engine.connect() as conn:
            return counts(conn)


def git_state() -> dict:
    """The commit measured, and whether app/ differed from it (others edit the tree)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "app", "migrations"], cwd=root,
                               capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return {}
    return {"head": head, "app_uncommitted_changes": bool(dirty)}


def tag(backend: str, args) -> str:
    return (backend + (f"_history{args.history_days}" if args.history_days else "")
            + (f"_clinics{args.clinics}" if args.clinics > 1 else ""))


def _line(r: dict) -> str:
    parts = [f"engine {r['engine']['median_ms']:.2f} ms ({r.get('engine_statements')} stmts)"]
    if "orm_fetch" in r:
        parts.append(f"ORM fetch {r['orm_fetch']['median_ms']:.2f} ms ({r['orm_fetch_statements']} stmts)")
    parts.append(f"raw {r['raw']['median_ms']:.2f} ms ({r.get('raw_statements')} stmts)")
    for name in ("naive", "naive_per_day"):
        if name in r:
            parts.append(f"{name} {r[name]['median_ms']:.1f} ms ({r.get(name + '_statements')} stmts)")
    parts.append(f"engine/raw {r['engine_over_raw']}")
    if "naive_over_engine" in r:
        parts.append(f"naive/engine {r['naive_over_engine']}")
    if "answer_size" in r:
        parts.append(f"answer {r['answer_size']}")
    return "; ".join(parts)


def _cell(r: dict, name: str, digits: int = 2) -> str:
    if name not in r:
        return "—"
    s = r[name]
    return f"{s['median_ms']:.{digits}f} ({s['p25_ms']:.{digits}f}–{s['p75_ms']:.{digits}f})"


def markdown(results: dict) -> str:
    lines = []
    for backend, res in results.items():
        lines.append(f"\n### {backend} (data from {res['first_day']}: {res['history_days_before_today']} days of "
                     f"history before today {TODAY}; {res['counts']['occupancies']} occupancies; load average "
                     f"before {res.get('loadavg_before', ['?'])[0]}, after {res.get('loadavg_after', ['?'])[0]})\n")
        lines.append("| scenario | engine ms (p25–p75) | stmts | ORM fetch ms | raw fetch ms | naive ms | naive stmts "
                     "| per-day naive ms | per-day stmts | engine/raw | naive/engine | per-day/engine |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for key, r in res["scenarios"].items():
            lines.append(
                f"| {key}: {r['title']} | {_cell(r, 'engine')} | {r['engine_statements']} | {_cell(r, 'orm_fetch')} | "
                f"{_cell(r, 'raw')} | {_cell(r, 'naive', 1)} | {r.get('naive_statements', '—')} | "
                f"{_cell(r, 'naive_per_day', 1)} | {r.get('naive_per_day_statements', '—')} | "
                f"{r['engine_over_raw']} | {r.get('naive_over_engine', '—')} | {r.get('naive_per_day_over_engine', '—')} |")
        total = res.get("c_total", {})
        if total:
            lines.append("\nc total (c1 + c2), medians summed: " + ", ".join(f"{k} {v:.1f} ms" for k, v in total.items()))
        for key in ("bulk_insert", "bulk_insert_with_constraint", "bulk_insert_without_constraint"):
            if key in res:
                lines.append(f"\n{key}: {res[key]['rows']} occupancy rows in one executemany: "
                             f"median {res[key]['median_ms']:.1f} ms (p25–p75 {res[key]['p25_ms']:.1f}–"
                             f"{res[key]['p75_ms']:.1f})")
        for key, parts in res.get("breakdown", {}).items():
            lines.append(f"\nbreakdown of load_calendar_times, {key} (median ms):\n")
            lines.append("| statement | rows | raw DBAPI | Core | ORM (as issued) |")
            lines.append("|---|---|---|---|---|")
            for label, e in parts.items():
                if "ms" in e:
                    lines.append(f"| {label} | | | | {e['ms']:.2f} |")
                else:
                    lines.append(f"| {label} | {e['rows']} | {e['raw_ms']:.2f} | {e['core_ms']:.2f} | {e['orm_ms']:.2f} |")
        for label, e in res.get("history_probe", {}).items():
            lines.append(f"\nhistory probe, {label}: {e['rows_returned']} rows; index entries read "
                         f"{e['index_entries_engine']} (engine's statement) / {e['index_entries_unbounded']} "
                         f"(without lower bound); raw DBAPI {e['raw_engine']['median_ms']:.2f} / "
                         f"{e['raw_unbounded']['median_ms']:.2f} ms; through the session "
                         f"{e['session_engine']['median_ms']:.2f} / {e['session_unbounded']['median_ms']:.2f} ms")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=21, help="timed runs of engine and raw (after warm-up)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=5,
                        help="timed runs of the naive baselines (0: skip them, booking's naive excepted)")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine; bench/results/profile_*.txt")
    parser.add_argument("--breakdown", action="store_true",
                        help="time load_calendar_times statement by statement (raw / Core / ORM)")
    parser.add_argument("--history-days", type=int, default=0,
                        help="start the data this many days earlier (a multiple of 7 keeps Mondays): more history")
    parser.add_argument("--clinics", type=int, default=1,
                        help="generate this many clinics into the database; the first one is measured")
    parser.add_argument("--only", default="",
                        help="comma-separated subset of a,a2,b,c1,c2,f,history,d (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--clock", choices=("wall", "thread"), default="wall",
                        help="time runs by wall clock or by this thread's CPU time (SQLite only; see TIMER)")
    args = parser.parse_args(argv)
    global TIMER
    TIMER = clock.thread_time if args.clock == "thread" else clock.perf_counter
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = {}
    git = git_state()  # the app code measured is the code this process imports, i.e. now
    for backend in backends:
        started = clock.perf_counter()
        load_before = os.getloadavg()
        results[backend] = run_backend(backend, args)
        results[backend]["loadavg_before"] = [round(x, 2) for x in load_before]
        results[backend]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        results[backend]["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                                       "platform": platform.platform(), "date": date.today().isoformat()}
        results[backend]["git"] = git
        results[backend]["wall_seconds"] = round(clock.perf_counter() - started, 1)
        RESULTS.mkdir(exist_ok=True)
        results[backend]["clock"] = args.clock
        (RESULTS / f"{tag(backend, args)}{'_only_' + args.only.replace(',', '_') if args.only else ''}"
                   f"{'_cpu' if args.clock == 'thread' else ''}.json").write_text(json.dumps(results[backend], indent=2, default=str))
    print(markdown(results))


if __name__ == "__main__":
    main()
