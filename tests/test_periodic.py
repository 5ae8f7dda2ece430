"""The periodic jobs on RQ's CronScheduler (app/tasks/periodic.py), against a real Redis."""
from __future__ import annotations

import uuid

import pytest
from redis import Redis
from rq import Queue

from app.tasks.periodic import Periodic


@pytest.fixture()
def queue(app):
    name = f"plinth-test-periodic-{uuid.uuid4().hex[:10]}"
    connection = Redis.from_url(app.config["REDIS_URL"])
    yield name, connection
    Queue(name, connection=connection).delete(delete_jobs=True)
    for key in connection.scan_iter(f"plinth:periodic:{name}:*"):
        connection.delete(key)
    connection.close()


def test_one_worker_at_a_time_enqueues_the_sweep_once_per_period(app, queue):
    name, connection = queue
    first, second = Periodic(app, connection, name), Periodic(app, connection, name)
    assert [job.func_name for job in first.step()] == ["app.messaging.dispatch.sweep"]
    assert second.step() == []  # the other worker's scheduler holds the lease
    assert first.step() == []  # not due again before its period
    jobs = Queue(name, connection=connection).jobs
    assert [(job.func_name, job.result_ttl) for job in jobs] == [("app.messaging.dispatch.sweep", 0)]


def test_another_worker_takes_over_when_the_lease_holder_is_gone(app, queue):
    name, connection = queue
    first, second = Periodic(app, connection, name), Periodic(app, connection, name)
    first.step()
    connection.delete(f"plinth:periodic:{name}:lease")  # as when its lease expires
    assert [job.func_name for job in second.step()] == ["app.messaging.dispatch.sweep"]
