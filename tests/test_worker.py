"""The RQ worker runs jobs inside the app context; enqueuing never breaks on a dead Redis."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent


def record_discipline(name: str) -> str:
    """The job under test: writes a row through the app's session, as real jobs do."""
    from flask import current_app

    from app.extensions import db
    from app.models import Discipline
    from app.uow import unit_of_work

    with unit_of_work():
        db.session.add(Discipline(name=name))
    return current_app.config["INSTANCE_DIR"]


def _worker_env(app) -> dict[str, str]:
    # Spelled out rather than inherited: the worker must use this backend's database.
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PLINTH_INSTANCE_DIR": app.config["INSTANCE_DIR"],
        "REDIS_URL": app.config["REDIS_URL"],
    }


@pytest.fixture()
def private_queue(app, monkeypatch):
    """A queue name of this test's own, so parallel test runs never take each other's jobs."""
    name = f"plinth-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.config, "PLINTH_QUEUE_NAME", name)
    yield name
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    Queue(name, connection=connection).delete(delete_jobs=True)
    connection.close()


@pytest.fixture()
def worker_process(app, private_queue, tmp_path):
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.tasks.worker", "--queue", private_queue],
            cwd=ROOT, env=_worker_env(app), stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # warm shutdown: RQ finishes and deregisters
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.mark.slow
def test_the_worker_runs_a_job_inside_the_app_context(app, db, worker_process):
    from rq.job import JobStatus

    from app.models import Discipline
    from app.tasks.queue import enqueue

    name = f"Worker-made {uuid.uuid4().hex[:8]}"
    job = enqueue(record_discipline, name)
    assert job is not None

    deadline = time.monotonic() + 60
    status = job.get_status()
    while status not in (JobStatus.FINISHED, JobStatus.FAILED) and time.monotonic() < deadline:
        assert worker_process.poll() is None, worker_process.log_path.read_text()
        time.sleep(0.2)
        status = job.get_status()
    log = worker_process.log_path.read_text()
    if status == JobStatus.FAILED:
        pytest.fail(f"the job failed:\n{job.latest_result().exc_string}\n{log}")
    assert status == JobStatus.FINISHED, f"job still {status} after 60 s:\n{log}"

    assert job.return_value() == app.config["INSTANCE_DIR"]
    row = db.session.scalar(select(Discipline).where(Discipline.name == name))
    db.session.rollback()  # SQLite: release the write lock the read transaction took
    assert row is not None

    worker_process.send_signal(signal.SIGTERM)
    assert worker_process.wait(timeout=30) == 0, worker_process.log_path.read_text()


def test_enqueue_returns_none_and_warns_when_redis_is_down(app_ctx, monkeypatch, caplog):
    from app.tasks.queue import enqueue

    monkeypatch.setitem(app_ctx.config, "REDIS_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.setitem(app_ctx.extensions, "plinth_redis", None)
    # Alembic's env.py calls logging's fileConfig(), which disables loggers that already
    # exist whenever a migration runs in this process (the app fixture runs them).
    monkeypatch.setattr(logging.getLogger("app.tasks.queue"), "disabled", False)

    with caplog.at_level(logging.WARNING, logger="app.tasks.queue"):
        started = time.monotonic()
        assert enqueue(record_discipline, "never") is None
    assert time.monotonic() - started < 3
    assert "Redis is unreachable" in caplog.text
    assert "record_discipline" in caplog.text


def test_the_worker_refuses_to_start_without_redis(app, tmp_path):
    env = {**_worker_env(app), "REDIS_URL": "redis://127.0.0.1:6390/0"}
    result = subprocess.run(
        [sys.executable, "-m", "app.tasks.worker", "--burst"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "Redis at 127.0.0.1:6390/0 is unreachable" in result.stderr
