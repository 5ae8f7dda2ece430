"""Booking and changing one appointment: book, read, move / resize / reassign, copy,
cancel, rebook (part of SchedulingApi).
"""
from __future__ import annotations

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.models import SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import booking, series
from app.timeutil import to_local
from app.uow import unit_of_work
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
from app.api.scheduling_io import (
    BookingInput,
    CancelInput,
    ChangeInput,
    CopyInput,
    RebookInput,
    appointment_json,
    fee_decision,
)


class AppointmentEndpoints:
    """/api/v1/appointments... (SchedulingApi's endpoints)."""

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
        data = json_body(BookingInput())
        with unit_of_work():
            case = visible_case(data["case_id"])
            session_type = get_or_404(SessionType, data["session_type_id"], "session_type")
            calendar, *extra = bookable_calendars([data["calendar_id"], *(data["extra_calendar_ids"] or [])])
            body = book_from_input(case, session_type, calendar, extra, data)
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
        return self.response(200, **appointment_json(visible_appointment(appointment_id)))

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
        data = json_body(ChangeInput())
        if data["scope"] != "this":
            return self._change_series(appointment_id, data)
        with unit_of_work():
            appointment = changeable(visible_appointment(appointment_id))
            start = data["start"] or appointment.starts_at
            length = (data["end"] - start) if data["end"] else None
            calendar = bookable_calendars([data["calendar_id"]])[0] if data["calendar_id"] else None
            extra = bookable_calendars(data["extra_calendar_ids"]) if data["extra_calendar_ids"] is not None else None
            result = booking.move(appointment=appointment, actor=acting_user(), start=data["start"],
                                  calendar=calendar, extra_calendars=extra, length=length,
                                  expected_version=data["version"], allow_overlap=data["allow_overlap"],
                                  step_minutes=slot_step_minutes())
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
            appointment = changeable(visible_appointment(appointment_id))
            booking.ensure_current(appointment, data["version"])
            for member in series.members(appointment, data["scope"]):
                changeable(visible_appointment(member.id))
            at = to_local(data["start"], appointment.location.timezone).time()
            calendar = bookable_calendars([data["calendar_id"]])[0] if data["calendar_id"] else None
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
        data = json_body(CopyInput())
        with unit_of_work():
            original = changeable(visible_appointment(appointment_id))
            calendar = bookable_calendars([data["calendar_id"]])[0] if data["calendar_id"] else None
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
        data = json_body(CancelInput())
        with unit_of_work():
            appointment = changeable(visible_appointment(appointment_id))
            booking.ensure_current(appointment, data["version"])
            for member in series.members(appointment, data["scope"]):
                changeable(visible_appointment(member.id))  # every one of them must be the user's to cancel
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
        data = json_body(RebookInput())
        with unit_of_work():
            original = changeable(visible_appointment(appointment_id))
            calendar = bookable_calendars([data["calendar_id"]])[0] if data["calendar_id"] else None
            result = booking.rebook(appointment=original, start=data["start"], calendar=calendar,
                                    actor=acting_user(), expected_version=data["version"],
                                    allow_overlap=data["allow_overlap"])
            body = appointment_json(result.appointment, result.warnings, result.overlaps)
        return self.response(201, **body)


def book_from_input(case, session_type, calendar, extra, data: dict) -> dict:
    """Book what a ``BookingInput`` asks for on ``case`` (the API's and the grid's way to
    book); the new appointment's JSON."""
    result = booking.book(
        case=case, session_type=session_type, calendar=calendar, start=data["start"],
        extra_calendars=extra if data["extra_calendar_ids"] is not None else None,
        actor=acting_user(), allow_overlap=data["allow_overlap"], notify=data["notify"],
        notes=data["notes"], step_minutes=slot_step_minutes(),
    )
    return appointment_json(result.appointment, result.warnings, result.overlaps)
