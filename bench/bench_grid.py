"""Grid benchmark: the front-desk grid on the benchmark clinic, in headless Chromium.

    .venv/bin/python -m bench.bench_grid --db sqlite
    .venv/bin/python -m bench.bench_grid --db postgresql
    .venv/bin/python -m bench.bench_grid --db both --runs 7 --feed-runs 21

Builds a fresh database with bench/generate.py (60 calendars: 30 per location), adds
an Admin login, serves the app on a free local port (werkzeug, threaded, as the browser
tests do) and measures, for the busy day after the benchmark's "today" (Thu 2 Apr
2026) and for that week (``--views``: ``day``; ``week``, one calendar, the first
provider; ``location-week`` and ``location-week-by-calendar``, every calendar × 7 days —
the 420-column case with ``--one-location``):

* **drawn**: from the start of navigation (performance timeOrigin) to the moment every
  appointment and background event of the feeds is in the DOM, in Debian's Chromium
  (headless, the browser tests' flags), median of ``--runs`` navigations of one logged
  in tab (static files cached, as at a front desk all day) plus the first, cold one;
* **feeds**: median server time of the resources and events feeds through the Flask
  test client (no network), their statement counts and payload sizes (raw and gzip).

``--against COMMIT`` also draws with the grid scripts (grid.js, views.js, zone.js) of COMMIT, served
to a second logged-in tab, the two tabs' navigations alternating: on a shared machine the
ratio of the two medians means more than either.

Results go to stdout (markdown) and bench/results/grid_<db>.json. Not a test.
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import threading
import time as clock
from datetime import date, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import event

from bench.generate import LOCATIONS, TODAY, build_app, generate

PG_ADMIN_URL = os.environ.get("PLINTH_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "plinth_bench_grid"
RESULTS = Path(__file__).resolve().parent / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DAY = TODAY + timedelta(days=1)  # Thursday 2 Apr 2026: a full working day everywhere
USER, PASSWORD = "bench-admin", "bench-admin-password"

# The predicate the browser polls each frame: true (and the moment noted) once every
# event of the feeds is drawn. Background events are breaks and blocked time.
DRAWN = """([events, background]) => {
  const drawn = document.querySelectorAll('.fc-timegrid-event:not(.fc-event-mirror)').length;
  const bg = document.querySelectorAll('.fc-bg-event').length;
  if (drawn >= events && bg >= background) { window.__drawnAt = performance.now(); return true; }
  return false;
}"""


# Milestones of one navigation: page parsed, feeds answered (Resource Timing).
STEPS = """(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const feeds = performance.getEntriesByType('resource').filter((e) => e.name.includes('/calendar/feed/'));
  const end = (part) => Math.max(0, ...feeds.filter((e) => e.name.includes(part)).map((e) => e.responseEnd));
  const start = (part) => Math.min(...feeds.filter((e) => e.name.includes(part)).map((e) => e.startTime));
  return {html_received: nav.responseEnd, dom_content_loaded: nav.domContentLoadedEventEnd,
          resources_asked: start('/feed/resources'), resources_received: end('/feed/resources'),
          events_asked: start('/feed/events'), events_received: end('/feed/events')};
})()"""


def database_url(backend: str, tmp: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp}/grid.db"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{PG_DB}"


def prepare(backend: str, tmp: str, one_location: bool = False):
    url = database_url(backend, tmp)
    app = build_app(url, tmp)
    app.config["WTF_CSRF_ENABLED"] = False
    from app.extensions import db
    from app.security import ADMIN

    with app.app_context():
        started = clock.perf_counter()
        with db.engine.begin() as conn:
            summary = generate(conn, one_location=one_location)
        seconds = clock.perf_counter() - started
        sm = app.appbuilder.sm
        sm.add_user(USER, "Bench", "Admin", "bench@example.com", sm.find_role(ADMIN), password=PASSWORD)
        db.session.commit()
    return app, summary, seconds


class Server:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per request
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


def feed_stats(app, location_id: int, day_from: date, day_to: date, runs: int) -> dict:
    """Median server time, statements and size of the resources and events feeds."""
    from app.extensions import db

    client = app.test_client()
    assert client.post("/login/", data={"username": USER, "password": PASSWORD}).status_code == 302
    query = f"location_id={location_id}&start={day_from}&end={day_to + timedelta(days=1)}"
    result = {}
    with app.app_context():
        engine = db.engine
    for path in ("resources", "events"):
        url = f"/calendar/feed/{path}?{query}"
        statements: list[str] = []

        def count(conn, cursor, statement, *args):  # noqa: ANN001
            statements.append(statement)

        times, body = [], b""
        for run in range(runs + 2):  # two warm-up requests
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            started = clock.perf_counter()
            response = client.get(url)
            elapsed = clock.perf_counter() - started
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, response.data[:300]
            body = response.data
            if run >= 2:
                times.append(elapsed * 1000)
        items = json.loads(body)
        result[path] = {
            "median_ms": round(statistics.median(times), 1),
            "quartiles_ms": [round(q, 1) for q in statistics.quantiles(times, n=4)],
            "statements": len(statements), "bytes": len(body), "gzip_bytes": len(gzip.compress(body)),
            "items": len(items),
            "appointments": sum(1 for e in items if "appointment_id" in e.get("extendedProps", {})),
            "background": sum(1 for e in items if e.get("display") == "background"),
        }
        if path == "events":
            result[path]["list"] = items
        else:
            result[path]["first_provider"] = next((r["id"] for r in items if r.get("kind") == "provider"), items[0]["id"])
    return result


# The grid's own scripts, which --against serves from another commit to the "old" tab.
GRID_SCRIPTS = ("app/calendar/static/grid.js", "app/calendar/static/views.js", "app/calendar/static/zone.js")


def _script_at(commit: str, path: str, root: Path) -> bytes:
    """A script as ``commit`` had it; empty if it had none (the page still asks for it)."""
    shown = subprocess.run(["git", "show", f"{commit}:{path}"], capture_output=True, cwd=root)
    if shown.returncode:
        exists = subprocess.run(["git", "cat-file", "-e", commit], capture_output=True, cwd=root)
        assert not exists.returncode, f"no commit {commit}"
        return b"/* not in " + commit.encode() + b" */\n"
    return shown.stdout


def serve_old_scripts(app, commit: str) -> None:
    """Requests carrying the cookie ``bench_variant=old`` get the grid scripts of ``commit``."""
    from flask import Response, request

    root = Path(__file__).resolve().parent.parent
    old = {"/calendar/static/" + Path(path).name: _script_at(commit, path, root) for path in GRID_SCRIPTS}

    @app.before_request
    def old_scripts():  # noqa: ANN202
        if request.cookies.get("bench_variant") == "old" and request.path in old:
            return Response(old[request.path], mimetype="text/javascript")
        return None


def _logged_in_page(browser, base: str, variant: str):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    if variant == "old":
        context.add_cookies([{"name": "bench_variant", "value": "old", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    page.evaluate("localStorage.clear()")
    return page


def _summary(times: list[float], steps: list[dict], dom: int) -> dict:
    warm = times[1:]
    return {"first_ms": round(times[0]), "median_ms": round(statistics.median(warm)),
            "quartiles_ms": [round(q) for q in statistics.quantiles(warm, n=4)] if len(warm) > 1 else warm,
            "runs": len(warm), "dom_elements": dom,
            # Where the time goes (medians of the warm runs, ms since navigation start).
            "steps_ms": {key: round(statistics.median(s[key] for s in steps[1:])) for key in steps[0]}}


def browser_stats(base: str, location_id: int, day: date, view: str, expected: dict, runs: int,
                  calendar_id: str | None = None, variants=("new",)) -> dict:
    """Drawing times per variant; with two variants their navigations alternate (each in
    its own logged-in context, so each keeps its own cached scripts)."""
    from playwright.sync_api import sync_playwright

    url = f"{base}/calendar/?date={day}&location_id={location_id}&view={view}"
    if calendar_id:
        url += f"&calendar={calendar_id}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {variant: _logged_in_page(browser, base, variant) for variant in variants}
        times = {variant: [] for variant in variants}
        steps = {variant: [] for variant in variants}
        for _ in range(runs + 1):  # the first navigation loads the static files: reported apart
            for variant, page in pages.items():
                page.goto(url, wait_until="commit")
                page.wait_for_function(DRAWN, arg=[expected["events"], expected["background"]], polling="raf",
                                       timeout=120_000)
                times[variant].append(page.evaluate("window.__drawnAt"))
                steps[variant].append(page.evaluate(STEPS))
        result = {variant: _summary(times[variant], steps[variant],
                                    page.evaluate("document.getElementsByTagName('*').length"))
                  for variant, page in pages.items()}
        browser.close()
    return result if len(variants) > 1 else result[variants[0]]


VIEWS = ("day", "week", "location-week", "location-week-by-calendar")
HIDDEN_BY_DEFAULT = {"canceled", "rebooked"}  # grid.js: the statuses its legend hides at first


def run(backend: str, runs: int, feed_runs: int, one_location: bool = False, views=VIEWS,
        against: str | None = None) -> dict:
    tmp = tempfile.mkdtemp(prefix="plinth_bench_grid_")
    try:
        app, summary, seconds = prepare(backend, tmp, one_location)
        if against:
            serve_old_scripts(app, against)
        print(f"\n## {backend}: generated {summary['counts']} in {seconds:.1f} s")
        scenarios = []
        for index, (name, _, _) in enumerate(LOCATIONS):
            location_id = summary["location_ids"][index]
            for view in views:
                if (view != "day" or one_location) and index:
                    continue  # one location's weeks are enough to see how they scale
                day_from = DAY if view == "day" else DAY - timedelta(days=DAY.weekday())
                day_to = day_from if view == "day" else day_from + timedelta(days=6)
                feeds = feed_stats(app, location_id, day_from, day_to, feed_runs)
                # Each appointment is one event per calendar it holds; the one-calendar
                # week draws only the events of its calendar (the first provider's).
                calendar_id = feeds["resources"]["first_provider"] if view == "week" else None
                kept = [e for e in feeds["events"].pop("list") if calendar_id is None or e.get("resourceId") == calendar_id]
                # Canceled and rebooked visits are hidden by default and, since the grid stopped
                # giving them room, not drawn at all: waiting for them would never end. (Scripts
                # from before that change still draw them, hidden: more work, same wait.)
                kept = [e for e in kept if e.get("extendedProps", {}).get("status") not in HIDDEN_BY_DEFAULT]
                background = sum(1 for e in kept if e.get("display") == "background")
                expected = {"events": len(kept) - background, "background": background}
                columns = 1 if view == "week" else feeds["resources"]["items"]
                with Server(app) as base:
                    drawn = browser_stats(base, location_id, DAY, view, expected, runs, calendar_id,
                                          ("new", "old") if against else ("new",))
                if against:
                    drawn, old = drawn["new"], drawn["old"]
                    print(f"  grid scripts of {against}: drawn median {old['median_ms']} ms {old['quartiles_ms']} "
                          f"N={old['runs']} (first {old['first_ms']} ms); ratio new/old "
                          f"{drawn['median_ms'] / old['median_ms']:.2f}", flush=True)
                    drawn["against"] = {"commit": against, **old}
                scenarios.append({"location": name, "view": view, "days": [str(day_from), str(day_to)],
                                  "columns": columns, "feeds": feeds, "drawn": drawn, "expected": expected,
                                  "load": os.getloadavg()})
                print(f"- {name} {view}: {columns} calendar(s) × {1 if view == 'day' else 7} days, "
                      f"{expected['events']} events + {expected['background']} background; drawn median "
                      f"{drawn['median_ms']} ms {drawn['quartiles_ms']} N={drawn['runs']} "
                      f"(first {drawn['first_ms']} ms, {drawn['dom_elements']} elements); events feed "
                      f"{feeds['events']['median_ms']} ms, "
                      f"{feeds['events']['bytes'] / 1024:.0f} KiB ({feeds['events']['gzip_bytes'] / 1024:.0f} KiB gz), "
                      f"{feeds['events']['statements']} statements; resources feed "
                      f"{feeds['resources']['median_ms']} ms, {feeds['resources']['bytes'] / 1024:.1f} KiB, "
                      f"{feeds['resources']['statements']} statements; load {os.getloadavg()[0]:.2f}", flush=True)
        return {"backend": backend, "generated": summary["counts"], "scenarios": scenarios}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if backend == "postgresql":
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--runs", type=int, default=7, help="warm navigations per scenario (after a cold one)")
    parser.add_argument("--feed-runs", type=int, default=21)
    parser.add_argument("--one-location", action="store_true",
                        help="all 60 calendars at one location: a 60-column day and week")
    parser.add_argument("--views", default=",".join(VIEWS),
                        help="comma-separated: day, week (one calendar), location-week, location-week-by-calendar")
    parser.add_argument("--against", metavar="COMMIT",
                        help="also draw with the grid scripts of COMMIT, navigations alternating")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    RESULTS.mkdir(exist_ok=True)
    for backend in backends:
        result = run(backend, args.runs, args.feed_runs, args.one_location, args.views.split(","), args.against)
        result.update(commit=commit, machine=platform.platform(), cpus=os.cpu_count(), load=os.getloadavg())
        (RESULTS / f"grid_{backend}{'_60' if args.one_location else ''}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
