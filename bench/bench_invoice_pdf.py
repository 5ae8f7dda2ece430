"""Invoice PDF benchmark: how drawing an invoice grows with its number of lines.

Invoices of 25, 250 and 2,500 lines are issued through Plinth's own billing services in
a fresh database (one insurer case per invoice; each visit an arrived appointment on the
provider's calendar with its session type's default charges, a treatment and a product
line, from ``charges.default_charges`` and ``charges.add``; then ``invoicing.issue``).
Each is then drawn as the PDF endpoint draws it (``GET /api/v1/invoices/<id>/pdf`` minus
HTTP, permission scope and read log): from a fresh session, load the invoice, its
``balances.settlement`` and ``pdf.invoice_pdf``. The sizes are **interleaved** (25, 250,
2,500, 25, ...) so that load from other processes on the shared machine falls on all of
them alike; ``gc.collect()`` before each run. The HTML alone (``pdf.invoice_html``, the
Jinja template) is timed as a separate interleaved variant, so the share of xhtml2pdf
shows. SQL statements are counted with a ``before_cursor_execute`` listener during one
untimed draw of each size. Not a test; prints a markdown table.

    .venv/bin/python -m bench.bench_invoice_pdf --db postgresql
    .venv/bin/python -m bench.bench_invoice_pdf --db sqlite --sizes 25,250 --runs 11
    .venv/bin/python -m bench.bench_invoice_pdf --db postgresql --profile      # cProfile of the largest
    .venv/bin/python -m bench.bench_invoice_pdf --db postgresql --against 34a8d56 --runs 4 --warmup 0
        # before/after: also draws with invoice_pdf.html as it was at that commit, interleaved

Every variant of every size is drawn once, untimed, before the timed rounds (to count
its statements and pages), which also warms it up; ``--warmup`` adds untimed rounds.

PostgreSQL: database ``plinth_bench_pdf`` (dropped and re-created; admin URL in
``PLINTH_BENCH_PG_ADMIN``; ``--keep`` keeps it); SQLite: a file in a temporary
directory. Results: ``bench/results/invoice_pdf_<db>.json`` (every run, medians,
quartiles, statements, pages, bytes, load averages, the git commit measured); with
``--profile``, ``bench/results/invoice_pdf_profile_<db>.txt``.

"Per line" is the marginal cost: (t(n) - t(25)) / (n - 25); linear drawing keeps it
constant from one size to the next, super-linear drawing makes it grow.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

import psycopg

from bench.bench_availability import Recorder, Stats, git_state
from bench.generate import build_app

PG_ADMIN_URL = os.environ.get("PLINTH_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "plinth_bench_pdf"
RESULTS = Path(__file__).resolve().parent / "results"
FIRST_VISIT_DAY = date(2025, 1, 6)  # a Monday; visits on weekdays from here, 8 a day
ISSUED_ON = date(2026, 3, 16)
SLOTS = [time(h) for h in range(8, 16)]


def _pg_url() -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB


def _drop_pg() -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def _visit_starts():
    """Hourly starts on weekdays from FIRST_VISIT_DAY, never overlapping (one calendar)."""
    from app.timeutil import to_utc

    day = FIRST_VISIT_DAY
    while True:
        if day.weekday() < 5:
            for slot in SLOTS:
                yield to_utc(day, slot, "America/Toronto")
        day += timedelta(days=1)


def build_invoices(sizes: list[int]) -> tuple[dict[int, int], dict]:
    """One issued invoice of each size; returns {size: invoice id} and setup timings."""
    from decimal import Decimal

    from app.billing import charges as charge_service
    from app.billing import invoicing
    from app.extensions import db
    from app.models import AppointmentStatus, PayerKind, clinic_settings
    from tests import factories

    people = factories.make_people()
    people.location.invoice_prefix = "DT-"
    people.location.tax_id = "RT-123456789"
    people.location.address_line1, people.location.city = "100 Queen St W", "Toronto"
    people.provider.registration_number = "PT-4411"
    settings = clinic_settings()
    settings.clinic_name = "Harbour Physio"
    treatment = factories.make_billing_item(code="PT-FU", name="Physiotherapy follow-up",
                                            unit_price=Decimal("95.00"), tax_rate=Decimal("13"))
    tape = factories.make_billing_item(code="TAPE", name="Kinesiology tape", unit_price=Decimal("4.50"),
                                       tax_rate=Decimal("13"), is_product=True)
    session = factories.make_session_type(name="Follow-up", discipline=people.discipline, price=Decimal("95.00"),
                                          billing_items=[(treatment, Decimal("1")), (tape, Decimal("2"))])
    insurer = factories.make_payer(name="Sun Life", kind=PayerKind.insurer, address="PO Box 1, Waterloo ON")
    db.session.commit()
    starts = _visit_starts()
    invoice_ids, timings = {}, {}
    for size in sizes:
        started = clock.perf_counter()
        client = factories.make_client(first_name="Ana", last_name=f"Silva {size}", address_line1="12 King St",
                                       city="Toronto", home_location=people.location)
        case = factories.make_case(client=client, discipline=people.discipline, payer=insurer,
                                   claim_number=f"CL-{size}", provider=people.provider,
                                   opened_on=FIRST_VISIT_DAY)
        charge_ids: list[int] = []
        while len(charge_ids) < size:
            appointment = factories.make_appointment(people.provider_calendar, next(starts), session_type=session,
                                                     case=case, status=AppointmentStatus.arrived)
            inputs = charge_service.default_charges(appointment)[:size - len(charge_ids)]
            added = charge_service.add(case=case, inputs=inputs, actor=people.frontdesk, appointment=appointment,
                                       is_default=True)
            charge_ids += [c.id for c in added]
        db.session.commit()
        invoice = invoicing.issue(case=case, charge_ids=charge_ids, actor=people.frontdesk, today=ISSUED_ON)
        db.session.commit()
        assert len(invoice.lines) == size
        invoice_ids[size] = invoice.id
        timings[size] = round(clock.perf_counter() - started, 2)
    db.session.remove()
    return invoice_ids, timings


def draw(invoice_id: int) -> bytes:
    """What the PDF endpoint does, from a fresh session (no HTTP, scope or read log)."""
    from app.billing import balances, pdf
    from app.extensions import db
    from app.models import Invoice, InvoiceKind

    db.session.remove()
    invoice = db.session.get(Invoice, invoice_id)
    settled = balances.settlement(invoice) if invoice.kind == InvoiceKind.invoice else None
    return pdf.invoice_pdf(invoice, settled=settled)


def html_only(invoice_id: int) -> str:
    from app.billing import balances, pdf
    from app.extensions import db
    from app.models import Invoice

    db.session.remove()
    invoice = db.session.get(Invoice, invoice_id)
    return pdf.invoice_html(invoice, settled=balances.settlement(invoice))


def pages_of(data: bytes) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(data)).pages)


def template_of(rev: str):
    """A Jinja environment like pdf's, serving ``invoice_pdf.html`` as it was at ``rev``."""
    import subprocess

    from jinja2 import DictLoader

    from app.billing import pdf

    root = Path(__file__).resolve().parent.parent
    text = subprocess.run(["git", "show", f"{rev}:app/billing/templates/invoice_pdf.html"], cwd=root,
                          capture_output=True, text=True, check=True).stdout
    return pdf._env.overlay(loader=DictLoader({"invoice_pdf.html": text}))


def drawn_with(env):
    """``draw`` with pdf's template environment swapped for ``env`` (``--against``)."""
    from app.billing import pdf

    def fn(invoice_id: int) -> bytes:
        saved, pdf._env = pdf._env, env
        try:
            return draw(invoice_id)
        finally:
            pdf._env = saved
    return fn


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--sizes", default="25,250,2500", help="invoice lines, comma list (first = the base)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each size (interleaved)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--no-html", action="store_true", help="skip the HTML-only variant")
    parser.add_argument("--against", metavar="REV",
                        help="also draw with invoice_pdf.html as it was at git REV, interleaved (before/after)")
    parser.add_argument("--profile", action="store_true", help="cProfile one draw of the largest size")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--out", help="results file name under bench/results/ (default invoice_pdf_<db>.json)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = tempfile.mkdtemp(prefix="plinth_bench_pdf_")
    url = f"sqlite:///{tmp}/bench.db" if args.db == "sqlite" else _pg_url()
    app = build_app(url, tmp)
    from app.extensions import db

    load_before = os.getloadavg()
    with app.test_request_context():  # flask_babel's gettext wants a request or app context
        invoice_ids, setup_s = build_invoices(sizes)
        variants = {"pdf": draw}
        if args.against:
            variants[f"pdf at {args.against}"] = drawn_with(template_of(args.against))
        if not args.no_html:
            variants["html"] = html_only
        recorder = Recorder(db.engine)
        shapes = {}
        for size in sizes:
            for name in [v for v in variants if v.startswith("pdf")]:
                with recorder.record():
                    data = variants[name](invoice_ids[size])
                shapes[(name, size)] = {"statements": len(recorder.statements), "bytes": len(data),
                                        "pages": pages_of(data), "sql": [s for s, _ in recorder.statements]}
                print(f"{size} lines ({name}): issued in {setup_s[size]} s, {shapes[(name, size)]['pages']} pages, "
                      f"{len(data)} bytes, {len(recorder.statements)} statements while drawing", flush=True)
        stats = {(name, size): Stats() for name in variants for size in sizes}
        loads = [os.getloadavg()[0]]
        for i in range(args.warmup + args.runs):
            for size in sizes:
                for name, fn in variants.items():
                    gc.collect()
                    started = clock.perf_counter()
                    fn(invoice_ids[size])
                    elapsed = clock.perf_counter() - started
                    if i >= args.warmup:
                        stats[(name, size)].runs.append(elapsed)
            loads.append(os.getloadavg()[0])
            print(f"round {i + 1}/{args.warmup + args.runs}: " + ", ".join(
                f"{name} {size}: {st.runs[-1] * 1000:.0f} ms" for (name, size), st in stats.items()
                if st.runs and name.startswith("pdf")) + f" (load {loads[-1]:.2f})", flush=True)
        profile_path = None
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            draw(invoice_ids[sizes[-1]])
            profiler.disable()
            table = io.StringIO()
            pstats.Stats(profiler, stream=table).sort_stats("cumulative").print_stats(45)
            profile_path = RESULTS / f"invoice_pdf_profile_{args.db}.txt"
            RESULTS.mkdir(exist_ok=True)
            profile_path.write_text(f"one draw of the {sizes[-1]}-line invoice, load {os.getloadavg()[0]:.2f}\n"
                                    + table.getvalue())
        db.session.remove()
        db.engine.dispose()
    if args.db == "postgresql" and not args.keep:
        _drop_pg()

    base = sizes[0]
    rows = []
    for name in [v for v in variants if v.startswith("pdf")]:
        base_runs = stats[(name, base)].runs
        base_ms = stats[(name, base)].median_ms
        for size in sizes:
            st = stats[(name, size)]
            ms = st.median_ms
            html = stats.get(("html", size))
            rows.append({
                "variant": name, "lines": size, "pdf": st.summary(), "runs_ms": [round(t * 1000, 1) for t in st.runs],
                "html": html.summary() if html is not None and html.runs else None,
                "ms_per_line": round(ms / size, 3),
                "marginal_ms_per_line": round((ms - base_ms) / (size - base), 3) if size != base else None,
                "ratio_to_base": round(ms / base_ms, 2),
                # Per-round ratios (same round, so about the same load): their median and spread.
                "ratio_to_base_per_round": _spread([a / b for a, b in zip(st.runs, base_runs)]),
                **shapes[(name, size)], "issue_seconds": setup_s[size]})
    out = {"db": args.db, "sizes": sizes, "runs": args.runs, "warmup": args.warmup, "against": args.against,
           "results": rows,
           "loadavg_1min": {"before": round(load_before[0], 2), "min": round(min(loads), 2),
                            "max": round(max(loads), 2), "after": round(os.getloadavg()[0], 2), "rounds": loads},
           "cores": os.cpu_count(), "git": git_state(), "when": datetime.utcnow().isoformat(timespec="seconds") + "Z",
           "profile": str(profile_path.relative_to(RESULTS.parent.parent)) if profile_path else None}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / (args.out or f"invoice_pdf_{args.db}.json")).write_text(json.dumps(out, indent=2, default=str))
    print()
    print(f"{args.db}, median (p25–p75) ms, N={args.runs} each, sizes (and variants) interleaved; "
          f"load (1 min) {out['loadavg_1min']['min']}–{out['loadavg_1min']['max']}")
    print()
    print("| variant | lines | pages | statements | PDF ms | HTML only ms | ms per line | marginal ms per line "
          f"| × {base} lines (median of per-round ratios, p25–p75) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p, h, q = r["pdf"], r["html"], r["ratio_to_base_per_round"]
        html = "" if h is None or r["variant"] != "pdf" else f"{h['median_ms']:.1f} ({h['p25_ms']:.1f}–{h['p75_ms']:.1f})"
        marginal = "" if r["marginal_ms_per_line"] is None else f"{r['marginal_ms_per_line']:.2f}"
        print(f"| {r['variant']} | {r['lines']} | {r['pages']} | {r['statements']} "
              f"| {p['median_ms']:.0f} ({p['p25_ms']:.0f}–{p['p75_ms']:.0f}) | {html} | {r['ms_per_line']:.2f} "
              f"| {marginal} | {q['median']:.2f} ({q['p25']:.2f}–{q['p75']:.2f}) |")


def _spread(values: list[float]) -> dict:
    values = sorted(values)
    q = statistics.quantiles(values, n=4) if len(values) >= 4 else [values[0], statistics.median(values), values[-1]]
    return {"median": round(statistics.median(values), 2), "p25": round(q[0], 2), "p75": round(q[2], 2),
            "n": len(values)}


if __name__ == "__main__":
    main()
