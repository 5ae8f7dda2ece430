"""Reports benchmark: each report on a year of the 60-calendar reference clinic.

For every report (app/reports/) over the whole period: the median wall-clock time of the
report function (SQL, merging and shaping), its statement count, and the median time of
the same statements replayed alone on a bare DBAPI cursor ("raw": the GROUP BY queries
and nothing else). Interleaved runs, as in bench_availability.

    .venv/bin/python -m bench.bench_reports --db postgresql --history-days 364
    .venv/bin/python -m bench.bench_reports --db sqlite --history-days 90 --runs 5

PostgreSQL: database ``plinth_bench_reports`` (dropped and re-created). The generator
writes no invoices, so the revenue report's money queries run over empty tables here;
its hours-worked query reads every shift.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time as clock
from datetime import timedelta
from pathlib import Path

import psycopg

from bench.bench_availability import Recorder, measure_interleaved, replay, replayable
from bench.generate import TODAY, build_app, generate

PG_ADMIN_URL = os.environ.get("PLINTH_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "plinth_bench_reports"
RESULTS = Path(__file__).resolve().parent / "results"


def _pg_url() -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--history-days", type=int, default=364)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="plinth_bench_reports_")
    url = f"sqlite:///{tmp}/bench.db" if args.db == "sqlite" else _pg_url()
    app = build_app(url, tmp)
    from app.extensions import db
    from app.reports import attendance, dashboard, followup, patients, revenue, utilisation
    from app.reports.base import Filters

    with app.app_context():
        first = TODAY - timedelta(days=args.history_days)
        started = clock.perf_counter()
        with db.engine.begin() as conn:
            summary = generate(conn, first_day=first, horizon_days=args.history_days + 60)
        generated = clock.perf_counter() - started
        if args.db == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        year = Filters(first, TODAY)
        reports = {
            "utilisation": lambda: utilisation.report(year),
            "attendance (by provider)": lambda: attendance.report(year, "provider"),
            "attendance (by hour)": lambda: attendance.report(year, "hour"),
            "revenue (by provider)": lambda: revenue.report(year, "provider"),
            "patients": lambda: patients.report(year),
            "authorisations and cases due": lambda: followup.report(year),
            "dashboard (30 days vs 30)": lambda: dashboard.trends(),
        }
        recorder = Recorder(db.engine)
        results = {}
        for name, fn in reports.items():
            db.session.remove()
            with recorder.record():
                fn()
            statements = replayable(recorder.statements)
            raw_conn = db.engine.raw_connection()

            def run_report(_ctx, fn=fn):
                db.session.remove()
                return fn()

            def run_raw(_ctx, statements=statements, raw_conn=raw_conn):
                return replay(raw_conn, statements)

            stats = measure_interleaved({"report": (run_report, None, None), "raw": (run_raw, None, None)},
                                        runs=args.runs, warmup=args.warmup)
            raw_conn.close()
            report_ms, raw_ms = stats["report"].median_ms, stats["raw"].median_ms
            results[name] = {"statements": len(statements), "report": stats["report"].summary(),
                             "raw": stats["raw"].summary(), "ratio": round(report_ms / raw_ms, 2) if raw_ms else None}
            print(f"| {name} | {len(statements)} | {report_ms:.0f} | {raw_ms:.0f} | {results[name]['ratio']} |", flush=True)
        out = {"db": args.db, "history_days": args.history_days, "generated_s": round(generated, 1),
               "counts": summary["counts"], "reports": results, "loadavg": os.getloadavg()}
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"reports_{args.db}_{args.history_days}.json").write_text(json.dumps(out, indent=2, default=str))
        db.session.remove()
        db.engine.dispose()
    if args.db == "postgresql":
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
