"""Client CSV import: 10,000 rows from bytes to commit, against a raw INSERT baseline.
Not a test; prints a markdown table and writes ``bench/results/import.json``.

    .venv/bin/python -m bench.bench_import                  # both databases, 10,000 rows, 3 runs
    .venv/bin/python -m bench.bench_import --db sqlite --rows 20000 --runs 5

Each run imports a different file (new emails and phones) into a clinic that already has
``--existing`` clients, so duplicate detection reads a real index; 2 % of the rows have a
bad phone or date and 2 % repeat an existing client (skipped), as a real list would.
Timed: decode + delimiter sniffing + column guess (``read``), the dry-run plan (``plan``)
and the bulk write with its audit rows and the commit (``write``). Baseline: one Core
``INSERT`` executemany of the same new clients (no checks, no audit) in one transaction.
PostgreSQL database ``plinth_bench_import`` (dropped and re-created; admin URL in
``PLINTH_BENCH_PG_ADMIN``); SQLite in a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("PLINTH_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "plinth_bench_import"
FIRST = ["João", "Hélène", "Zoë", "François", "Ana", "Inês", "Maria", "Pedro", "Chloé", "Noah", "Liam", "Ève"]
LAST = ["Conceição", "Côté", "Lefèvre", "Silva", "Gonçalves", "Tremblay", "Smith", "Müller", "Brown", "Araújo"]


def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench_import.db'}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"


def phone(rng: random.Random, serial: int) -> str:
    return f"({rng.choice(['416', '647', '905'])}) {200 + serial // 10000 % 700}-{serial % 10000:04d}"


def make_file(rng: random.Random, rows: int, run: int, existing: list[dict]) -> bytes:
    lines = ["Prénom;Nom de famille;Date de naissance;Courriel;Téléphone;NIF"]
    for n in range(rows):
        serial = run * 1_000_000 + n
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2015)}"
        email, tel, tax = f"p{serial}@example.com", phone(rng, serial + 50_000), f"{serial:09d}"
        roll = rng.random()
        if roll < 0.01:
            tel = "12"
        elif roll < 0.02:
            born = "31/02/1980"
        elif roll < 0.04:
            email, tel, tax = existing[rng.randrange(len(existing))]["email"], "", ""
        lines.append(";".join([first, last, born, email, tel, tax]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def run_db(kind: str, rows: int, runs: int, existing_count: int) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    tmp = Path(tempfile.mkdtemp(prefix="plinth-bench-import-"))
    os.environ.update(DATABASE_URL=database_url(kind, tmp), PLINTH_INSTANCE_DIR=str(tmp))
    from app import create_app
    from app.extensions import db
    from app.importing import planner, runner, service
    from app.importing.csvfile import read_table
    from app.models import Client
    from app.timeutil import utcnow

    app = create_app({"PLINTH_LOCALE": "fr_CA"})
    rng = random.Random(20261204)
    result = {"db": kind, "rows": rows, "existing": existing_count, "runs": []}
    with app.app_context():
        upgrade()
        existing = [{"first_name": "Old", "last_name": f"Client{n}", "email": f"old{n}@example.com",
                     "phone": f"+1416{300 + n // 10000:03d}{n % 10000:04d}", "created_at": utcnow(),
                     "online_booking_blocked": False} for n in range(existing_count)]
        db.session.execute(insert(Client), existing)
        db.session.commit()
        for run in range(runs):
            data = make_file(rng, rows, run + 1, existing)
            t0 = time.perf_counter()
            table = read_table(data)
            raw = service.default_options(table)
            options = service.build_options(table, {**raw, "date_order": "DMY", "valid_rows_only": True})
            t1 = time.perf_counter()
            outcomes = planner.plan(table, options)
            t2 = time.perf_counter()
            written = runner.run(outcomes, options)
            db.session.commit()
            t3 = time.perf_counter()
            new_rows = [{**o.values, "first_name": o.values["first_name"], "email": "raw-" + o.values.get("email", ""),
                         "phone": None, "tax_id": None, "created_at": utcnow(), "online_booking_blocked": False}
                        for o in outcomes if o.action == planner.CREATE]
            t4 = time.perf_counter()
            if new_rows:
                db.session.execute(insert(Client), new_rows)
            db.session.commit()
            t5 = time.perf_counter()
            result["runs"].append({"read": t1 - t0, "plan": t2 - t1, "write": t3 - t2, "total": t3 - t0,
                                   "raw_insert": t5 - t4, "counts": written.counts})
            print(f"  {kind} run {run + 1}: total {t3 - t0:.2f} s ({written.counts})", file=sys.stderr)
        db.session.remove()
        db.engine.dispose()
    for key in ("read", "plan", "write", "total", "raw_insert"):
        result[key] = statistics.median(r[key] for r in result["runs"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--existing", type=int, default=5_000)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = []
    for kind in kinds:
        # One process per database: create_app reads DATABASE_URL once.
        out = subprocess.run([sys.executable, "-c", (
            "import json,sys; sys.path.insert(0, %r); from bench.bench_import import run_db; "
            "print(json.dumps(run_db(%r, %d, %d, %d)))") % (str(ROOT), kind, args.rows, args.runs, args.existing)],
            capture_output=True, text=True, check=True, cwd=ROOT)
        sys.stderr.write("\n".join(line for line in out.stderr.splitlines() if "  run " in line or " run " in line) + "\n")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    load = os.getloadavg()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    print(f"\n{args.rows} rows, {args.existing} clients already there, median of {args.runs} runs "
          f"(load {load[0]:.1f}, commit {commit}):\n")
    print("| db | read + map | plan (dry run) | write + audit + commit | total | raw INSERT baseline | total / raw |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['db']} | {r['read']:.2f} s | {r['plan']:.2f} s | {r['write']:.2f} s | {r['total']:.2f} s | "
              f"{r['raw_insert']:.2f} s | {r['total'] / r['raw_insert']:.1f}× |")
    target = ROOT / "bench" / "results" / "import.json"
    target.write_text(json.dumps({"commit": commit, "load": load, "results": results}, indent=2))


if __name__ == "__main__":
    main()
