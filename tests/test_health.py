"""/health tells a monitor whether the database and Redis answer, and nothing more."""
from __future__ import annotations

import time

import pytest

CLOSED_PORT_REDIS = "redis://:hunter2-redis-password@127.0.0.1:6390/0"


@pytest.fixture()
def redis_down(app, monkeypatch):
    """Point the app's Redis at a port where nothing listens, for this test only."""
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT_REDIS)
    # Drop the cached client so the next call builds one from REDIS_URL; the
    # monkeypatch puts the original client back afterwards.
    monkeypatch.setitem(app.extensions, "plinth_redis", None)


def test_health_says_database_and_redis_are_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_stays_up_and_answers_quickly_when_redis_is_unreachable(app, client, redis_down):
    started = time.monotonic()
    response = client.get("/health")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "unreachable"}
    assert elapsed < 3, f"/health took {elapsed:.2f}s with Redis down"


def test_health_reveals_no_secrets_or_addresses(app, client, redis_down):
    body = client.get("/health").get_data(as_text=True)

    forbidden = [
        "hunter2", "redis://", "6390", "127.0.0.1", "postgresql", "sqlite",
        app.config["SECRET_KEY"], app.config["SQLALCHEMY_DATABASE_URI"],
        "Traceback", "Error",
    ]
    for needle in forbidden:
        assert needle not in body, f"/health leaks {needle!r}: {body}"


def test_health_needs_no_login(client):
    # A load balancer or monitor calls it without credentials; it must not redirect.
    response = client.get("/health", follow_redirects=False)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
