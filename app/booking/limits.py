"""Rate limits of the public site: per IP and per email, kept in Redis.

Built on ``limits`` (the library under Flask-Limiter) rather than Flask-Limiter's
decorators because two of the keys (the email typed into a form, the email of the
booking in the session) are only known inside the view. Redis holds the counters so
every web process shares them; when Redis is unreachable the counters fall back to
this process's memory, so limits still apply (per process) and no request fails.
"""
from __future__ import annotations

import hashlib
import logging
import threading

from flask import current_app, request
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)

# name → limits; a clinic may override any of them with BOOKING_RATE_LIMITS in the config.
DEFAULT_LIMITS = {
    "code_ip": "10/hour;30/day",          # code requests from one address
    "code_email": "3/15 minutes;10/day",  # code requests for one email
    "verify_ip": "30/hour",               # code entries from one address
    "book_ip": "20/hour;60/day",          # confirmed bookings (and claims) from one address
    "book_email": "5/day",                # confirmed bookings for one email
    "waitlist_ip": "10/hour",
}

_memory_lock = threading.Lock()


class RateLimited(TooManyRequests):
    """Too many attempts; the public site answers with a friendly 429 page."""


def _limits_for(name: str):
    configured = (current_app.config.get("BOOKING_RATE_LIMITS") or {}).get(name)
    return parse_many(configured or DEFAULT_LIMITS[name])


def _strategies():
    state = current_app.extensions.get("booking_limits")
    if state is None:
        uri = current_app.config.get("BOOKING_RATELIMIT_STORAGE_URI") or current_app.config["REDIS_URL"]
        options = {"socket_connect_timeout": 1, "socket_timeout": 1} if uri.startswith(("redis", "unix")) else {}
        with _memory_lock:
            state = current_app.extensions.setdefault("booking_limits", {
                "shared": MovingWindowRateLimiter(storage_from_string(uri, **options)),
                "memory": MovingWindowRateLimiter(MemoryStorage()),
            })
    return state


def client_ip() -> str:
    # Behind a proxy, PLINTH_PROXY_COUNT wraps the app in ProxyFix so this is the patient's.
    return request.remote_addr or "unknown"


def email_key(email: str) -> str:
    """Counters are keyed by a digest, so Redis never holds patients' addresses."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


def hit(name: str, key: str) -> None:
    """Count one attempt of ``name`` by ``key``; raise RateLimited past any limit."""
    strategies = _strategies()
    items = _limits_for(name)
    try:
        allowed = all([strategies["shared"].hit(item, "plinth-booking", name, key) for item in items])
    except (RedisError, OSError) as exc:
        log.warning("Rate-limit storage unreachable (%s); counting in memory.", type(exc).__name__)
        allowed = all([strategies["memory"].hit(item, "plinth-booking", name, key) for item in items])
    if not allowed:
        raise RateLimited()


def reset() -> None:
    """Forget every counter (tests, or an operator after a false alarm)."""
    strategies = _strategies()
    try:
        strategies["shared"].storage.reset()
    except (RedisError, OSError):
        pass
    strategies["memory"].storage.reset()
