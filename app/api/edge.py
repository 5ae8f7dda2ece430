"""What every hand-written API endpoint shares at the edge: errors as JSON (DomainError →
its status with every problem, parse errors → 422 with fields, concurrent changes → 409;
FAB's @safe would turn them into a bare 500), the JSON body, scoped get-or-404, and the
CSRF check for callers that come with the login session cookie (the calendar page);
integrations use FAB's JWT.
"""
from __future__ import annotations

import functools

from flask import current_app, request

from flask_wtf.csrf import CSRFError, validate_csrf

from marshmallow import Schema, ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.api.base import acting_user
from app.ids import numbers_fit
from app.errors import Conflict, DomainError, Forbidden, NotFound, Problem, ValidationFailed
from app.extensions import db
from app.models import Appointment, Calendar, CalendarKind, Case
from app.models.settings import slot_step_minutes
from app.scheduling.booking import is_concurrency_error
from app.security import appointment_scope, bookable_calendar_ids, case_scope, in_scope


# --- the edge ---------------------------------------------------------------------------
def answers_domain_errors(view):
    """Parse errors → 422 with fields; DomainError → its status with every problem."""
    @functools.wraps(view)
    def wrapper(self, *args, **kwargs):
        try:
            _check_csrf_for_cookie_writes()
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



def _check_csrf_for_cookie_writes() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or request.headers.get("Authorization"):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except (CSRFError, ValidationError, Exception) as exc:
        raise Forbidden("The page's security token is missing or expired; reload the page.") from exc


def _body(schema: Schema) -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed("Send a JSON object.")
    if not numbers_fit(payload):
        raise ValidationFailed("A number in the request is out of range (ids and counts are at most 2147483647).")
    return schema.load(payload)


def _get(model, row_id, label: str):
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"There is no {label} {row_id}.", [Problem(f"Unknown {label}.", field=f"{label}_id")])
    return row


def _case(case_id: int) -> Case:
    case = _get(Case, case_id, "case")
    if not in_scope(case_scope(acting_user()), case.id):
        raise NotFound(f"There is no case {case_id}.", [Problem("Unknown case.", field="case_id")])
    return case


def _bookable(calendar_ids) -> list[Calendar]:
    calendars = [_get(Calendar, cid, "calendar") for cid in calendar_ids]
    allowed = set(db.session.scalars(bookable_calendar_ids(acting_user())))
    refused = [c for c in calendars if c.id not in allowed]
    if refused:
        raise Forbidden("You may not book into " + ", ".join(c.name for c in refused) + ".",
                        [Problem("Not your calendar.", field="calendar_id", details={"calendar_id": c.id}) for c in refused])
    return calendars


def _appointment(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not in_scope(appointment_scope(acting_user()), appointment_id):
        raise NotFound(f"There is no appointment {appointment_id}.")
    return appointment


def _changeable(appointment: Appointment) -> Appointment:
    """The user must be able to book into the appointment's provider calendar; the rooms
    and equipment it holds come with it (booking picks them without asking either)."""
    _bookable([o.calendar_id for o in appointment.occupancies if o.calendar.kind == CalendarKind.provider])
    return appointment


def _step() -> int:
    return slot_step_minutes()
