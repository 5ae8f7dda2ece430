"""Typed domain errors and the one place that turns them into HTTP answers."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from flask import Flask, flash, jsonify, redirect, request


@dataclass
class Problem:
    """One thing wrong with a request: which field (if any) and why, in plain words."""

    message: str
    field: str | None = None
    details: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message}
        if self.field:
            data["field"] = self.field
        data.update(self.details)
        return data


class DomainError(Exception):
    """A rule refused the request. Carries every problem found, not just the first."""

    status_code = 422

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "problems": [p.as_json() for p in self.problems]}


class ValidationFailed(DomainError):
    """Malformed or impossible input (422)."""

    status_code = 422


class Conflict(DomainError):
    """The request clashes with the current state of the clinic (409)."""

    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        wants_json = (request.path.startswith(("/api/", "/calendar/feed/"))
                      or request.accept_mimetypes.best == "application/json" or request.is_json)
        if wants_json:
            return jsonify(exc.as_json()), exc.status_code
        flash(exc.message, "danger")
        for problem in exc.problems:
            flash(problem.message, "danger")
        return redirect(request.referrer or "/")

    @app.errorhandler(403)
    def forbidden_page(exc):
        """A signed-in user without the permission: a page in the app's layout that says
        so (FAB's own answer is werkzeug's bare 403); JSON for the API and the feeds."""
        from flask import current_app, render_template
        from flask_login import current_user

        if request.path.startswith(("/api/", "/calendar/feed/")) or request.accept_mimetypes.best == "application/json":
            return jsonify({"message": "You do not have access to this."}), 403
        if not current_user.is_authenticated or request.path.startswith(("/book/", "/forms/", "/webhooks/")):
            return exc  # the public sites and webhooks keep their own short answers

        return render_template("plinth/forbidden.html", appbuilder=current_app.appbuilder,
                               base_template=current_app.appbuilder.base_template), 403
