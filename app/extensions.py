"""Extensions, created unbound and attached to the app in create_app().

Flask-AppBuilder is the exception: its AppBuilder keeps per-app state (views, blueprints,
the security manager), so create_app() builds one per app; reach it as
``current_app.appbuilder``.
"""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.models.sqla import Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis

# Plinth's models share FAB's declarative base so the security tables (ab_user, ...)
# and ours live in one metadata: one Alembic history covers both.
db = SQLAlchemy(model_class=Model)
migrate = Migrate()


def redis_client() -> Redis:
    """The app's Redis connection; a short timeout so a dead Redis never hangs a request."""
    client = current_app.extensions.get("plinth_redis")
    if client is None:
        client = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=2
        )
        current_app.extensions["plinth_redis"] = client
    return client
