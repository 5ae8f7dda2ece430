"""Booking from the grid where one click means more than one scheduling call: booking
on a case opened in the same form, and repeating an appointment with alternatives
for taken dates. Each is one transaction: all of it is saved, or nothing.
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from marshmallow import Schema, fields, validate

from app.api.appointment_endpoints import book_from_input
from app.api.edge import (
    acting_user,
    answers_domain_errors,
    bookable_calendars,
    changeable,
    get_or_404,
    json_body,
    visible_appointment,
    visible_case,
)
from app.api.scheduling_io import BookingInput, PatternInput, appointment_json
from app.calendar import inline_case, repeat
from app.errors import Forbidden, Problem, ValidationFailed
from app.models import SessionType
from app.models.cases import CASE_TITLE_LENGTH, CLAIM_NUMBER_LENGTH
from app.models.settings import slot_step_minutes
from app.scheduling import series
from app.security import APPOINTMENTS, CASES, WRITE, may
from app.timeutil import local_today
from app.uow import unit_of_work


class NewCaseInput(Schema):
    client_id = fields.Int(required=True)
    title = fields.Str(load_default=None, validate=validate.Length(max=CASE_TITLE_LENGTH))
    discipline_id = fields.Int(required=True)
    payer_id = fields.Int(load_default=None, allow_none=True)
    claim_number = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=CLAIM_NUMBER_LENGTH))


class BookingWithCaseInput(BookingInput):
    case_id = fields.Int(load_default=None)
    new_case = fields.Nested(NewCaseInput, required=True)


class ReplacementInput(Schema):
    day = fields.Date(required=True)
    start = fields.AwareDateTime(required=True)


class RepeatInput(PatternInput):
    appointment_id = fields.Int(load_default=None)
    replacements = fields.List(fields.Nested(ReplacementInput), load_default=list,
                               validate=validate.Length(max=series.MAX_OCCURRENCES))


class GridBookingApi(BaseApi):
    resource_name = "grid_booking"
    route_base = "/api/v1/grid"
    class_permission_name = APPOINTMENTS
    method_permission_name = {"book_with_case": "write", "repeat": "write"}
    allow_browser_login = True  # the grid page; writes need its CSRF token
    openapi_spec_tag = "Grid"

    @expose("/appointments", methods=["POST"])
    @protect()
    @answers_domain_errors
    def book_with_case(self):
        """Open a case and book on it, both or neither.
        ---
        post:
          summary: Like POST /appointments, with new_case (client_id, title, discipline_id, payer_id, claim_number) instead of case_id
          responses: {201: {description: The appointment, with case_id}, 409: {description: Conflicts}, 422: {description: Bad case}}
        """
        data = json_body(BookingWithCaseInput())
        if not may(acting_user(), WRITE, CASES):
            raise Forbidden("You may not open cases.")
        with unit_of_work():
            session_type = get_or_404(SessionType, data["session_type_id"], "session_type")
            calendar, *extra = bookable_calendars([data["calendar_id"], *(data["extra_calendar_ids"] or [])])
            new = data["new_case"]
            case = inline_case.open_case(
                user=acting_user(), client_id=new["client_id"], title=new["title"],
                discipline_id=new["discipline_id"], payer_id=new["payer_id"], claim_number=new["claim_number"],
                opened_on=local_today(calendar), provider=calendar.team_member,
                location_id=calendar.location_id)
            body = book_from_input(case, session_type, calendar, extra, data)
        return self.response(201, **body)

    @expose("/series", methods=["POST"])
    @protect()
    @answers_domain_errors
    def repeat(self):
        """Repeat an appointment: a series with chosen alternatives, all or nothing.
        ---
        post:
          summary: POST /series plus appointment_id (joins the series) and replacements [{day, start}]
          responses: {201: {description: The appointments}, 409: {description: Dates that cannot be booked}}
        """
        data = json_body(RepeatInput())
        with unit_of_work():
            case = visible_case(data["case_id"])
            session_type = get_or_404(SessionType, data["session_type_id"], "session_type")
            calendar = bookable_calendars([data["calendar_id"]])[0]
            original = changeable(visible_appointment(data["appointment_id"])) if data["appointment_id"] else None
            if original is not None and original.case_id != case.id:
                raise ValidationFailed("The series must be on the appointment's case.",
                                       [Problem("Another case.", field="case_id")])
            pattern = series.Pattern(first_day=data["first_day"], weekdays=frozenset(data["weekdays"]),
                                     at=data["at"], every_weeks=data["every_weeks"], count=data["count"],
                                     until=data["until"])
            series_id, bookings = repeat.book_repeat(
                case=case, session_type=session_type, calendar=calendar, pattern=pattern, actor=acting_user(),
                skip_days=set(data["skip_days"]),
                replacements=[repeat.Replacement(r["day"], r["start"]) for r in data["replacements"]],
                notify=data["notify"], notes=data["notes"], original=original, step_minutes=slot_step_minutes())
            body = {"series_id": series_id,
                    "appointments": [appointment_json(b.appointment, b.warnings) for b in bookings]}
        return self.response(201, **body)


GRID_BOOKING_APIS = (GridBookingApi,)
