"""Find time: the bookable starts for a session type (part of SchedulingApi).
"""
from __future__ import annotations

from flask import request

from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from sqlalchemy import select

from app.errors import NotFound, Problem
from app.extensions import db
from app.models import Calendar, Location, SessionType
from app.models.settings import slot_step_minutes
from app.scheduling import availability
from app.security import visible_calendar_ids
from app.api.edge import acting_user, answers_domain_errors, get_or_404
from app.api.scheduling_io import AvailabilityQuery, local_iso


class FindTimeEndpoints:
    """GET /api/v1/availability (SchedulingApi's endpoint)."""

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
        session_type = get_or_404(SessionType, args["session_type_id"], "session_type")
        visible = set(db.session.scalars(visible_calendar_ids(acting_user())))
        if args["calendar_id"]:
            calendars = [get_or_404(Calendar, cid, "calendar") for cid in args["calendar_id"]]
            if any(c.id not in visible for c in calendars):
                raise NotFound("There is no such calendar.", [Problem("Unknown calendar.", field="calendar_id")])
        else:
            get_or_404(Location, args["location_id"], "location")
            calendars = list(db.session.scalars(select(Calendar).where(
                Calendar.location_id == args["location_id"], Calendar.id.in_(visible_calendar_ids(acting_user())))
                .order_by(Calendar.sort_order, Calendar.name)))
        slots = availability.find_slots(
            session_type=session_type, provider_calendars=calendars, start_day=args["start"],
            end_day=args["end"], channel=args["channel"], step_minutes=slot_step_minutes(),
            any_provider=args["any_provider"], limit=args["limit"],
            is_new_client=None if args["client_type"] is None else args["client_type"] == "new",
        )
        zones = {c.id: c.location.timezone for c in calendars}
        return self.response(200, slots=[{
            "start": local_iso(s.start, zones[s.calendar_ids[0]]), "end": local_iso(s.end, zones[s.calendar_ids[0]]),
            "calendar_ids": list(s.calendar_ids)} for s in slots])
