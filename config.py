"""Plinth's configuration, read from the environment.

Every value is checked here, at start-up, so a typo in the environment fails loudly
with the variable's name instead of surfacing later as a confusing runtime error.
"""
from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """A configuration value is missing or malformed; the message names the variable."""


def _database_url(raw: str | None, instance_dir: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_dir / 'plinth.db'}"
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ConfigError("DATABASE_URL is not a database URL (expected sqlite:///path or postgresql://...)") from exc
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # psycopg 3 is the driver we support; a bare postgresql:// would pick psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigError(
            f"DATABASE_URL must be sqlite:/// or postgresql://, not {url.drivername!r}"
        )
    return url.render_as_string(hide_password=False)


def _redis_url(raw: str | None) -> str:
    value = raw or "redis://localhost:6379/0"
    parsed = urlparse(value)
    if parsed.scheme not in {"redis", "rediss", "unix"} or not (parsed.hostname or parsed.path):
        raise ConfigError(f"REDIS_URL must look like redis://host:port/db, not {value!r}")
    return value


def _secret_key(raw: str | None, instance_dir: Path) -> str:
    if raw:
        if len(raw) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters long")
        return raw
    # Generated once per installation and kept beside the database, so sessions survive
    # restarts without a constant secret ever living in the code.
    key_file = instance_dir / "secret_key"
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: when several workers start at once exactly one writes; the others read it.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the writer may not have finished writing yet
            existing = key_file.read_text().strip()
            if existing:
                return existing
            time.sleep(0.01)
        raise ConfigError(f"{key_file} is empty; delete it or set SECRET_KEY") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _currency(raw: str | None) -> str:
    value = (raw or "CAD").upper()
    if value not in list_currencies():
        raise ConfigError(f"PLINTH_CURRENCY must be an ISO 4217 code such as CAD or EUR, not {raw!r}")
    return value


def _locale(raw: str | None) -> str:
    value = raw or "en_CA"
    try:
        Locale.parse(value)
    except (ValueError, UnknownLocaleError) as exc:
        raise ConfigError(f"PLINTH_LOCALE must be a locale such as en_CA or pt_PT, not {raw!r}") from exc
    return value


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {value}")
    return value


def _proxy_count(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return 0
    if not raw.strip().isascii() or not raw.strip().isdigit() or int(raw) > 10:
        raise ConfigError(f"PLINTH_PROXY_COUNT must be a whole number from 0 to 10, not {raw!r}")
    return int(raw)


def _public_base_url(raw: str | None) -> str:
    value = (raw or "http://127.0.0.1:5000").rstrip("/")
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.query or parsed.fragment:
        raise ConfigError(f"PUBLIC_BASE_URL must look like https://book.example.com, not {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {env.get(name)!r}")


def _same_site(raw: str | None, secure: bool) -> str:
    value = (raw or "Lax").strip().capitalize()
    if value not in {"Lax", "Strict", "None"}:
        raise ConfigError(f"PLINTH_COOKIE_SAMESITE must be Lax, Strict or None, not {raw!r}")
    if value == "None" and not secure:
        raise ConfigError("PLINTH_COOKIE_SAMESITE=None needs secure cookies (https, PLINTH_SECURE_COOKIES=true)")
    return value


def _trusted_hosts(raw: str | None, public_base_url: str) -> list[str]:
    """Host names requests may carry; the default is the public site's host (plus the
    loopback names when that host is itself local, for development)."""
    if raw is None or raw.strip() == "":
        host = urlparse(public_base_url).hostname or ""
        local = {"127.0.0.1", "localhost", "::1"}
        return sorted({host} | (local if host in local else set()))
    hosts = [h.strip().lower() for h in re.split(r"[\s,]+", raw) if h.strip()]
    for host in hosts:
        if not (re.fullmatch(r"\.?[a-z0-9_.-]+", host) or re.fullmatch(r"\[?[0-9a-f:]+\]?", host)):
            raise ConfigError(f"PLINTH_TRUSTED_HOSTS lists host names without ports (a.example.com, .example.com), not {host!r}")
    return hosts


def _security(env: Mapping[str, str], public_base_url: str) -> dict:
    """Sign-in throttling, staff sessions, cookies, trusted hosts, template limits."""
    secure = _flag(env, "PLINTH_SECURE_COOKIES", public_base_url.startswith("https://"))
    same_site = _same_site(env.get("PLINTH_COOKIE_SAMESITE"), secure)
    return {
        # A lock after this many failed sign-ins inside the window, per account name
        # (known or not) and per client address; it lifts when the window has passed.
        "PLINTH_LOGIN_MAX_FAILURES": _positive_int(env, "PLINTH_LOGIN_MAX_FAILURES", 5),
        "PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS": _positive_int(env, "PLINTH_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "PLINTH_LOGIN_WINDOW_MINUTES": _positive_int(env, "PLINTH_LOGIN_WINDOW_MINUTES", 15),
        # Staff sessions (web and API): idle timeout and absolute lifetime.
        "PLINTH_SESSION_IDLE_MINUTES": _positive_int(env, "PLINTH_SESSION_IDLE_MINUTES", 30),
        "PLINTH_SESSION_MAX_HOURS": _positive_int(env, "PLINTH_SESSION_MAX_HOURS", 12),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": same_site,
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": same_site,
        "TRUSTED_HOSTS": _trusted_hosts(env.get("PLINTH_TRUSTED_HOSTS"), public_base_url),
        # Managers' message templates: size of each part, items of a range, render time.
        "PLINTH_TEMPLATE_MAX_CHARS": _positive_int(env, "PLINTH_TEMPLATE_MAX_CHARS", 20000),
        "PLINTH_TEMPLATE_MAX_RANGE": _positive_int(env, "PLINTH_TEMPLATE_MAX_RANGE", 1000),
        "PLINTH_TEMPLATE_RENDER_MS": _positive_int(env, "PLINTH_TEMPLATE_RENDER_MS", 1000),
    }
def _twilio(env: Mapping[str, str]) -> dict:
    """Both the account SID and the auth token, or neither (texts then go to files)."""
    sid = (env.get("TWILIO_ACCOUNT_SID") or "").strip() or None
    token = (env.get("TWILIO_AUTH_TOKEN") or "").strip() or None
    if sid and not re.fullmatch(r"AC[0-9a-fA-F]{32}", sid):
        raise ConfigError(f"TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, not {sid!r}")
    if bool(sid) != bool(token):
        raise ConfigError("Set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither")
    base = (env.get("TWILIO_API_BASE") or "https://api.twilio.com").rstrip("/")
    parsed = urlparse(base)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.query:
        raise ConfigError(f"TWILIO_API_BASE must look like https://api.twilio.com, not {base!r}")
    return {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, "TWILIO_API_BASE": base}


def load_config(env: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config from the environment (or from ``env`` in tests)."""
    env = os.environ if env is None else env
    instance_dir = Path(env.get("PLINTH_INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)
    public_base_url = _public_base_url(env.get("PUBLIC_BASE_URL"))
    return {
        **_security(env, public_base_url),
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": _secret_key(env.get("SECRET_KEY"), instance_dir),
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), instance_dir),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "REDIS_URL": _redis_url(env.get("REDIS_URL")),
        "SENDGRID_API_KEY": env.get("SENDGRID_API_KEY") or None,
        "SENDGRID_API_HOST": env.get("SENDGRID_API_HOST") or "https://api.sendgrid.com",
        # The event webhook's verification key (base64, as SendGrid shows it); unset: refused.
        "SENDGRID_WEBHOOK_PUBLIC_KEY": env.get("SENDGRID_WEBHOOK_PUBLIC_KEY") or None,
        # The outbox: how often the worker sweeps for due/stuck messages, when a claimed
        # message counts as stuck, the first retry delay (doubling, capped) and the cap.
        "PLINTH_OUTBOX_SWEEP_SECONDS": _positive_int(env, "PLINTH_OUTBOX_SWEEP_SECONDS", 10),
        "PLINTH_OUTBOX_STUCK_SECONDS": _positive_int(env, "PLINTH_OUTBOX_STUCK_SECONDS", 120),
        "PLINTH_OUTBOX_RETRY_SECONDS": _positive_int(env, "PLINTH_OUTBOX_RETRY_SECONDS", 30),
        "PLINTH_OUTBOX_MAX_ATTEMPTS": _positive_int(env, "PLINTH_OUTBOX_MAX_ATTEMPTS", 8),
        "PLINTH_OUTBOX_BATCH_SIZE": _positive_int(env, "PLINTH_OUTBOX_BATCH_SIZE", 100),
        "PLINTH_OUTBOX_BATCH_SECONDS": _positive_int(env, "PLINTH_OUTBOX_BATCH_SECONDS", 30),
        "PLINTH_OUTBOX_SEND_THREADS": _positive_int(env, "PLINTH_OUTBOX_SEND_THREADS", 4),
        # Text messages through Twilio (unset: written to files); the API base for a stub.
        **_twilio(env),
        "PLINTH_CURRENCY": _currency(env.get("PLINTH_CURRENCY")),
        "PLINTH_LOCALE": _locale(env.get("PLINTH_LOCALE")),
        "PLINTH_CLINIC_NAME": env.get("PLINTH_CLINIC_NAME") or "Plinth Demo Clinic",
        "WTF_CSRF_ENABLED": True,
        # Flask-AppBuilder
        "APP_NAME": "Plinth",
        "AUTH_TYPE": 1,  # AUTH_DB: usernames and passwords kept in Plinth's database
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "FAB_API_SWAGGER_UI": True,
        "FAB_ADD_SECURITY_API": False,
        # The schema belongs to Alembic: FAB must not create tables or touch the
        # permission tables when the app is built (that happens in `flask sync-roles`).
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_PASSWORD_HASH_METHOD": env.get("PLINTH_PASSWORD_HASH") or "scrypt",
        "FAB_API_MAX_PAGE_SIZE": 200,
        "FAB_INDEX_VIEW": "app.views.home.PlinthIndexView",
        "FAB_SECURITY_MANAGER_CLASS": "app.auth.manager.PlinthSecurityManager",
        "PLINTH_SLOT_STEP_MINUTES": _positive_int(env, "PLINTH_SLOT_STEP_MINUTES", 15),
        # Largest attachment (referral letter, imaging report) a client file accepts, in MB.
        "PLINTH_ATTACHMENT_MAX_MB": _positive_int(env, "PLINTH_ATTACHMENT_MAX_MB", 10),
        # Where patients reach the public site; links in emails are built on it.
        "PUBLIC_BASE_URL": public_base_url,
        # How many reverse proxies in front of the app set X-Forwarded-For (0: none, the
        # peer address is the patient's). Rate limits key on the patient's address.
        "PLINTH_PROXY_COUNT": _proxy_count(env.get("PLINTH_PROXY_COUNT")),
    }
