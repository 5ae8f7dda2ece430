"""Outbox throughput: N due reminders dispatched by 1 and by 2 RQ workers to a local
SendGrid stub that answers after a realistic delay. Not a test; prints a markdown table.

    .venv/bin/python -m bench.bench_messaging                 # 10,000 messages, 30 ms stub delay
    .venv/bin/python -m bench.bench_messaging --messages 2000 --delay 0.05 --workers 1,2

PostgreSQL (``plinth_bench_msg``, dropped and re-created; admin URL in
``PLINTH_BENCH_PG_ADMIN``) and Redis db 14. Each run: fresh rows (one appointment per
reminder, so the send-time re-check reads real rows), all enqueued at once as the
after-commit path does, then the workers start; the clock runs from their start to the
last message recorded ``sent``. Duplicates are counted at the stub by message id.
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
REDIS_URL = "redis://127.0.0.1:6379/14"
DB_NAME = "plinth_bench_msg"


def recreate_db() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"


def build(url: str, instance: Path, n: int, queue: str) -> None:
    os.environ.update(DATABASE_URL=url, PLINTH_INSTANCE_DIR=str(instance), REDIS_URL=REDIS_URL)
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app
    from app.extensions import db
    from app.models import (Appointment, Case, Client, Discipline, Location, Message, NotificationSettings,
                            SessionType)
    from app.timeutil import utcnow

    app = create_app({"PLINTH_QUEUE_NAME": queue})
    with app.app_context():
        upgrade()
        now = utcnow()
        location = Location(name="Toronto", timezone="America/Toronto", invoice_prefix="T-")
        discipline = Discipline(name="Physio")
        session_type = SessionType(name="Follow-up", category="Physio", discipline=discipline,
                                   duration_minutes=30, price=90)
        client = Client(first_name="Alex", last_name="Bench", email="alex@example.com")
        case = Case(client=client, discipline=discipline, title="Bench", opened_on=now.date())
        db.session.add_all([location, session_type, case, NotificationSettings(id=1, reminders_enabled=True)])
        db.session.flush()
        starts = [now + timedelta(days=1, minutes=i) for i in range(n)]
        ids = db.session.execute(insert(Appointment).returning(Appointment.id), [
            dict(case_id=case.id, location_id=location.id, session_type_id=session_type.id, starts_at=s,
                 ends_at=s + timedelta(minutes=30), status="booked", booked_via="staff", notify=True,
                 created_at=now, updated_at=now, version=1) for s in starts]).scalars().all()
        db.session.execute(insert(Message), [
            dict(channel="email", kind="reminder_1", audience="client", to_address=f"c{i}@example.com",
                 client_id=client.id, appointment_id=a, location_id=location.id, appointment_starts_at=s,
                 offset_minutes=1440, due_at=now, state="pending", attempts=0, dedupe_key=f"bench:{i}",
                 created_at=now) for i, (a, s) in enumerate(zip(ids, starts))])
        db.session.commit()
        from app.messaging.dispatch import enqueue_delivery

        message_ids = db.session.scalars(db.select(Message.id).order_by(Message.id)).all()
        t0 = time.perf_counter()
        for message_id in message_ids:
            enqueue_delivery(message_id)
        print(f"  enqueued {len(message_ids)} jobs in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        db.session.remove()
        db.engine.dispose()


def sent_count(url: str) -> int:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        return conn.execute("SELECT count(*) FROM message WHERE state = 'sent'").fetchone()[0]


def run(n: int, workers: int, delay: float) -> dict:
    from tests.messaging.stub import SendGridStub

    url = recreate_db()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    instance = Path(f"/tmp/plinth-bench-msg-{queue}")
    instance.mkdir(parents=True, exist_ok=True)
    build(url, instance, n, queue)
    stub = SendGridStub(delay=delay).start()
    env = {**os.environ, "DATABASE_URL": url, "PLINTH_INSTANCE_DIR": str(instance), "REDIS_URL": REDIS_URL,
           "SENDGRID_API_KEY": "SG.bench", "SENDGRID_API_HOST": stub.url, "PLINTH_OUTBOX_SWEEP_SECONDS": "10"}
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
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)
    accepted = stub.accepted()
    last = max(r["at"] for r in accepted) if accepted else started
    stub.stop()
    Redis.from_url(REDIS_URL).delete(f"rq:queue:{queue}")
    elapsed = last - started
    return {"messages": n, "workers": workers, "stub_delay_ms": int(delay * 1000), "sent": done,
            "accepted_by_stub": len(accepted), "duplicates": stub.duplicates(),
            "seconds_to_last": round(elapsed, 1), "messages_per_second": round(len(accepted) / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=0.03, help="stub answer delay in seconds")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    results = [run(args.messages, int(w), args.delay) for w in args.workers.split(",")]
    print("| workers | messages | stub delay | sent | duplicates | time to last (s) | messages/s |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['workers']} | {r['messages']} | {r['stub_delay_ms']} ms | {r['sent']} | {r['duplicates']} | "
              f"{r['seconds_to_last']} | {r['messages_per_second']} |")
    out = ROOT / "bench" / "results" / "messaging.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
