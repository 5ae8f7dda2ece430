"""The shift planner's API: previews of conflicts, copying a week, changing or removing
one date or this and following, and the location's visible hours.

Reading a week and laying repeats stay on the scheduling API (``/api/v1/shift_plan/week``
and ``/repeat``); these endpoints add what the planner page needs around them. Thin:
parse, check scope (the calendars the user may book into), call ``app.planner.service``
in one unit of work.
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, expose
from flask_babel import gettext
from flask_appbuilder.security.decorators import protect
from marshmallow import Schema, fields, validate

from app.api.edge import acting_user, answers_domain_errors, bookable_calendars, get_or_404, json_body
from app.errors import Forbidden
from app.extensions import db
from app.models import Location
from app.planner import service
from app.scheduling import shifts
from app.security import LOCATIONS, SHIFTS, WRITE, bookable_calendar_ids, may
from app.uow import unit_of_work

Time = fields.Time


class RepeatPreview(Schema):
    calendar_ids = fields.List(fields.Int(), required=True, validate=validate.Length(min=1))
    first_day = fields.Date(required=True)
    weekdays = fields.List(fields.Int(validate=validate.Range(0, 6)), required=True)
    weeks = fields.Int(required=True, validate=validate.Range(1, shifts.MAX_REPEAT_WEEKS))
    start = Time(required=True)
    end = Time(required=True)
    breaks = fields.List(fields.Tuple((Time(), Time())), load_default=list)


class CopyInput(Schema):
    location_id = fields.Int(required=True)
    source_week = fields.Date(required=True)
    weeks = fields.Int(required=True, validate=validate.Range(1, service.MAX_COPY_WEEKS))
    skip_clashes = fields.Bool(load_default=False)
    preview = fields.Bool(load_default=False)


class ChangeInput(Schema):
    scope = fields.Str(load_default="this", validate=validate.OneOf(service.SCOPES))
    start = Time(required=True)
    end = Time(required=True)
    breaks = fields.List(fields.Tuple((Time(), Time())), load_default=list)
    accept_outside = fields.Bool(load_default=False)
    preview = fields.Bool(load_default=False)


class RemoveInput(Schema):
    scope = fields.Str(load_default="this", validate=validate.OneOf(service.SCOPES))
    accept_outside = fields.Bool(load_default=False)
    preview = fields.Bool(load_default=False)


class HoursInput(Schema):
    location_id = fields.Int(required=True)
    start = Time(load_default=None, allow_none=True)
    end = Time(load_default=None, allow_none=True)


def _hours(data) -> service.Hours:
    return service.Hours(data["start"], data["end"], tuple(tuple(b) for b in data["breaks"]))


def _problems(problems) -> list[dict]:
    return [p.as_json() for p in problems]


class ShiftPlannerApi(BaseApi):
    resource_name = "shift_planner"
    route_base = "/api/v1/shift_planner"
    class_permission_name = SHIFTS
    method_permission_name = {"preview_repeat": "write", "copy": "write", "change": "write",
                              "remove": "write", "hours": "write"}
    allow_browser_login = True
    openapi_spec_tag = "Shifts"

    @expose("/repeat/preview", methods=["POST"])
    @protect()
    @answers_domain_errors
    def preview_repeat(self):
        """What a repeat would clash with (the repeat itself is POST /api/v1/shift_plan/repeat).
        ---
        post:
          summary: The shift clashes a repeat over weekdays, weeks and calendars would meet
          responses: {200: {description: The conflicts (empty when none)}}
        """
        data = json_body(RepeatPreview())
        with unit_of_work():
            calendars = bookable_calendars(data["calendar_ids"])
            planned = service.plan_repeat(calendars=calendars, first_day=data["first_day"], weekdays=data["weekdays"],
                                          weeks=data["weeks"], hours=_hours(data))
            found = service.conflicts(planned)
            return self.response(200, shifts=len(planned), conflicts=_problems(found))

    @expose("/copy", methods=["POST"])
    @protect()
    @answers_domain_errors
    def copy(self):
        """Copy one week's shifts onto the next N weeks.
        ---
        post:
          summary: Copy a week (preview=true only lists what it would make and clash with)
          responses: {200: {description: Preview}, 201: {description: Copied}, 409: {description: Clashes}}
        """
        data = json_body(CopyInput())
        with unit_of_work():
            location = get_or_404(Location, data["location_id"], "location")
            ids = bookable_calendar_ids(acting_user())
            if data["preview"]:
                pairs = service.plan_copy(location=location, source_week=data["source_week"], weeks=data["weeks"],
                                          calendar_ids=ids)
                return self.response(200, shifts=len(pairs),
                                     conflicts=_problems(service.conflicts([p for _, p in pairs])))
            made = service.copy_week(location=location, source_week=data["source_week"], weeks=data["weeks"],
                                     calendar_ids=ids, skip_clashes=data["skip_clashes"])
        return self.response(201, created=made)

    @expose("/shifts/<int:shift_id>", methods=["PUT"])
    @protect()
    @answers_domain_errors
    def change(self, shift_id: int):
        """Change one date's shift, or it and the later dates of its pattern.
        ---
        put:
          summary: Change a shift (scope this | following); preview=true lists the conflicts only
          responses: {200: {description: Changed or previewed}, 409: {description: Needs a decision}}
        """
        data = json_body(ChangeInput())
        with unit_of_work():
            shift = shifts.get_shift(shift_id=shift_id, calendar_ids=bookable_calendar_ids(acting_user()))
            if data["preview"]:
                planned = service.plan_change(service.pattern_dates(shift, data["scope"]), _hours(data))
                return self.response(200, shifts=len(planned), conflicts=_problems(service.conflicts(planned)))
            changed = service.change(shift=shift, scope=data["scope"], hours=_hours(data),
                                     accept_outside=data["accept_outside"])
        return self.response(200, changed=changed)

    @expose("/shifts/<int:shift_id>/remove", methods=["POST"])
    @protect()
    @answers_domain_errors
    def remove(self, shift_id: int):
        """Remove one date's shift, or it and the later dates of its pattern.
        ---
        post:
          summary: Remove a shift (scope this | following); preview=true lists the appointments left outside
          responses: {200: {description: Removed or previewed}, 409: {description: Needs a decision}}
        """
        data = json_body(RemoveInput())
        with unit_of_work():
            shift = shifts.get_shift(shift_id=shift_id, calendar_ids=bookable_calendar_ids(acting_user()))
            if data["preview"]:
                planned = service.plan_change(service.pattern_dates(shift, data["scope"]), None)
                return self.response(200, shifts=len(planned), conflicts=_problems(service.conflicts(planned)))
            removed = service.remove(shift=shift, scope=data["scope"], accept_outside=data["accept_outside"])
        return self.response(200, removed=removed)

    @expose("/hours", methods=["PUT"])
    @protect()
    @answers_domain_errors
    def hours(self):
        """Set the hours the grid shows for a location (empty: follow the shifts).
        ---
        put:
          summary: The location's visible hour range
          responses: {200: {description: Saved}}
        """
        data = json_body(HoursInput())
        if not may(acting_user(), WRITE, LOCATIONS):
            refusal = Forbidden(gettext("Only those who set up locations may change their hours."))
            return self.response(403, **refusal.as_json())
        with unit_of_work():
            location = get_or_404(Location, data["location_id"], "location")
            service.set_visible_hours(location=location, start=data["start"], end=data["end"])
            db.session.flush()
        return self.response(200, start=data["start"] and data["start"].isoformat("minutes"),
                             end=data["end"] and data["end"].isoformat("minutes"))


PLANNER_APIS = (ShiftPlannerApi,)
