"""The public booking site at /book/: patients book, reschedule, cancel and join the
waitlist without an account (ARCHITECTURE: online booking).

``init_booking(app)`` mounts the blueprint, its security headers and error pages (the
waitlist's receivers are connected by ``create_app``, ``configure_receivers``).
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# What else the confirmation page offers the patient: functions (appointment) -> list of
# (label, url), registered by other parts (the intake forms to fill before the visit).
CONFIRMATION_LINKS: list = []


def init_booking(app: Flask) -> None:
    from app.booking.views import bp

    app.register_blueprint(bp)


def register_links() -> None:
    """Messages about an appointment carry its manage link (called by ``create_app``)."""
    from app.booking.tokens import manage_url
    from app.messaging import shortlinks

    shortlinks.register_manage_link(manage_url)


def install_error_pages(bp) -> None:
    """Friendly pages for every error under /book/ (called once, when views.py is imported)."""
    from app.booking.limits import RateLimited

    @bp.errorhandler(RateLimited)
    def too_many(exc):
        return render_template("booking/message.html", title=gettext("Too many attempts"),
                               message=gettext("For everyone's safety we limit how often this can be tried. "
                                               "Please wait a while and try again, or call the clinic."),
                               phone=_phone()), 429

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404:
            return render_template("booking/message.html", title=gettext("Page not found"),
                                   message=gettext("This link is not valid (it may be incomplete or out of date)."),
                                   phone=_phone()), 404
        return render_template("booking/message.html", title=gettext("Something went wrong"),
                               message=gettext("We could not handle that request. Please go back and try again."),
                               phone=_phone()), exc.code or 400

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception):
        # Never a stack trace on the public site: log it for the clinic, apologise to the patient.
        log.exception("Unexpected error on the public booking site at %s", request.path)
        from app.extensions import db

        db.session.rollback()
        return render_template("booking/message.html", title=gettext("Sorry, something went wrong"),
                               message=gettext("Nothing was booked or changed. Please try again in a moment, or call us."),
                               phone=_phone()), 500


def _phone() -> str | None:
    try:
        from app.models import read_clinic_settings

        return read_clinic_settings().phone
    except Exception:  # the error page must render even when the database is the problem
        return None
