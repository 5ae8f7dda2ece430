"""The outbox against a real Redis, real RQ worker processes and the SendGrid stub.

Workers run with a 1 s sweep and a 5 s "stuck" threshold so failures heal quickly.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select, update

from app.extensions import db
from app.messaging import outbox
from app.models import Message, MessageState, NotificationSettings, ReminderPlan
from app.scheduling import booking
from app.timeutil import utcnow
from app.uow import unit_of_work
from tests.messaging.conftest import ahead, book, cover

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture()
def queue(app, monkeypatch):
    name = f"plinth-test-msg-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.config, "PLINTH_QUEUE_NAME", name)
    yield name
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    Queue(name, connection=connection).delete(delete_jobs=True)
    for pattern in (f"plinth:periodic:{name}:*", f"plinth:outbox:{name}:*"):
        for key in connection.scan_iter(pattern):
            connection.delete(key)
    connection.close()


class Workers:
    def __init__(self, app, queue: str, stub, tmp_path: Path) -> None:
        self.app, self.queue, self.stub, self.tmp_path = app, queue, stub, tmp_path
        self.procs: list[subprocess.Popen] = []
        self.twilio = None  # a TwilioStub: texts go there too

    def start(self) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": self.app.config["SQLALCHEMY_DATABASE_URI"],
               "PLINTH_INSTANCE_DIR": self.app.config["INSTANCE_DIR"], "REDIS_URL": self.app.config["REDIS_URL"],
               "SENDGRID_API_KEY": "SG.test-key", "SENDGRID_API_HOST": self.stub.url,
               "PLINTH_OUTBOX_SWEEP_SECONDS": "1", "PLINTH_OUTBOX_STUCK_SECONDS": "5",
               "PLINTH_OUTBOX_RETRY_SECONDS": "1", "PLINTH_OUTBOX_BATCH_SECONDS": "5"}
        if self.twilio is not None:
            from tests.messaging.twilio_stub import ACCOUNT_SID, AUTH_TOKEN

            env.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_API_BASE=self.twilio.url)
        with (self.tmp_path / f"worker{len(self.procs)}.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "app.tasks.worker", "--queue", self.queue], cwd=ROOT,
                                    env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)  # its own process group: kill it and its horse
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp_path.glob("worker*.log")))


@pytest.fixture()
def workers(app, queue, stub, tmp_path):
    group = Workers(app, queue, stub, tmp_path)
    yield group
    group.stop_all()


def count(state: MessageState) -> int:
    n = db.session.scalar(select(func.count()).select_from(Message).where(Message.state == state))
    db.session.rollback()  # never hold SQLite's lock while a worker writes
    return n


def deliveries_settled(app, queue: str) -> bool:
    """No delivery batch is waiting or running: whatever the workers were going to send
    has been sent (what proves a message stays unsent, instead of sleeping)."""
    from rq import Queue
    from rq.registry import StartedJobRegistry

    connection = Redis.from_url(app.config["REDIS_URL"])
    try:
        waiting = [job_id for job_id in Queue(queue, connection=connection).job_ids if job_id.startswith("plinth-msgs-")]
        running = [job_id for job_id in StartedJobRegistry(queue, connection=connection).get_job_ids()
                   if job_id.startswith("plinth-msgs-")]
        return not waiting and not running
    finally:
        connection.close()


def wait_for(condition, timeout: float, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")


def test_sigkill_mid_batch_then_restart_sends_every_message_once(app, db, stub, workers):
    stub.delay = 0.03
    n = 120
    with unit_of_work():
        ids = [outbox.queue_email("login_code", f"p{i}@example.com", {"code": f"{i:06d}", "minutes": 10},
                                  f"kill:{i}").id for i in range(n)]
    first = workers.start()
    wait_for(lambda: len(stub.accepted()) >= 25, 60, workers, "the first sends")
    workers.kill(first)  # the worker, its work horse and its scheduler, mid-batch
    at_kill = len(stub.accepted())
    assert at_kill < n, "the batch finished before the kill; make it bigger"
    workers.start()
    wait_for(lambda: count(MessageState.sent) == n, 120, workers, "every message sent after the restart")
    assert sorted(set(stub.message_ids())) == sorted(ids)
    duplicates = stub.duplicates()
    print(f"\nSIGKILL after {at_kill}/{n} sends: {duplicates} duplicate(s)")
    # At-least-once: only a send the provider accepted just before the kill, whose result
    # was not yet recorded, can go twice: one per send in flight in the killed work horse
    # (PLINTH_OUTBOX_SEND_THREADS, 4 by default).
    assert duplicates <= 4


@pytest.fixture()
def texts(db, people, workers, twilio_stub):
    """Workers send texts to the Twilio stub; one consenting client; a location sender
    without quiet hours (the test runs at any hour). Returns (stub, client id)."""
    from app.messaging import consent
    from app.models import LocationTextSettings
    from tests import factories

    workers.twilio = twilio_stub
    with unit_of_work():
        client = factories.make_client(phone="+14165550100", message_channel="sms")
        consent.give_consent(client, "staff")
        db.session.add(LocationTextSettings(location_id=people.location.id, sender_number="+14165550000"))
    return twilio_stub, client.id


def queue_texts(n: int, client_id: int, key: str) -> list[int]:
    with unit_of_work():
        return [outbox.queue("sms", "login_code", f"+1416555{i:04d}", {"code": f"{i:06d}", "minutes": 10},
                             f"{key}:{i}", client_id=client_id).id for i in range(n)]


def test_sigkill_mid_batch_of_texts_then_restart_sends_every_text_once(app, db, texts, workers):
    twilio, client_id = texts
    twilio.delay = 0.03
    n = 120
    ids = queue_texts(n, client_id, "kill-sms")
    first = workers.start()
    wait_for(lambda: len(twilio.accepted()) >= 25, 60, workers, "the first texts")
    workers.kill(first)
    at_kill = len(twilio.accepted())
    assert at_kill < n, "the batch finished before the kill; make it bigger"
    workers.start()
    wait_for(lambda: count(MessageState.sent) == n, 120, workers, "every text sent after the restart")
    assert sorted(set(twilio.message_ids())) == sorted(ids)
    duplicates = twilio.duplicates()
    print(f"\nSIGKILL after {at_kill}/{n} texts: {duplicates} duplicate(s)")
    assert duplicates <= 4  # as for email: only the texts in flight when the horse died (send threads)


def test_a_flushed_redis_loses_no_text(app, db, texts, workers, queue):
    twilio, client_id = texts
    ids = queue_texts(10, client_id, "flush-sms")
    connection = Redis.from_url(app.config["REDIS_URL"])
    jobs = connection.lrange(f"rq:queue:{queue}", 0, -1)
    markers = list(connection.scan_iter(f"plinth:outbox:{queue}:*"))
    assert jobs and len(markers) == len(ids)
    connection.delete(f"rq:queue:{queue}", *[b"rq:job:" + job for job in jobs], *markers)
    connection.close()
    workers.start()
    wait_for(lambda: count(MessageState.sent) == 10, 60, workers, "the sweep to resend the texts after the flush")
    assert sorted(twilio.message_ids()) == sorted(ids) and twilio.duplicates() == 0


def test_bookings_succeed_without_redis_and_their_messages_go_out_later(app, db, scene, stub, workers,
                                                                        monkeypatch):
    with unit_of_work():
        db.session.get(NotificationSettings, 1).new_booking_delay_minutes = 0
        db.session.get(NotificationSettings, 1).reminders_enabled = False
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6390/0")  # nothing listens there
    monkeypatch.setitem(app.extensions, "plinth_redis", None)
    appointments = [book(scene, scene.at(hour)) for hour in (9, 11, 14)]
    assert all(a.id for a in appointments)
    monkeypatch.undo()  # Redis is back (and empty of these jobs: none was ever enqueued)
    assert count(MessageState.pending) == 6  # a confirmation each to client and provider
    workers.start()
    wait_for(lambda: count(MessageState.sent) == 6, 60, workers, "the sweep to send the bookings' messages")
    assert len(stub.accepted()) == 6 and stub.duplicates() == 0


def test_a_flushed_redis_loses_nothing(app, db, stub, workers, queue):
    with unit_of_work():
        ids = [outbox.queue_email("login_code", f"q{i}@example.com", {"code": "1", "minutes": 10}, f"flush:{i}").id
               for i in range(10)]
    # Everything Redis knew about them is gone (as after a restart without persistence):
    # the queue, its jobs and the markers naming them.
    connection = Redis.from_url(app.config["REDIS_URL"])
    jobs = connection.lrange(f"rq:queue:{queue}", 0, -1)
    markers = list(connection.scan_iter(f"plinth:outbox:{queue}:*"))
    assert jobs and len(markers) == len(ids)
    connection.delete(f"rq:queue:{queue}", *[b"rq:job:" + job for job in jobs], *markers)
    connection.close()
    workers.start()
    wait_for(lambda: count(MessageState.sent) == 10, 60, workers, "the sweep to resend after the flush")
    assert sorted(stub.message_ids()) == sorted(ids)


def test_reschedule_before_a_reminder_sends_only_the_new_one(app, db, scene, stub, workers, queue):
    # The visit is now + the second reminder's offset: 2 h, or 4 h late in the evening.
    hours, start = ahead((2, 4), minutes=120, seconds=6)
    with unit_of_work():
        settings = db.session.get(NotificationSettings, 1)
        settings.confirmation_enabled = settings.change_enabled = False
        db.session.execute(update(ReminderPlan).values(offsets=f"24h, {hours}h"))
    cover(scene, start, minutes=120)
    appointment = book(scene, start)  # the second reminder is due in 6 s
    new_start = start + timedelta(seconds=6)
    with unit_of_work():
        booking.move(appointment=db.session.merge(appointment), actor=scene.people.frontdesk, start=new_start)
    workers.start()
    wait_for(lambda: count(MessageState.sent) == 1, 60, workers, "the new reminder")
    # The old one was due 6 s before the new one: every sweep that sent the new one saw it
    # due. Once no batch waits or runs, it is certain it stayed unsent.
    wait_for(lambda: deliveries_settled(app, queue), 30, workers, "the workers to finish every batch")
    rows = db.session.scalars(select(Message).where(Message.kind.like("reminder%")).order_by(Message.id)).all()
    db.session.rollback()
    assert [(m.state, m.appointment_starts_at) for m in rows if m.kind == "reminder_2"] == [
        (MessageState.canceled, start), (MessageState.sent, new_start)]
    assert len(stub.accepted()) == 1


def test_cancel_within_the_new_booking_delay_sends_nothing(app, db, scene, stub, workers, queue):
    canceled = book(scene, scene.at(9))
    kept = book(scene, scene.at(11))
    with unit_of_work():
        booking.cancel(appointment=db.session.merge(canceled), actor=scene.people.frontdesk)
    # The delay passes (3 minutes, fast-forwarded): everything planned is due now.
    with unit_of_work():
        db.session.execute(update(Message).where(Message.kind.in_(["confirmation", "cancellation"]))
                           .values(due_at=utcnow()))
    workers.start()
    wait_for(lambda: count(MessageState.sent) == 2, 60, workers, "the kept booking's confirmations")
    wait_for(lambda: deliveries_settled(app, queue), 30, workers, "the workers to finish every batch")
    sent = db.session.scalars(select(Message).where(Message.state == MessageState.sent)).all()
    db.session.rollback()
    assert {m.appointment_id for m in sent} == {kept.id}
    assert len(stub.accepted()) == 2
