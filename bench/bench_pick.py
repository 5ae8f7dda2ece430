"""The Add Case form at a clinic's size (issue 13): its page size, statements and time, and
the client picker's answer, as the manager and the front desk.

    DB=postgresql://postgres@127.0.0.1:5432/plinth_bench_pick
    .venv/bin/python -m bench.bench_pick $DB --build 150000    # once: migrate, demo, clients
    .venv/bin/python -m bench.bench_pick $DB --runs 7

``--build N`` migrates an empty database, seeds the demo clinic and adds N clients by SQL
(half at each demo location; first and last names drawn from lists with and without
accents, so names repeat as they do in a clinic), then ``ANALYZE``. Pages are fetched through
Flask's test client signed in with the demo's logins; the first fetch is untimed; rows are the
median (p25–p75) over ``--runs`` fetches and the statements of the last one. A route the code
under test does not have (the picker, before it existed) is reported as such. Read-only
apart from ``--build``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time as clock

from sqlalchemy import event, text

from bench.bench_lists import LOGINS

PAGES = ("/caseview/add", "/caseview/pick/client?q=silva", "/caseview/pick/client?q=jose m",
         "/caseview/pick/client?q=zzqx")
FIRST = ("Ana", "José", "João", "Émilie", "Marie", "François", "Inês", "Luís", "Chloé", "Noah", "Liam",
         "Olivia", "Sofia", "Hélène", "André", "Zoë", "Mateus", "Beatriz", "Gaëlle", "Renée")
LAST = ("Silva", "Santos", "Gonçalves", "Lévesque", "Tremblay", "Gagnon", "Côté", "Bouchard", "Martins",
        "Ferreira", "Müller", "Smith", "Nguyen", "Roy", "Pelletier", "Fortin", "Simões", "Araújo",
        "Bélanger", "Morin", "Lefèvre", "Costa", "Brown", "Wilson", "Sousa", "Gauthier", "O'Brien")


def build(url: str, count: int) -> None:
    from bench.generate import build_app

    app = build_app(url)
    from app.demo import seed_demo
    from app.extensions import db

    with app.app_context():
        seed_demo()
        first = "ARRAY[" + ",".join(f"'{n}'" for n in FIRST) + "]"
        last = "ARRAY[" + ",".join("'" + n.replace("'", "''") + "'" for n in LAST) + "]"
        with db.engine.begin() as conn:
            locations = [row[0] for row in conn.execute(text("SELECT id FROM location ORDER BY id"))]
            conn.execute(text(
                f"INSERT INTO client (first_name, last_name, date_of_birth, email, home_location_id, "
                f"online_booking_blocked, message_channel, created_at) "
                f"SELECT ({first})[1 + (n * 7) % {len(FIRST)}], ({last})[1 + (n * 13) % {len(LAST)}], "
                f"DATE '1940-01-01' + (n * 37) % 25000, 'bench' || n || '@example.test', "
                f"(ARRAY[{','.join(map(str, locations))}])[1 + (n / 3) % {len(locations)}], false, 'email', now() "
                f"FROM generate_series(1, :count) AS n"), {"count": count})
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
            print("clients:", conn.execute(text("SELECT count(*) FROM client")).scalar())


def measure(url: str, runs: int, pages: list[str]) -> None:
    from bench.generate import build_app

    app = build_app(url, migrate=False)
    from app.extensions import db

    seen: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    print(f"load {os.getloadavg()[0]:.1f}")
    print("| role | page | status | bytes | statements | median ms (p25–p75), N |")
    print("|---|---|---|---|---|---|")
    for role, password in LOGINS.items():
        client = app.test_client()
        assert client.post("/login/", data={"username": role, "password": password}).status_code == 302
        for path in pages:
            first = client.get(path)
            if first.status_code != 200:
                print(f"| {role} | {path} | {first.status_code} | | | not served |", flush=True)
                continue
            times = []
            for _ in range(runs):
                seen.clear()
                started = clock.perf_counter()
                response = client.get(path)
                times.append((clock.perf_counter() - started) * 1000)
                assert response.status_code == 200, path
            q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
            print(f"| {role} | {path} | 200 | {len(response.data):,} | {len(seen)} | "
                  f"{statistics.median(times):.0f} ({q[0]:.0f}–{q[2]:.0f}), N={len(times)} |", flush=True)
    print(f"load {os.getloadavg()[0]:.1f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--build", type=int, metavar="CLIENTS", help="migrate, seed the demo, add CLIENTS clients")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    if args.build:
        build(args.database_url, args.build)
    else:
        measure(args.database_url, args.runs, args.pages.split(","))


if __name__ == "__main__":
    main()
