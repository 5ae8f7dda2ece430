"""Shifts as the week view and repeat patterns need them.
"""
from __future__ import annotations

from datetime import timedelta

from flask import request

from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect

from marshmallow import Schema, fields

from app.models import Location
from app.scheduling import shifts
from app.security import SHIFTS, visible_calendar_ids
from app.uow import unit_of_work
from app.api.edge import acting_user, answers_domain_errors, bookable_calendars, get_or_404, json_body
from app.api.scheduling_io import ShiftRepeatInput


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
        location = get_or_404(Location, args["location_id"], "location")
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
        data = json_body(ShiftRepeatInput())
        with unit_of_work():
            calendars = bookable_calendars(data["calendar_ids"])
            created = shifts.repeat_shift(calendars=calendars, first_day=data["first_day"],
                                          weekdays=set(data["weekdays"]), weeks=data["weeks"], start=data["start"],
                                          end=data["end"], breaks=[tuple(b) for b in data["breaks"]],
                                          skip_conflicts=data["skip_conflicts"], actor=acting_user())
            body = {"created": len(created), "pattern_id": created[0].pattern_id if created else None}
        return self.response(201, **body)



SHIFT_PLAN_APIS = (ShiftPlanApi,)
