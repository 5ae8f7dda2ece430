"""Batch delivery: one job sends many messages, each still claimed, re-checked and
recorded on its own; the sweep and the after-commit path enqueue batches and can tell
which due messages already have a live job."""
from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.utils import utcformat
from sqlalchemy import select, update

from app.extensions import db
from app.messaging import dispatch, outbox
from app.messaging.delivery import deliver_batch
from app.models import Message, MessageState
from app.scheduling import booking
from app.timeutil import utcnow
from app.uow import unit_of_work
from tests.messaging.conftest import book
from tests.messaging.test_delivery import due_now, fresh, history
from tests.sql import counting


@pytest.fixture()
def queue(app, monkeypatch):
    """A queue (and marker keys) of this test's own on the test Redis."""
    name = f"plinth-test-batch-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.config, "PLINTH_QUEUE_NAME", name)
    connection = Redis.from_url(app.config["REDIS_URL"])
    yield Queue(name, connection=connection)
    Queue(name, connection=connection).delete(delete_jobs=True)
    for key in connection.scan_iter(f"plinth:outbox:{name}:*"):
        connection.delete(key)
    connection.close()


def codes(n: int, *, due_in: timedelta = timedelta(0), prefix: str = "b") -> list[int]:
    """``n`` login-code emails (no appointment), committed together."""
    with unit_of_work():
        ids = [outbox.queue_email("login_code", f"{prefix}{i}@example.com", {"code": f"{i:06d}", "minutes": 10},
                                  f"{prefix}:{i}", due_at=utcnow() + due_in).id for i in range(n)]
    return ids


def make_due(ids: list[int]) -> None:
    with unit_of_work():
        db.session.execute(update(Message).where(Message.id.in_(ids)).values(due_at=utcnow()))


def states(ids: list[int]) -> list[MessageState]:
    rows = dict(db.session.execute(select(Message.id, Message.state).where(Message.id.in_(ids))).all())
    db.session.rollback()
    return [rows[i] for i in ids]


def jobs(queue: Queue) -> list[list[int]]:
    return [job.args[0] for job in queue.get_jobs()]


def test_a_batch_sends_the_rest_when_one_was_canceled_meanwhile(db, sendgrid, queue):
    ids = codes(5)
    with unit_of_work():
        outbox.cancel([ids[2]])  # a manager stops one after its job was enqueued
    assert deliver_batch(ids) == {"sent": 4, "not-claimed": 1}
    assert sorted(sendgrid.message_ids()) == sorted(ids[:2] + ids[3:])
    assert states(ids) == [MessageState.sent] * 2 + [MessageState.canceled] + [MessageState.sent] * 2
    assert all(fresh(i).provider_message_id for i in ids if i != ids[2])


def test_each_message_of_a_batch_is_checked_again_when_its_turn_comes(db, scene, sendgrid, queue):
    """Appointments changed after the batch was enqueued: a canceled one's reminder was
    withdrawn (not claimed), one with notifications turned off is skipped at send time,
    the others go out."""
    appointments = [book(scene, scene.at(hour)) for hour in (9, 10, 11, 12)]
    reminders = [due_now(a.id, "reminder_1") for a in appointments]
    with unit_of_work():
        booking.cancel(appointment=db.session.merge(appointments[1]), actor=scene.people.frontdesk)
        db.session.merge(appointments[2]).notify = False
    assert deliver_batch(reminders) == {"sent": 2, "not-claimed": 1, "skipped": 1}
    assert sorted(sendgrid.message_ids()) == sorted([reminders[0], reminders[3]])
    assert states(reminders) == [MessageState.sent, MessageState.canceled, MessageState.canceled,
                                 MessageState.sent]
    assert "Notifications are off" in fresh(reminders[2]).last_error
    assert history(reminders[2]) == ["skipped"]
    # What was sent is stored with the result, names read at send time.
    sent = fresh(reminders[0])
    assert sent.subject.startswith("Reminder: Follow-up") and "Alex" in sent.body_text
    assert scene.people.provider.display_name in sent.body_text


def test_a_batch_run_twice_sends_nothing_twice(db, sendgrid, queue):
    ids = codes(6)
    assert deliver_batch(ids) == {"sent": 6}
    assert deliver_batch(ids) == {"not-claimed": 6}
    assert len(sendgrid.accepted()) == 6 and sendgrid.duplicates() == 0
    assert [fresh(i).attempts for i in ids] == [1] * 6


def test_the_same_batch_in_two_workers_at_once_sends_each_message_once(app, db, sendgrid, queue):
    """Two threads (two workers) run the same batch concurrently: the claims split it."""
    sendgrid.delay = 0.01
    ids = codes(20)
    results: list[dict] = []
    errors: list[BaseException] = []

    def work() -> None:
        with app.app_context():
            try:
                results.append(deliver_batch(ids))
            except BaseException as exc:  # reported below, never lost in the thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(r.get("sent", 0) for r in results) == 20
    assert sum(r.get("not-claimed", 0) for r in results) == 20
    assert sorted(sendgrid.message_ids()) == sorted(ids) and sendgrid.duplicates() == 0


@pytest.mark.parametrize("threads", [1, 4])
def test_a_batch_keeps_up_to_its_send_threads_in_flight_each_message_once(app, db, sendgrid, queue, monkeypatch,
                                                                          threads):
    """The provider's answer is the time a send takes: a batch waits for several at once
    (one until the first is sent), each message still claimed and recorded alone."""
    monkeypatch.setitem(app.config, "PLINTH_OUTBOX_SEND_THREADS", threads)
    sendgrid.delay = 0.5  # far longer than preparing a message, so the sends overlap
    ids = codes(9)
    assert deliver_batch(ids) == {"sent": 9}
    assert sendgrid.most_in_flight == threads
    assert sorted(sendgrid.message_ids()) == sorted(ids) and sendgrid.duplicates() == 0
    assert states(ids) == [MessageState.sent] * 9 and [fresh(i).attempts for i in ids] == [1] * 9


def test_a_provider_outage_during_a_threaded_batch_stops_it_after_the_sends_in_flight(app, db, sendgrid, queue):
    """After a temporary failure the batch goes one at a time again: an outage costs
    the sends already in flight plus FAILURES_BEFORE_PAUSE, then the rest waits."""
    sendgrid.delay = 0.2
    sendgrid.plan.extend([202] + [503] * 20)
    ids = codes(12)
    outcome = deliver_batch(ids)
    assert outcome["sent"] == 1 and outcome["left"] >= 12 - 1 - 3 - 3, outcome
    assert 3 <= outcome["retry"] <= 3 + 3  # the failures in a row, plus those already in flight
    assert len(sendgrid.requests) == outcome["sent"] + outcome["retry"]
    assert sum(outcome.values()) == 12


def test_a_batch_costs_a_constant_number_of_statements_per_message(db, scene, sendgrid, queue):
    """Clinic-wide reads once per batch; per reminder: claim, one load (appointment,
    client, provider), result, history line. No query grows with what is loaded."""
    appointments = [book(scene, scene.at(8 + i // 2, 30 * (i % 2))) for i in range(10)]
    reminders = [due_now(a.id, "reminder_1") for a in appointments]
    assert deliver_batch(reminders[:1]) == {"sent": 1}  # the settings rows exist from here on
    db.session.rollback()
    with counting() as three:
        assert deliver_batch(reminders[1:4]) == {"sent": 3}
    with counting() as six:
        assert deliver_batch(reminders[4:]) == {"sent": 6}
    three, six = ([s for s in statements if not s.startswith("BEGIN")] for statements in (three, six))
    per_message = (len(six) - len(three)) / 3  # (SQLite's BEGIN IMMEDIATE aside)
    assert per_message == 4, six
    assert len(three) - 3 * per_message == 4, three  # settings, clinic, templates, text settings


def test_a_batch_past_its_time_budget_enqueues_the_rest(app, db, sendgrid, queue, monkeypatch):
    monkeypatch.setitem(app.config, "PLINTH_OUTBOX_BATCH_SECONDS", 0.001)
    sendgrid.delay = 0.01
    ids = codes(5, due_in=timedelta(hours=1))  # not due: nothing enqueued after commit
    make_due(ids)
    assert deliver_batch(ids) == {"sent": 1, "requeued": 4}  # one always goes
    assert jobs(queue) == [ids[1:]]
    connection = queue.connection
    [job] = queue.get_jobs()
    assert {connection.get(dispatch.marker(i)) for i in ids[1:]} == {job.id.encode()}


def test_a_provider_outage_stops_the_batch_and_leaves_the_rest_pending(app, db, sendgrid, queue):
    sendgrid.plan.extend([503, 503, 503])
    ids = codes(6)
    assert deliver_batch(ids) == {"retry": 3, "left": 3}
    assert len(sendgrid.requests) == 3
    rows = [fresh(i) for i in ids]
    assert [r.state for r in rows] == [MessageState.pending] * 6
    assert [r.attempts for r in rows] == [1, 1, 1, 0, 0, 0]
    assert rows[3].due_at <= utcnow()  # untouched: the sweep sends them when their job is gone


def test_one_transaction_makes_one_job(app, db, queue):
    ids = codes(3)
    assert jobs(queue) == [ids]
    with pytest.raises(RuntimeError):
        with unit_of_work():
            outbox.queue_email("login_code", "x@example.com", {"code": "1", "minutes": 10}, "rolled-back")
            raise RuntimeError("the caller fails: no row, no job")
    [after] = codes(1, prefix="after")
    assert jobs(queue) == [ids, [after]]  # enqueued at commit, without what was rolled back


def test_the_sweep_enqueues_batches_once_and_again_when_their_job_is_gone(app, db, queue, monkeypatch):
    monkeypatch.setitem(app.config, "PLINTH_OUTBOX_BATCH_SIZE", 2)
    ids = codes(5, due_in=timedelta(hours=1))
    assert jobs(queue) == []
    make_due(ids)
    assert dispatch.sweep() == {"stuck": 0, "due": 5, "enqueued": 5}
    assert jobs(queue) == [ids[0:2], ids[2:4], ids[4:5]]
    assert dispatch.sweep()["enqueued"] == 0  # all covered by queued jobs

    # A job lost (Redis flushed, or finished without sending them) or started long ago
    # by a worker that died: its messages are enqueued again; the others are not.
    lost, started, _ = queue.get_jobs()
    lost.delete()
    connection = queue.connection
    old = utcformat(utcnow() - timedelta(seconds=3600))
    connection.hset(f"rq:job:{started.id}", mapping={"status": "started", "started_at": old})
    assert dispatch.sweep()["enqueued"] == 4
    assert sorted(jobs(queue)[-2:]) == sorted([ids[0:2], ids[2:4]])
    # A job started recently is still working on its messages.
    [job] = [j for j in queue.get_jobs() if j.args[0] == ids[4:5]]
    now = utcformat(utcnow())
    connection.hset(f"rq:job:{job.id}", mapping={"status": "started", "started_at": now})
    assert dispatch.sweep()["enqueued"] == 0
