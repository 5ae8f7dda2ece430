"""Outbox throughput: N due reminders dispatched by 1 and by 2 RQ workers to a local
SendGrid stub that answers after a realistic delay. Not a test; prints a markdown table.

    .venv/bin/python -m bench.bench_messaging                 # 10,000 messages, 30 ms stub delay
    .venv/bin/python -m bench.bench_messaging --messages 2000 --delay 0.05 --workers 1,2
    .venv/bin/python -m bench.bench_messaging --profile 300   # in-process cost per message
    .venv/bin/python -m bench.bench_messaging --sms-share 0.5 # half of them texts (Twilio stub)
    .venv/bin/python -m bench.bench_messaging --messages 1000 --workers 1 --threads 1,4 --repeat 3 \
        --redis-db 9 --pg-db plinth_bench_pdf                  # 1 and 4 send threads, interleaved, N=3

PostgreSQL (``plinth_bench_msg``, or ``--pg-db``; dropped and re-created; admin URL in
``PLINTH_BENCH_PG_ADMIN``) and Redis db 14 (or ``--redis-db``: pick one no other session
on the machine uses). Each run: fresh rows (one appointment per
reminder, so the send-time re-check reads real rows), all due, none enqueued: the
workers' periodic sweep finds them and enqueues them in batches, as it does for
reminders coming due. The clock runs from the workers' start to the last message the
stub accepted. Duplicates are counted at the stub by message id. The load average is
sampled during the run, since the machine may be shared. ``--repeat R`` runs every
worker/thread setting R times, in turn (1, 4, 1, 4, ...), and adds medians with their
p25–p75 spread to the table.

``--sms-share F`` makes that fraction of the reminders SMS, sent through Twilio's client
to a local Twilio stub with the same delay (the client consents, the location has a
sender and no quiet hours); the rest stay email. Duplicates are counted at both stubs.

``--profile N`` runs one batch of N in this process (no RQ) under cProfile and counts
the SQL statements per message.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("PLINTH_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/14"  # --redis-db changes it
DB_NAME = "plinth_bench_msg"  # --pg-db changes it


def recreate_db() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"


def build(url: str, instance: Path, n: int, queue: str, sms_share: float = 0.0) -> list[int]:
    os.environ.update(DATABASE_URL=url, PLINTH_INSTANCE_DIR=str(instance), REDIS_URL=REDIS_URL)
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app
    from app.extensions import db
    from app.models import (Appointment, Calendar, CalendarKind, Case, Client, Discipline, Location,
                            LocationTextSettings, Message, NotificationSettings, Occupancy, SessionType, TeamMember)
    from app.timeutil import utcnow

    app = create_app({"PLINTH_QUEUE_NAME": queue})
    with app.app_context():
        upgrade()
        now = utcnow()
        location = Location(name="Toronto", timezone="America/Toronto", invoice_prefix="T-")
        discipline = Discipline(name="Physio")
        session_type = SessionType(name="Follow-up", category="Physio", discipline=discipline,
                                   duration_minutes=30, price=90)
        client = Client(first_name="Alex", last_name="Bench", email="alex@example.com", phone="+14165550100",
                        message_channel="both", text_consent_at=now, text_consent_source="import")
        case = Case(client=client, discipline=discipline, title="Bench", opened_on=now.date())
        user = app.appbuilder.sm.user_model(username="maya", first_name="Maya", last_name="Chen",
                                            email="maya@example.com", active=True, password="x")
        provider = TeamMember(user=user, display_name="Maya Chen", is_provider=True)
        calendar = Calendar(name="Maya Chen", kind=CalendarKind.provider, location=location, team_member=provider)
        db.session.add_all([location, session_type, case, calendar, NotificationSettings(id=1, reminders_enabled=True),
                            LocationTextSettings(location=location, sender_number="+14165550000",
                                                 text_kinds="reminder")])
        db.session.flush()
        # A realistic reminder: the appointment holds the provider's calendar (one
        # occupancy each, 30 minutes apart so they do not overlap).
        starts = [now + timedelta(days=1, minutes=30 * i) for i in range(n)]
        ids = db.session.execute(insert(Appointment).returning(Appointment.id), [
            dict(case_id=case.id, location_id=location.id, session_type_id=session_type.id, starts_at=s,
                 ends_at=s + timedelta(minutes=30), status="booked", booked_via="staff", notify=True,
                 created_at=now, updated_at=now, version=1) for s in starts]).scalars().all()
        db.session.execute(insert(Occupancy), [
            dict(appointment_id=a, calendar_id=calendar.id, starts_at=s, ends_at=s + timedelta(minutes=30),
                 exclusive=True, active=True) for a, s in zip(ids, starts)])
        texts = int(n * sms_share)  # every k-th message a text, spread through the run
        is_text = [texts and (i * texts) // n != ((i + 1) * texts) // n for i in range(n)]
        db.session.execute(insert(Message), [
            dict(channel="sms" if is_text[i] else "email", kind="reminder_1", audience="client",
                 to_address=f"+1416555{i % 10000:04d}" if is_text[i] else f"c{i}@example.com",
                 client_id=client.id, appointment_id=a, location_id=location.id, appointment_starts_at=s,
                 offset_minutes=1440, due_at=now, state="pending", attempts=0, dedupe_key=f"bench:{i}",
                 created_at=now) for i, (a, s) in enumerate(zip(ids, starts))])
        db.session.commit()
        message_ids = db.session.scalars(db.select(Message.id).order_by(Message.id)).all()
        db.session.remove()
        db.engine.dispose()
    return message_ids


def sent_count(url: str) -> int:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        return conn.execute("SELECT count(*) FROM message WHERE state = 'sent'").fetchone()[0]


def run(n: int, workers: int, delay: float, sms_share: float = 0.0, threads: int = 4) -> dict:
    from tests.messaging.stub import SendGridStub
    from tests.messaging.twilio_stub import ACCOUNT_SID, AUTH_TOKEN, TwilioStub

    url = recreate_db()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    instance = Path(f"/tmp/plinth-bench-msg-{queue}")
    instance.mkdir(parents=True, exist_ok=True)
    build(url, instance, n, queue, sms_share)
    stub = SendGridStub(delay=delay).start()
    twilio = TwilioStub(delay=delay).start()
    env = {**os.environ, "DATABASE_URL": url, "PLINTH_INSTANCE_DIR": str(instance), "REDIS_URL": REDIS_URL,
           "SENDGRID_API_KEY": "SG.bench", "SENDGRID_API_HOST": stub.url, "PLINTH_OUTBOX_SWEEP_SECONDS": "10",
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_API_BASE": twilio.url,
           "PLINTH_OUTBOX_SEND_THREADS": str(threads)}
    loads = [os.getloadavg()[0]]
    started = time.time()
    procs = [subprocess.Popen([sys.executable, "-m", "app.tasks.worker", "--queue", queue, "--logging-level",
                               "WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL) for _ in range(workers)]
    deadline = started + 3600
    done = 0
    while time.time() < deadline:
        done = sent_count(url)
        if done >= n:
            break
        time.sleep(0.5)
        if int(time.time() - started) % 10 == 0:
            loads.append(os.getloadavg()[0])
    loads.append(os.getloadavg()[0])
    time.sleep(2)  # anything still in flight (a duplicate) reaches the stub
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)
    accepted = stub.accepted() + twilio.accepted()
    last = max(r["at"] for r in accepted) if accepted else started
    stub.stop()
    twilio.stop()
    connection = Redis.from_url(REDIS_URL)
    connection.delete(f"rq:queue:{queue}")
    for key in connection.scan_iter(f"plinth:outbox:{queue}:*", count=1000):
        connection.delete(key)
    elapsed = last - started
    return {"messages": n, "workers": workers, "send_threads": threads, "stub_delay_ms": int(delay * 1000),
            "sent": done,
            # One send at a time per worker can do at most 1 / delay a second: the "latency limit".
            "share_of_latency_limit": round(len(accepted) / elapsed / (workers / delay), 2),
            "sms": len(twilio.accepted()), "email": len(stub.accepted()),
            "accepted_by_stub": len(accepted), "duplicates": stub.duplicates() + twilio.duplicates(),
            "seconds_to_last": round(elapsed, 1), "messages_per_second": round(len(accepted) / elapsed, 1),
            "load_average_1min": {"min": round(min(loads), 2), "max": round(max(loads), 2),
                                  "mean": round(sum(loads) / len(loads), 2)},
            "cores": os.cpu_count()}


def profile(n: int, delay: float) -> str:
    """One batch of ``n`` in this process: ms per message, statements per message, the
    cProfile table. Returns the report (also written to bench/results/)."""
    import cProfile
    import io
    import pstats

    from sqlalchemy import event

    from tests.messaging.stub import SendGridStub

    url = recreate_db()
    instance = Path(f"/tmp/plinth-bench-msg-profile-{uuid.uuid4().hex[:8]}")
    instance.mkdir(parents=True, exist_ok=True)
    ids = build(url, instance, 2 * n + 1, "bench-profile")
    stub = SendGridStub(delay=delay).start()
    from app import create_app
    from app.extensions import db
    from app.messaging.delivery import deliver_batch, warm_up

    app = create_app({"SENDGRID_API_KEY": "SG.bench", "SENDGRID_API_HOST": stub.url,
                      "PLINTH_OUTBOX_BATCH_SECONDS": 3600})
    with app.app_context():
        warm_up()  # as the worker does before forking
        deliver_batch(ids[:1])  # connection, first-use costs
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        outcomes = deliver_batch(ids[1:n + 1])
        profiler.disable()
        elapsed = time.perf_counter() - started
        count = len(statements)
        started = time.perf_counter()
        plain = deliver_batch(ids[n + 1:])  # the same again without the profiler's overhead
        plain_elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    stub.stop()
    table = io.StringIO()
    stats = pstats.Stats(profiler, stream=table).sort_stats("cumulative")
    stats.print_stats("app/messaging")  # Plinth's own steps first
    stats.print_stats(30)
    report = (f"batches of {n} reminders in one process, stub delay {int(delay * 1000)} ms, "
              f"load average {os.getloadavg()[0]:.2f}: {outcomes}, {plain}\n"
              f"{plain_elapsed / n * 1000:.1f} ms per message ({elapsed / n * 1000:.1f} under the profiler), "
              f"{count / n:.1f} SQL statements per message (plus BEGIN/COMMIT: two transactions per message)\n\n"
              + table.getvalue())
    out = ROOT / "bench" / "results" / "messaging_profile.txt"
    out.write_text(report)
    return report


def main() -> None:
    global REDIS_URL, DB_NAME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=0.03, help="stub answer delay in seconds")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--threads", default="4", help="PLINTH_OUTBOX_SEND_THREADS per worker (comma list)")
    parser.add_argument("--sms-share", type=float, default=0.0, help="fraction of the reminders sent as SMS")
    parser.add_argument("--out", help="results file name under bench/results/ (default: messaging[_smsNN].json)")
    parser.add_argument("--profile", type=int, metavar="N", help="profile one in-process batch of N instead")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every setting, interleaved")
    parser.add_argument("--redis-db", type=int, default=14, help="Redis database number (one nobody else uses)")
    parser.add_argument("--pg-db", default=DB_NAME, help="PostgreSQL database (dropped and re-created)")
    args = parser.parse_args()
    REDIS_URL = f"redis://127.0.0.1:6379/{args.redis_db}"
    DB_NAME = args.pg_db
    if args.profile:
        print(profile(args.profile, args.delay)[:600])
        return
    results = []
    for repeat in range(args.repeat):
        for w in args.workers.split(","):
            for threads in args.threads.split(","):
                results.append({**run(args.messages, int(w), args.delay, args.sms_share, int(threads)),
                                "repeat": repeat + 1, "git": _git_head()})
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print("| workers | send threads | messages (email / SMS) | stub delay | sent | duplicates | time to last (s) "
          "| messages/s | × latency limit (workers / delay) | load avg (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        load = r["load_average_1min"]
        print(f"| {r['workers']} | {r['send_threads']} | {r['messages']} ({r['email']} / {r['sms']}) | "
              f"{r['stub_delay_ms']} ms | {r['sent']} | {r['duplicates']} | {r['seconds_to_last']} | "
              f"{r['messages_per_second']} | {r['share_of_latency_limit']:.2f} | "
              f"{load['min']:.1f}–{load['max']:.1f} |")
    if args.repeat > 1:
        print()
        print("| workers | send threads | N | messages/s median (p25–p75) | × latency limit median (p25–p75) "
              "| duplicates (total) | load avg (1 min) min–max |")
        print("|---|---|---|---|---|---|---|")
        for w in args.workers.split(","):
            for threads in args.threads.split(","):
                mine = [r for r in results if r["workers"] == int(w) and r["send_threads"] == int(threads)]
                rate, share = _spread([r["messages_per_second"] for r in mine]), _spread(
                    [r["share_of_latency_limit"] for r in mine])
                print(f"| {w} | {threads} | {len(mine)} | {rate[0]:.1f} ({rate[1]:.1f}–{rate[2]:.1f}) | "
                      f"{share[0]:.2f} ({share[1]:.2f}–{share[2]:.2f}) | {sum(r['duplicates'] for r in mine)} | "
                      f"{min(r['load_average_1min']['min'] for r in mine):.1f}–"
                      f"{max(r['load_average_1min']['max'] for r in mine):.1f} |")
    name = args.out or (f"messaging_sms{int(args.sms_share * 100)}.json" if args.sms_share else "messaging.json")
    out = ROOT / "bench" / "results" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


def _spread(values: list[float]) -> tuple[float, float, float]:
    """Median, p25, p75 (the extremes when fewer than 4)."""
    import statistics

    values = sorted(values)
    if len(values) < 4:
        return statistics.median(values), values[0], values[-1]
    q = statistics.quantiles(values, n=4)
    return statistics.median(values), q[0], q[2]


def _git_head() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip()


if __name__ == "__main__":
    main()
