"""Plinth: scheduling and practice management for physiotherapy and massage clinics."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from config import load_config

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app. ``config`` overrides values read from the environment."""
    app = Flask(__name__, instance_path=None)
    configure_settings(app, config)
    configure_logging()
    configure_database(app)
    configure_appbuilder(app)
    configure_auth(app)
    configure_blueprints(app)
    configure_receivers()
    configure_plug_ins()
    configure_errors(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    app.config.update(load_config())
    if overrides:
        app.config.update(overrides)
    app.instance_path = app.config["INSTANCE_DIR"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("PLINTH_PROXY_COUNT"):
        # Behind N reverse proxies: trust exactly N X-Forwarded-For/-Proto hops, so
        # remote_addr is the patient's (rate limits) and the scheme is the real one.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PLINTH_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def configure_database(app: Flask) -> None:
    from app.extensions import db, migrate

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers wait for each other instead of failing with "database is locked".
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    import app.audit as _audit  # noqa: F401  (the audit trail listens to every session)
    import app.models as _models  # noqa: F401  (register every table on the metadata)
    import app.billing.immutability as _immutability  # noqa: F401  (issued invoices refuse changes)
    import app.clinical.immutability as _signed  # noqa: F401  (signed notes and addenda refuse changes)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True, compare_type=True,
    )
    with app.app_context():
        from app.dbsetup import install_dialect_hooks

        install_dialect_hooks(db.engine)


def configure_logging() -> None:
    # FAB logs a warning for every time-of-day column it cannot offer as a list filter;
    # we know (shift times are edited, not filtered on), so keep start-up output readable.
    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)


def configure_appbuilder(app: Flask) -> None:
    from flask_appbuilder import AppBuilder

    from app.extensions import db

    from app import i18n

    i18n.configure(app)
    with app.app_context():
        # The layout adds the session-expiry warning to every staff page.
        appbuilder = AppBuilder(base_template="plinth/baselayout.html")
        appbuilder.init_app(app, db.session)
        from app.models import read_clinic_settings
        from app.models.team import team_member_of

        i18n.install(app, settings=read_clinic_settings, team_member=team_member_of)
        from app.views import register_views
        from app.api import register_apis
        from app.intake import views as intake_views
        from app.planner import api as planner_api, views as planner_views

        register_views(appbuilder, shift_planner=planner_views.register, forms=intake_views.register)
        register_apis(appbuilder, areas=planner_api.PLANNER_APIS)
        # Every screen and resource is in place now (views before the API).
        from app.api import openapi
        from app.scope_guard import check_every_screen_is_scoped

        openapi.init_app(app)
        check_every_screen_is_scoped(appbuilder)


def configure_auth(app: Flask) -> None:
    from app.auth import init_auth

    init_auth(app)  # throttled logins, server-side sessions, security headers (app/auth/)


def configure_blueprints(app: Flask) -> None:
    from app.health import health_bp

    app.register_blueprint(health_bp)
    # Browsers ask every site for /favicon.ico; answer "none" instead of a 404 on every page.
    app.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204, {"Cache-Control": "public, max-age=86400"}))
    from app.messaging.webhook import webhook_bp

    app.register_blueprint(webhook_bp)  # POST /webhooks/sendgrid (signed, no session)
    from app.booking import init_booking

    init_booking(app)  # the public booking site at /book/
    from app import access_log

    access_log.init_app(app)  # staff reads of patient records, one insert per request


def configure_receivers() -> None:
    """The one place the areas subscribe to the domain events (``app/events.py``), in the
    order they run. Signals are process-wide and blinker ignores a repeated connect, so the
    several apps tests build share one set of receivers."""
    from app.billing import visit_status
    from app.booking import waitlist
    from app.intake import discharge, follow_visit, reviews, rules
    from app.messaging import planning

    for connect in (
        visit_status.connect,  # charges and fees at a status change; may refuse it (first)
        planning.connect,  # what bookings, moves and status changes put in the outbox
        rules.connect,  # forms sent on booking
        discharge.connect,  # outcome measures when a case closes (a flush listener, not an event)
        reviews.connect,  # review requests after a visit
        follow_visit.connect,  # queued form emails follow a moved, canceled or rebooked visit
        waitlist.connect,  # freed time offered to the waitlist
    ):
        connect()


def configure_plug_ins() -> None:
    """The one place the areas plug into the registries of the areas below them (what the
    lower area calls without importing the upper one). Each call is idempotent and the
    registries are process-wide, like the signals' receivers."""
    from app.billing import emailing
    from app.booking import register_links
    from app.intake import hooks

    for register in (
        emailing.register,  # an invoice email's PDF (messaging's attachments by kind)
        register_links,  # an appointment's manage link in its messages (messaging's shortlinks)
        hooks.register,  # forms in the client file, the provider's day and the booking confirmation
    ):
        register()


def configure_errors(app: Flask) -> None:
    from app.errors import register_error_handlers

    register_error_handlers(app)


def configure_cli(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
