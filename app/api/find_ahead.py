"""Finding time ahead from the grid: Find Time Slot's first openings over days and weeks,
and "book next" from an appointment's panel. Reads only; booking the chosen time goes
through POST /api/v1/appointments like any other booking. The rules live in
app/scheduling/find_time.py.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from app.api.edge import acting_user, answers_domain_errors, get_or_404, visible_appointment
from app.api.scheduling_io import local_iso
from app.errors import NotFound, Problem
from app.extensions import db
from app.models import Calendar, CalendarKind, Location, SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import find_time
from app.security import APPOINTMENTS, visible_calendar_ids
from app.timeutil import local_today


class FindTimeQuery(Schema):
    session_type_id = fields.Int(required=True)
    calendar_id = fields.Int(load_default=None)
    location_id = fields.Int(load_default=None)
    start = fields.Date(load_default=None)
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=find_time.MAX_OPENINGS))
    weeks = fields.Int(load_default=4, validate=validate.Range(min=1, max=find_time.MAX_WEEKS))

    @validates_schema
    def _where(self, data, **kwargs):
        if data["calendar_id"] is None and data["location_id"] is None:
            raise ValidationError("Give calendar_id (one provider) or location_id (any provider there).", "calendar_id")


def _slot_json(slot, zone: str, names: dict[int, str]) -> dict:
    # The names too: an opening may be on a day the grid does not show, whose columns it does not know.
    return {"start": local_iso(slot.start, zone), "end": local_iso(slot.end, zone), "calendar_ids": list(slot.calendar_ids),
            "calendar_names": [names.get(calendar_id, "") for calendar_id in slot.calendar_ids]}


class FindAheadApi(BaseApi):
    resource_name = "find_ahead"
    route_base = "/api/v1"
    class_permission_name = APPOINTMENTS
    method_permission_name = {"openings": "read", "next_visit": "read"}
    allow_browser_login = True  # the grid page
    openapi_spec_tag = "Scheduling"

    @expose("/find_time", methods=["GET"])
    @protect()
    @answers_domain_errors
    def openings(self):
        """The first openings for a session type, looking ahead over weeks.
        ---
        get:
          summary: The first `limit` starts from `start` (default the location's today), up to `weeks` weeks ahead
          parameters:
          - {in: query, name: session_type_id, required: true, schema: {type: integer}}
          - {in: query, name: calendar_id, schema: {type: integer}}
          - {in: query, name: location_id, schema: {type: integer}}
          - {in: query, name: start, schema: {type: string, format: date}}
          - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 50}}
          - {in: query, name: weeks, schema: {type: integer, minimum: 1, maximum: 8}}
          responses:
            200: {description: '{"openings": [{"start", "end", "calendar_ids", "calendar_names"}]}'}
            422: {description: Malformed input}
        """
        args = FindTimeQuery().load(request.args.to_dict())
        session_type = get_or_404(SessionType, args["session_type_id"], "session_type")
        visible = visible_calendar_ids(acting_user())
        if args["calendar_id"] is not None:
            calendars = list(db.session.scalars(select(Calendar).where(
                Calendar.id == args["calendar_id"], Calendar.id.in_(visible))))
            if not calendars:
                raise NotFound("There is no such calendar.", [Problem("Unknown calendar.", field="calendar_id")])
            location = calendars[0].location
        else:
            location = get_or_404(Location, args["location_id"], "location")
            calendars = list(db.session.scalars(select(Calendar).where(
                Calendar.location_id == location.id, Calendar.kind == CalendarKind.provider,
                Calendar.id.in_(visible)).order_by(Calendar.sort_order, Calendar.name)))
        openings = find_time.first_openings(
            session_type=session_type, calendars=calendars, from_day=args["start"] or local_today(location),
            limit=args["limit"], weeks=args["weeks"], step_minutes=slot_step_minutes())
        names = {calendar.id: calendar.name for calendar in calendars}
        return self.response(200, openings=[_slot_json(s, location.timezone, names) for s in openings])

    @expose("/appointments/<int:appointment_id>/next_visit", methods=["GET"])
    @protect()
    @answers_domain_errors
    def next_visit(self, appointment_id: int):
        """Where "book next" puts the appointment's next visit.
        ---
        get:
          summary: Same session, same provider, same local time a week later; free, or why not and the nearest openings
          parameters:
          - {in: path, name: appointment_id, required: true, schema: {type: integer}}
          responses:
            200: {description: '{"start", "end", "calendar_id", "session_type_id", "case_id", "free", "problems", "alternatives"}'}
            404: {description: No such appointment}
        """
        appointment = visible_appointment(appointment_id)
        found = find_time.next_visit(appointment=appointment, step_minutes=slot_step_minutes())
        zone = found.calendar.location.timezone
        return self.response(200, start=local_iso(found.start, zone), end=local_iso(found.end, zone),
                             calendar_id=found.calendar.id, session_type_id=found.session_type.id,
                             case_id=appointment.case_id, free=found.free,
                             problems=[p.as_json() for p in found.problems],
                             alternatives=[_slot_json(s, zone, {found.calendar.id: found.calendar.name})
                                           for s in found.alternatives])


FIND_AHEAD_APIS = [FindAheadApi]
