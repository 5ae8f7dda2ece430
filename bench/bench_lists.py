"""List screens benchmark: statements and wall-clock time of each list page, as a manager and
as the front desk, on an existing database (e.g. the demo seeded with years of history).

    DB=postgresql://postgres@127.0.0.1:5432/plinth_bench_h13fd
    .venv/bin/python -m flask seed-demo --history-months 60      # with DATABASE_URL=$DB, once
    .venv/bin/python -m bench.bench_lists $DB --runs 7

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
LOGINS = {"manager": "manager-demo-2026", "frontdesk": "frontdesk-demo-2026"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    from bench.generate import build_app

    app = build_app(args.database_url, migrate=False)
    from app.extensions import db

    seen: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    print(f"load {os.getloadavg()[0]:.1f}")
    print("| role | page | statements | median ms (p25–p75), N |")
    print("|---|---|---|---|")
    for role, password in LOGINS.items():
        client = app.test_client()
        response = client.post("/login/", data={"username": role, "password": password})
        assert response.status_code == 302, response.status_code
        for path in args.pages.split(","):
            assert client.get(path).status_code == 200, path
            times = []
            for _ in range(args.runs):
                seen.clear()
                started = clock.perf_counter()
                response = client.get(path)
                times.append((clock.perf_counter() - started) * 1000)
                assert response.status_code == 200, path
            q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
            print(f"| {role} | {path} | {len(seen)} | {statistics.median(times):.0f} ({q[0]:.0f}–{q[2]:.0f}), "
                  f"N={len(times)} |", flush=True)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
