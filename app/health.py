"""/health: is the database reachable, is Redis reachable. No secrets, no details."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db, redis_client

health_bp = Blueprint("health", __name__)


@health_bp.get("/health")
def health():
    checks = {"database": _check_database(), "redis": _check_redis()}
    # Redis only delivers messages; the clinic can work without it, so it does not
    # make the whole service unhealthy.
    status = 200 if checks["database"] == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", **checks), status


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:
        db.session.rollback()
        return "unreachable"


def _check_redis() -> str:
    try:
        redis_client().ping()
        return "ok"
    except Exception:
        return "unreachable"
