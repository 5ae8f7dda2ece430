"""What every hand-written API endpoint shares at the edge (one place, every API module):

* ``answers_domain_errors``: a DomainError becomes its status with every problem (409s
  also list ``conflicts``), parse errors 422 with their fields, a concurrent change 409;
  FAB's @safe would turn them into a bare 500. It also checks CSRF for cookie callers.
* ``check_csrf_for_cookie_writes``: the calendar and billing pages call the API with the
  login session cookie, so their writes must carry the page's token (``X-CSRFToken``,
  checked by app/csrf.py); integrations use FAB's JWT (an ``Authorization`` header).
* ``json_body``: the request's JSON object loaded through a marshmallow schema.
* ``get_or_404`` (rows every user may name: session types, payers, locations) and
  ``ScopedGetter`` (rows behind a scope helper: anything outside it is a 404 that reads
  the same as a missing row), with the getters the scheduling endpoints share.
* ``bookable_calendars`` / ``changeable``: 403 unless the user may book those calendars.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, request
from marshmallow import Schema, ValidationError
from sqlalchemy import Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.csrf import posted_token_valid
from app.errors import Conflict, DomainError, Forbidden, NotFound, Problem, ValidationFailed
from app.extensions import db
from app.ids import numbers_fit
from app.models import Appointment, Calendar, CalendarKind, Case
from app.scheduling.booking import is_concurrency_error
from app.security import appointment_scope, bookable_calendar_ids, case_scope, in_scope


# --- who ---------------------------------------------------------------------------------
def acting_user():
    """The user of this request, or None (then every scope helper answers "nothing").

    FAB puts it in ``g.user``: its before_request sets the session user, and loading the
    user of a JWT (``load_user_jwt``) overwrites it, which is also whom ``protect()``
    checked the permission for.
    """
    user = getattr(g, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


# --- errors -----------------------------------------------------------------------------
def answers_domain_errors(view):
    """Parse errors → 422 with fields; DomainError → its status with every problem."""
    @functools.wraps(view)
    def wrapper(self, *args, **kwargs):
        try:
            check_csrf_for_cookie_writes()
            return view(self, *args, **kwargs)
        except ValidationError as exc:
            problems = [Problem(" ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs), field=name)
                        for name, msgs in exc.normalized_messages().items()]
            return self.response(422, message="Some values are not valid.", problems=[p.as_json() for p in problems])
        except (DBAPIError, StaleDataError) as exc:
            db.session.rollback()
            if not is_concurrency_error(exc):
                raise
            exc = Conflict("Someone else changed the same calendar or appointment at the same moment; "
                           "nothing was saved. Please try again.",
                           [Problem("Concurrent change.", details={"reason": "concurrent_change"})])
            body = exc.as_json()
            body["conflicts"] = [p.details | {"message": p.message} for p in exc.problems]
            return self.response(409, **body)
        except DomainError as exc:
            db.session.rollback()
            body = exc.as_json()
            if exc.status_code == 409:
                body["conflicts"] = [p.details | {"message": p.message} for p in exc.problems]
            return self.response(exc.status_code, **body)
    return wrapper


# --- CSRF ---------------------------------------------------------------------------------
def check_csrf_for_cookie_writes() -> None:
    """403 for a write that comes with the session cookie but without the page's token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.headers.get("Authorization"):
        return
    if not posted_token_valid():
        raise Forbidden("The page's security token is missing or expired; reload the page.")


# --- input --------------------------------------------------------------------------------
def json_object() -> dict:
    """The request's JSON object (422 for anything else, or for a number out of range)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed("Send a JSON object.")
    if not numbers_fit(payload):
        raise ValidationFailed("A number in the request is out of range (ids and counts are at most 2147483647).")
    return payload


def json_body(schema: Schema) -> dict:
    """The request's JSON object loaded through ``schema`` (422 with field errors)."""
    return schema.load(json_object())


# --- rows -----------------------------------------------------------------------------------
def get_or_404(model, row_id, label: str):
    """A row every user may name (a session type, payer, location), or a 404 naming
    ``<label>_id``."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"There is no {label} {row_id}.", [Problem(f"Unknown {label}.", field=f"{label}_id")])
    return row


def _always(row) -> bool:
    return True


def _own_id(row) -> int:
    return row.id


@dataclass(frozen=True)
class ScopedGetter:
    """Get a row by id, or 404 when it is missing, not ``usable``, or outside ``scope``
    (the acting user's ids; ``scoped_by`` names the row's id the scope selects, e.g. a
    charge is in scope through its case). Outside one's scope reads like missing, so ids
    cannot be probed. ``names_field``: the 404 names ``<label>_id`` as the field."""

    model: type
    scope: Callable[[Any], Select]
    label: str
    names_field: bool = True
    where: str = ""  # words after the id in the message (" you work at")
    scoped_by: Callable[[Any], int] = _own_id
    usable: Callable[[Any], bool] = _always

    def __call__(self, row_id: int):
        row = db.session.get(self.model, row_id)
        if row is None or not self.usable(row) or not in_scope(self.scope(acting_user()), self.scoped_by(row)):
            problems = [Problem(f"Unknown {self.label}.", field=f"{self.label}_id")] if self.names_field else []
            raise NotFound(f"There is no {self.label} {row_id}{self.where}.", problems)
        return row


visible_case = ScopedGetter(Case, case_scope, "case")
"""A case the acting user may see (to book for it)."""
visible_appointment = ScopedGetter(Appointment, appointment_scope, "appointment", names_field=False)
"""An appointment the acting user may see."""


def bookable_calendars(calendar_ids) -> list[Calendar]:
    """The calendars, in order; 404 for an unknown one, 403 naming each one the user may
    not book into."""
    calendars = [get_or_404(Calendar, cid, "calendar") for cid in calendar_ids]
    allowed = set(db.session.scalars(bookable_calendar_ids(acting_user())))
    refused = [c for c in calendars if c.id not in allowed]
    if refused:
        raise Forbidden("You may not book into " + ", ".join(c.name for c in refused) + ".",
                        [Problem("Not your calendar.", field="calendar_id", details={"calendar_id": c.id}) for c in refused])
    return calendars


def changeable(appointment: Appointment) -> Appointment:
    """The user must be able to book into the appointment's provider calendar; the rooms
    and equipment it holds come with it (booking picks them without asking either)."""
    bookable_calendars([o.calendar_id for o in appointment.occupancies if o.calendar.kind == CalendarKind.provider])
    return appointment
