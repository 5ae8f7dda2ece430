"""List screens benchmark: statements and wall-clock time of each list page and report, as a
manager, the front desk and a provider, on an existing database (e.g. the demo seeded with years of history).

    DB=postgresql://postgres@127.0.0.1:5432/plinth_bench_h13fd
    .venv/bin/python -m flask seed-demo --history-months 60      # with DATABASE_URL=$DB, once
    .venv/bin/python -m bench.bench_lists $DB --add-clients 150000 --runs 7

``--add-clients N`` first adds N clients, each with a case and no visit, half at each of the
first two locations, by SQL (once: skipped when bulk clients are there), then ``ANALYZE``s.

Each page is fetched through Flask's test client (no HTTP server), signed in with the demo's
logins; the first fetch of each page is untimed (warm-up); the rows are the median
(p25–p75) over ``--runs`` fetches, and the statements of the last one. Read-only.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time as clock

from sqlalchemy import event

PAGES = ("/appointmentview/list/", "/clientview/list/", "/caseview/list/", "/invoiceview/list/",
         "/paymentview/list/", "/chargeview/list/", "/clientpackageview/list/", "/waitlistview/list/",
         "/messageview/list/", "/shiftview/list/", "/timeblockview/list/", "/billing/receivables/")
# The home dashboard and each report over its default period (the last 90 days).
REPORTS = ("/", "/reports/utilisation", "/reports/attendance", "/reports/revenue", "/reports/patients",
           "/reports/followup")
LOGINS = {"manager": "manager-demo-2026", "frontdesk": "frontdesk-demo-2026", "provider": "provider-demo-2026"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES + REPORTS))
    parser.add_argument("--roles", default=",".join(LOGINS))
    parser.add_argument("--add-clients", type=int, default=0)
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of each SELECT slower than 20 ms (PostgreSQL), once per page")
    args = parser.parse_args(argv)
    from bench.generate import build_app

    app = build_app(args.database_url, migrate=False)
    from app.extensions import db

    seen: list[tuple] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append((a[2], a[3])))
    if args.add_clients:
        with app.app_context(), db.engine.begin() as conn:
            add_clients(conn, args.add_clients)
    print(f"load {os.getloadavg()[0]:.1f}")
    print("| role | page | statements | median ms (p25–p75), N |")
    print("|---|---|---|---|")
    for role in args.roles.split(","):
        password = LOGINS[role]
        client = app.test_client()
        response = client.post("/login/", data={"username": role, "password": password})
        assert response.status_code == 302, response.status_code
        for path in args.pages.split(","):
            status = client.get(path).status_code
            if status != 200:  # a page the role may not open (a provider's billing lists)
                print(f"| {role} | {path} | – | not shown ({status}) |", flush=True)
                continue
            times = []
            for _ in range(args.runs):
                seen.clear()
                started = clock.perf_counter()
                response = client.get(path)
                times.append((clock.perf_counter() - started) * 1000)
                assert response.status_code == 200, path
            sent = len(seen)
            if args.explain:
                with app.app_context():
                    explain_slow(db.engine, seen)
            q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
            print(f"| {role} | {path} | {sent} | {statistics.median(times):.0f} ({q[0]:.0f}–{q[2]:.0f}), "
                  f"N={len(times)} |", flush=True)
    print(f"load {os.getloadavg()[0]:.1f}")


BULK_CLIENTS = """
INSERT INTO client (first_name, last_name, online_booking_blocked, home_location_id, created_at, message_channel)
SELECT 'Bulk' || g, 'Client' || lpad(g::text, 6, '0'), false,
       (SELECT id FROM location ORDER BY id OFFSET (g %% 2) LIMIT 1), now() - (g || ' minutes')::interval, 'email'
FROM generate_series(1, %(count)s) g;
INSERT INTO case_file (client_id, title, discipline_id, opened_on)
SELECT client.id, 'Bulk case', (SELECT min(id) FROM discipline), current_date - (client.id %% 1800)
FROM client WHERE client.first_name LIKE 'Bulk%%';
"""


def add_clients(conn, count: int) -> None:
    """``count`` clients with a case each (PostgreSQL), unless bulk clients are there already."""
    if conn.exec_driver_sql("SELECT count(*) FROM client WHERE first_name LIKE %(bulk)s", {"bulk": "Bulk%"}).scalar():
        return
    for statement in BULK_CLIENTS.strip().split(";\n"):
        conn.exec_driver_sql(statement.rstrip(";"), {"count": count})
    conn.exec_driver_sql("ANALYZE")


def explain_slow(engine, statements, slower_than_ms: float = 20.0) -> None:
    """EXPLAIN ANALYZE of each SELECT among ``statements`` that takes longer than ``slower_than_ms``."""
    with engine.connect() as conn:
        for statement, parameters in list(statements):
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            took = float(rows[-1].split(":")[1].split()[0])
            if took >= slower_than_ms:
                print(f"\n{took:.1f} ms: {' '.join(statement.split())[:600]}\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
