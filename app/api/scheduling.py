"""The scheduling API: availability, booking and changing appointments, series, shifts.

Thin: each endpoint parses its input (marshmallow; 422 with field errors), checks the
user may book the calendars and see the case (403/404), calls one service inside one
unit of work, and answers JSON. DomainErrors become their 409/422 JSON here, because
FAB's @safe would turn them into a bare 500.

The calendar page calls these with the login session cookie; such writes must carry the
page's CSRF token (header X-CSRFToken). Integrations use FAB's JWT.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from flask_wtf.csrf import CSRFError, validate_csrf
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.api.base import acting_user
from app.ids import numbers_fit
from app.errors import Conflict, DomainError, Forbidden, NotFound, Problem, ValidationFailed
from app.extensions import db
from app.models import Appointment, Calendar, CalendarKind, Case, Location, SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import availability, booking, series, shifts
from app.scheduling.booking import is_concurrency_error
from app.security import (
    APPOINTMENTS,
    SHIFTS,
    appointment_scope,
    bookable_calendar_ids,
    case_scope,
    in_scope,
    visible_calendar_ids,
)
from app.timeutil import to_local
from app.uow import unit_of_work

MAX_DAYS = 62


# --- input ------------------------------------------------------------------------------
class AvailabilityQuery(Schema):
    session_type_id = fields.Int(required=True)
    calendar_id = fields.List(fields.Int(), load_default=list)
    location_id = fields.Int(load_default=None)
    start = fields.Date(required=True, validate=validate.Range(min=date(2000, 1, 1), max=date(2100, 1, 1)))
    end = fields.Date(required=True, validate=validate.Range(min=date(2000, 1, 1), max=date(2100, 1, 1)))
    channel = fields.Str(load_default="staff", validate=validate.OneOf(availability.CHANNELS))
    any_provider = fields.Bool(load_default=True)
    client_type = fields.Str(load_default=None, validate=validate.OneOf(("new", "returning")))
    limit = fields.Int(load_default=None, validate=validate.Range(min=1, max=5000))

    @validates_schema
    def _range(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("The end date is before the start date.", "end")
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise ValidationError(f"Ask for at most {MAX_DAYS} days at once.", "end")
        if not data["calendar_id"] and data["location_id"] is None:
            raise ValidationError("Give calendar_id (one or more) or location_id.", "calendar_id")


class BookingInput(Schema):
    case_id = fields.Int(required=True)
    session_type_id = fields.Int(required=True)
    calendar_id = fields.Int(required=True)
    start = fields.AwareDateTime(required=True)
    extra_calendar_ids = fields.List(fields.Int(), load_default=None)
    notify = fields.Bool(load_default=True)
    notes = fields.Str(load_default=None, validate=validate.Length(max=4000))
    allow_overlap = fields.Bool(load_default=False)


class ChangeInput(Schema):
    scope = fields.Str(load_default="this", validate=validate.OneOf(series.SCOPES))
    start = fields.AwareDateTime(load_default=None)
    end = fields.AwareDateTime(load_default=None)
    calendar_id = fields.Int(load_default=None)
    extra_calendar_ids = fields.List(fields.Int(), load_default=None)
    version = fields.Int(load_default=None)
    allow_overlap = fields.Bool(load_default=False)
    notes = fields.Str(load_default=None, validate=validate.Length(max=4000))


class CopyInput(Schema):
    start = fields.AwareDateTime(required=True)
    calendar_id = fields.Int(load_default=None)
    allow_overlap = fields.Bool(load_default=False)


class FeeInput(Schema):
    """Staff's decision on a no-show or late-cancel fee: waive it, or charge ``amount``
    (absent: the policy's amount)."""
    waive = fields.Bool(load_default=False)
    amount = fields.Decimal(load_default=None, places=2, validate=validate.Range(min=0, max=100000))


class CancelInput(Schema):
    reason = fields.Str(load_default=None, validate=validate.Length(max=500))
    fee = fields.Nested(FeeInput, load_default=None)
    version = fields.Int(load_default=None)
    scope = fields.Str(load_default="this", validate=validate.OneOf(series.SCOPES))


class RebookInput(CopyInput):
    version = fields.Int(load_default=None)


class PatternInput(Schema):
    case_id = fields.Int(required=True)
    session_type_id = fields.Int(required=True)
    calendar_id = fields.Int(required=True)
    first_day = fields.Date(required=True)
    weekdays = fields.List(fields.Int(validate=validate.Range(0, 6)), required=True)
    at = fields.Time(required=True)
    every_weeks = fields.Int(load_default=1)
    count = fields.Int(load_default=None)
    until = fields.Date(load_default=None)
    skip_days = fields.List(fields.Date(), load_default=list)
    notify = fields.Bool(load_default=True)
    notes = fields.Str(load_default=None)


class ShiftRepeatInput(Schema):
    calendar_ids = fields.List(fields.Int(), required=True, validate=validate.Length(min=1))
    first_day = fields.Date(required=True)
    weekdays = fields.List(fields.Int(validate=validate.Range(0, 6)), required=True)
    weeks = fields.Int(required=True)
    start = fields.Time(required=True)
    end = fields.Time(required=True)
    breaks = fields.List(fields.Tuple((fields.Time(), fields.Time())), load_default=list)
    skip_conflicts = fields.Bool(load_default=False)


# --- output -----------------------------------------------------------------------------
def _iso(instant: datetime, zone: str) -> str:
    return to_local(instant, zone).isoformat()


def appointment_json(appointment: Appointment, warnings=(), overlaps=()) -> dict:
    zone = appointment.location.timezone
    return {
        "id": appointment.id, "version": appointment.version, "case_id": appointment.case_id,
        "client_id": appointment.case.client_id, "session_type_id": appointment.session_type_id,
        "location_id": appointment.location_id, "start": _iso(appointment.starts_at, zone),
        "end": _iso(appointment.ends_at, zone), "status": appointment.status.value,
        "booked_via": appointment.booked_via.value, "notify": appointment.notify, "notes": appointment.notes,
        "series_id": appointment.series_id, "rebooked_from_id": appointment.rebooked_from_id,
        "calendar_ids": [o.calendar_id for o in appointment.occupancies if o.active],
        "warnings": list(warnings), "overlaps": list(overlaps),
    }


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


def fee_decision(data: dict | None):
    from app.billing.fees import FeeDecision

    return None if data is None else FeeDecision(waive=data["waive"], amount=data["amount"])


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


class SchedulingApi(BaseApi):
    resource_name = "scheduling"
    route_base = "/api/v1"
    class_permission_name = APPOINTMENTS
    method_permission_name = {
        "availability": "read", "get_appointment": "read", "book": "write", "change": "write",
        "copy": "write", "cancel": "write", "rebook": "write", "series_preview": "write",
        "series_create": "write",
    }
    allow_browser_login = True  # the calendar page; writes then need its CSRF token
    openapi_spec_tag = "Scheduling"

    @expose("/availability", methods=["GET"])
    @protect()
    @answers_domain_errors
    def availability(self):
        """Bookable starts for a session type.
        ---
        get:
          summary: Bookable starts (ISO-8601 with offsets) for a session type over dates
          parameters:
          - {in: query, name: session_type_id, required: true, schema: {type: integer}}
          - {in: query, name: calendar_id, schema: {type: array, items: {type: integer}}, explode: true}
          - {in: query, name: location_id, schema: {type: integer}}
          - {in: query, name: start, required: true, schema: {type: string, format: date}}
          - {in: query, name: end, required: true, schema: {type: string, format: date}}
          - {in: query, name: channel, schema: {type: string, enum: [staff, online]}}
          - {in: query, name: any_provider, schema: {type: boolean}}
          - {in: query, name: client_type, schema: {type: string, enum: [new, returning]}}
          responses:
            200: {description: '{"slots": [{"start", "end", "calendar_ids"}]}'}
            422: {description: Malformed input}
        """
        args = AvailabilityQuery().load({
            **{k: v for k, v in request.args.items() if k != "calendar_id"},
            "calendar_id": request.args.getlist("calendar_id"),
        })
        session_type = _get(SessionType, args["session_type_id"], "session_type")
        visible = set(db.session.scalars(visible_calendar_ids(acting_user())))
        if args["calendar_id"]:
            calendars = [_get(Calendar, cid, "calendar") for cid in args["calendar_id"]]
            if any(c.id not in visible for c in calendars):
                raise NotFound("There is no such calendar.", [Problem("Unknown calendar.", field="calendar_id")])
        else:
            _get(Location, args["location_id"], "location")
            calendars = list(db.session.scalars(select(Calendar).where(
                Calendar.location_id == args["location_id"], Calendar.id.in_(visible_calendar_ids(acting_user())))
                .order_by(Calendar.sort_order, Calendar.name)))
        slots = availability.find_slots(
            session_type=session_type, provider_calendars=calendars, start_day=args["start"],
            end_day=args["end"], channel=args["channel"], step_minutes=_step(),
            any_provider=args["any_provider"], limit=args["limit"],
            is_new_client=None if args["client_type"] is None else args["client_type"] == "new",
        )
        zones = {c.id: c.location.timezone for c in calendars}
        return self.response(200, slots=[{
            "start": _iso(s.start, zones[s.calendar_ids[0]]), "end": _iso(s.end, zones[s.calendar_ids[0]]),
            "calendar_ids": list(s.calendar_ids)} for s in slots])

    @expose("/appointments", methods=["POST"])
    @protect()
    @answers_domain_errors
    def book(self):
        """Book an appointment.
        ---
        post:
          summary: Book (201), or 409 with every conflict, or 422 with field errors
          requestBody: {content: {application/json: {schema: {type: object}}}}
          responses:
            201: {description: The appointment}
            409: {description: '{"message", "conflicts": [{"calendar_id", "reason", "appointment_id"?}]}'}
            422: {description: Malformed input}
        """
        data = _body(BookingInput())
        with unit_of_work():
            case = _case(data["case_id"])
            session_type = _get(SessionType, data["session_type_id"], "session_type")
            calendar, *extra = _bookable([data["calendar_id"], *(data["extra_calendar_ids"] or [])])
            result = booking.book(
                case=case, session_type=session_type, calendar=calendar, start=data["start"],
                extra_calendars=extra if data["extra_calendar_ids"] is not None else None,
                actor=acting_user(), allow_overlap=data["allow_overlap"], notify=data["notify"],
                notes=data["notes"], step_minutes=_step(),
            )
            body = appointment_json(result.appointment, result.warnings, result.overlaps)
        return self.response(201, **body)

    @expose("/appointments/<int:appointment_id>", methods=["GET"])
    @protect()
    @answers_domain_errors
    def get_appointment(self, appointment_id: int):
        """One appointment.
        ---
        get:
          summary: One appointment with its calendars and version
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The appointment}, 404: {description: Not found}}
        """
        return self.response(200, **appointment_json(_appointment(appointment_id)))

    @expose("/appointments/<int:appointment_id>", methods=["PATCH"])
    @protect()
    @answers_domain_errors
    def change(self, appointment_id: int):
        """Move, resize or reassign.
        ---
        patch:
          summary: Move (start), resize (end), reassign (calendar_id / extra_calendar_ids); send version
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The appointment}, 409: {description: Conflicts or stale version}}
        """
        data = _body(ChangeInput())
        if data["scope"] != "this":
            return self._change_series(appointment_id, data)
        with unit_of_work():
            appointment = _changeable(_appointment(appointment_id))
            start = data["start"] or appointment.starts_at
            length = (data["end"] - start) if data["end"] else None
            calendar = _bookable([data["calendar_id"]])[0] if data["calendar_id"] else None
            extra = _bookable(data["extra_calendar_ids"]) if data["extra_calendar_ids"] is not None else None
            result = booking.move(appointment=appointment, actor=acting_user(), start=data["start"],
                                  calendar=calendar, extra_calendars=extra, length=length,
                                  expected_version=data["version"], allow_overlap=data["allow_overlap"],
                                  step_minutes=_step())
            if data["notes"] is not None:
                appointment.notes = data["notes"]
            db.session.flush()
            body = appointment_json(appointment, result.warnings, result.overlaps)
        return self.response(200, **body)

    def _change_series(self, appointment_id: int, data: dict):
        """This and the following / all occurrences get the new start's local time of day,
        each on its own date, all or nothing."""
        if data["start"] is None:
            raise ValidationFailed("Give the new start time for the occurrences.", [Problem("Required.", field="start")])
        with unit_of_work():
            appointment = _changeable(_appointment(appointment_id))
            booking._ensure_current(appointment, data["version"])
            for member in series.members(appointment, data["scope"]):
                _changeable(_appointment(member.id))
            at = to_local(data["start"], appointment.location.timezone).time()
            calendar = _bookable([data["calendar_id"]])[0] if data["calendar_id"] else None
            results = series.move_time(appointment=appointment, scope=data["scope"], at=at, actor=acting_user(),
                                       calendar=calendar)
            body = {"appointments": [appointment_json(r.appointment, r.warnings) for r in results]}
        return self.response(200, **body)

    @expose("/appointments/<int:appointment_id>/copy", methods=["POST"])
    @protect()
    @answers_domain_errors
    def copy(self, appointment_id: int):
        """Copy to another time or calendar.
        ---
        post:
          summary: A new appointment like this one at another time / calendar
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          responses: {201: {description: The new appointment}, 409: {description: Conflicts}}
        """
        data = _body(CopyInput())
        with unit_of_work():
            original = _changeable(_appointment(appointment_id))
            calendar = _bookable([data["calendar_id"]])[0] if data["calendar_id"] else None
            result = booking.copy(appointment=original, start=data["start"], calendar=calendar,
                                  actor=acting_user(), allow_overlap=data["allow_overlap"])
            body = appointment_json(result.appointment, result.warnings, result.overlaps)
        return self.response(201, **body)

    @expose("/appointments/<int:appointment_id>/cancel", methods=["POST"])
    @protect()
    @answers_domain_errors
    def cancel(self, appointment_id: int):
        """Cancel (this one, this and following, or all of a series).
        ---
        post:
          summary: Cancel; the time becomes free again
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The canceled appointments}, 409: {description: Not allowed now}}
        """
        data = _body(CancelInput())
        with unit_of_work():
            appointment = _changeable(_appointment(appointment_id))
            booking._ensure_current(appointment, data["version"])
            for member in series.members(appointment, data["scope"]):
                _changeable(_appointment(member.id))  # every one of them must be the user's to cancel
            chosen = series.cancel(appointment=appointment, scope=data["scope"], actor=acting_user(),
                                   reason=data["reason"], fee=fee_decision(data["fee"]))
            body = {"appointments": [appointment_json(a) for a in chosen]}
        return self.response(200, **body)

    @expose("/appointments/<int:appointment_id>/rebook", methods=["POST"])
    @protect()
    @answers_domain_errors
    def rebook(self, appointment_id: int):
        """Rebook at another time.
        ---
        post:
          summary: A new appointment replacing this one, which becomes Rebooked
          parameters: [{in: path, name: appointment_id, required: true, schema: {type: integer}}]
          responses: {201: {description: The new appointment}, 409: {description: Conflicts}}
        """
        data = _body(RebookInput())
        with unit_of_work():
            original = _changeable(_appointment(appointment_id))
            calendar = _bookable([data["calendar_id"]])[0] if data["calendar_id"] else None
            result = booking.rebook(appointment=original, start=data["start"], calendar=calendar,
                                    actor=acting_user(), expected_version=data["version"],
                                    allow_overlap=data["allow_overlap"])
            body = appointment_json(result.appointment, result.warnings, result.overlaps)
        return self.response(201, **body)

    def _pattern_request(self):
        data = _body(PatternInput())
        case = _case(data["case_id"])
        session_type = _get(SessionType, data["session_type_id"], "session_type")
        calendar = _bookable([data["calendar_id"]])[0]
        pattern = series.Pattern(first_day=data["first_day"], weekdays=frozenset(data["weekdays"]), at=data["at"],
                                 every_weeks=data["every_weeks"], count=data["count"], until=data["until"])
        return data, case, session_type, calendar, pattern

    @expose("/series/preview", methods=["POST"])
    @protect()
    @answers_domain_errors
    def series_preview(self):
        """Preview a recurring series.
        ---
        post:
          summary: Each date of the pattern, free or its reasons plus nearest alternatives
          responses: {200: {description: '{"occurrences": [...]}'}, 422: {description: Bad pattern}}
        """
        _, case, session_type, calendar, pattern = self._pattern_request()
        zone = calendar.location.timezone
        occurrences = series.preview(case=case, session_type=session_type, calendar=calendar, pattern=pattern,
                                     step_minutes=_step())
        db.session.rollback()
        return self.response(200, occurrences=[{
            "day": o.day.isoformat(), "start": _iso(o.start, zone), "free": o.free,
            "problems": [p.as_json() for p in o.problems],
            "alternatives": [{"start": _iso(s.start, zone), "end": _iso(s.end, zone), "calendar_ids": list(s.calendar_ids)}
                             for s in o.alternatives],
        } for o in occurrences])

    @expose("/series", methods=["POST"])
    @protect()
    @answers_domain_errors
    def series_create(self):
        """Book a recurring series, all or nothing.
        ---
        post:
          summary: Book every date (minus skip_days) atomically; 409 lists each bad date
          responses: {201: {description: The appointments}, 409: {description: Some dates conflict}}
        """
        with unit_of_work():
            data, case, session_type, calendar, pattern = self._pattern_request()
            series_id, bookings = series.create(
                case=case, session_type=session_type, calendar=calendar, pattern=pattern, actor=acting_user(),
                skip_days=set(data["skip_days"]), notify=data["notify"], notes=data["notes"], step_minutes=_step())
            body = {"series_id": series_id,
                    "appointments": [appointment_json(b.appointment, b.warnings) for b in bookings]}
        return self.response(201, **body)


class ShiftPlanApi(BaseApi):
    """Shifts as the week view and repeat patterns need them."""

    resource_name = "shift_plan"
    route_base = "/api/v1/shift_plan"
    class_permission_name = SHIFTS
    method_permission_name = {"week": "read", "repeat": "write"}
    allow_browser_login = True
    openapi_spec_tag = "Shifts"

    @expose("/week", methods=["GET"])
    @protect()
    @answers_domain_errors
    def week(self):
        """A week of shifts for a location's active calendars.
        ---
        get:
          summary: A week of shifts (with breaks) per calendar, and the grid's visible hours
          parameters:
          - {in: query, name: location_id, required: true, schema: {type: integer}}
          - {in: query, name: week_start, required: true, schema: {type: string, format: date}}
          responses: {200: {description: The week}}
        """
        args = Schema.from_dict({"location_id": fields.Int(required=True),
                                 "week_start": fields.Date(required=True)})().load(request.args)
        location = _get(Location, args["location_id"], "location")
        weeks = shifts.week_of_shifts(location=location, week_start=args["week_start"],
                                      calendar_ids=visible_calendar_ids(acting_user()))
        start, end = shifts.visible_hours(location=location, day_from=args["week_start"],
                                          day_to=args["week_start"] + timedelta(days=6))
        return self.response(200, visible_hours=[start.isoformat("minutes"), end.isoformat("minutes")], calendars=[{
            "calendar_id": w.calendar.id, "name": w.calendar.name, "kind": w.calendar.kind.value,
            "days": {day.isoformat(): [{"id": s.id, "start": s.start_time.isoformat("minutes"),
                                        "end": s.end_time.isoformat("minutes"), "pattern_id": s.pattern_id,
                                        "breaks": [[b.start_time.isoformat("minutes"), b.end_time.isoformat("minutes")]
                                                   for b in s.breaks]} for s in day_shifts]
                     for day, day_shifts in w.days.items()},
        } for w in weeks])

    @expose("/repeat", methods=["POST"])
    @protect()
    @answers_domain_errors
    def repeat(self):
        """Repeat a shift pattern on weekdays for N weeks over several calendars.
        ---
        post:
          summary: Create the shifts of a repeat pattern (all or nothing unless skip_conflicts)
          responses: {201: {description: The shifts created}, 409: {description: Conflicting dates}}
        """
        data = _body(ShiftRepeatInput())
        with unit_of_work():
            calendars = _bookable(data["calendar_ids"])
            created = shifts.repeat_shift(calendars=calendars, first_day=data["first_day"],
                                          weekdays=set(data["weekdays"]), weeks=data["weeks"], start=data["start"],
                                          end=data["end"], breaks=[tuple(b) for b in data["breaks"]],
                                          skip_conflicts=data["skip_conflicts"], actor=acting_user())
            body = {"created": len(created), "pattern_id": created[0].pattern_id if created else None}
        return self.response(201, **body)


SCHEDULING_APIS = (SchedulingApi, ShiftPlanApi)
