"""Blocked time and breaks, added, changed and removed from the grid.

Thin edges over app/calendar/blocks.py. The grid calls them with its login cookie and
CSRF token (``answers_domain_errors`` checks it, and turns refusals into JSON).

Both need ``can_write`` on TimeBlocks: a break taken in the grid is time out of a
provider's day like blocked time (the front desk adds both "the same way they book"),
while the shift itself (working hours) stays a Shifts write in the setup screens. The
row must be on a calendar the user may book into (``writable`` scopes).
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from marshmallow import Schema, fields, validate

from app.api.edge import acting_user, answers_domain_errors, bookable_calendars, json_body
from app.calendar import blocks
from app.models import ShiftBreak, TimeBlock
from app.security import TIME_BLOCKS, shift_scope, time_block_scope, writable
from app.timeutil import to_local, to_utc
from app.uow import unit_of_work


class NewRange(Schema):
    calendar_id = fields.Int(required=True)
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    reason = fields.Str(load_default=None, validate=validate.Length(max=500))
    label = fields.Str(load_default=None, validate=validate.Length(max=500))
    keep_appointments = fields.Bool(load_default=False)


class RangeChange(Schema):
    start = fields.AwareDateTime(load_default=None)
    end = fields.AwareDateTime(load_default=None)
    reason = fields.Str(load_default=None, validate=validate.Length(max=500))
    label = fields.Str(load_default=None, validate=validate.Length(max=500))
    keep_appointments = fields.Bool(load_default=False)


def block_json(block: TimeBlock) -> dict:
    zone = ZoneInfo(block.calendar.location.timezone)
    return {"id": block.id, "calendar_id": block.calendar_id, "reason": block.reason,
            "start": to_local(block.starts_at, zone).isoformat(), "end": to_local(block.ends_at, zone).isoformat()}


def break_json(brk: ShiftBreak) -> dict:
    shift = brk.shift
    zone = shift.calendar.location.timezone
    return {"id": brk.id, "shift_id": shift.id, "calendar_id": shift.calendar_id, "label": brk.label or "",
            "start": to_local(to_utc(shift.day, brk.start_time, zone), zone).isoformat(),
            "end": to_local(to_utc(shift.day, brk.end_time, zone), zone).isoformat()}


class TimeOffApi(BaseApi):
    """One implementation of add / change / remove for time out of a calendar's day
    (blocked time, breaks); the resources below say only which service calls, which
    scope and which JSON. Their exposed methods keep their own routes and OpenAPI text."""

    class_permission_name = TIME_BLOCKS
    method_permission_name = {"add": "write", "change": "write", "remove": "write"}
    allow_browser_login = True  # the grid page; writes need its CSRF token
    openapi_spec_tag = "Grid"

    def create(self, calendar, data: dict):
        raise NotImplementedError

    def find(self, row_id: int):
        """The row, if on a calendar the user may book into (else 404)."""
        raise NotImplementedError

    def update(self, row, data: dict) -> None:
        raise NotImplementedError

    def delete(self, row) -> None:
        raise NotImplementedError

    def as_json(self, row) -> dict:
        raise NotImplementedError

    def add_range(self, data: dict):
        """``data``: the endpoint's ``json_body(NewRange())`` (parsed there, so the OpenAPI
        document finds the body's schema in the endpoint's source)."""
        with unit_of_work():
            calendar = bookable_calendars([data["calendar_id"]])[0]
            body = self.as_json(self.create(calendar, data))
        return self.response(201, **body)

    def change_range(self, row_id: int, data: dict):
        """``data``: the endpoint's ``json_body(RangeChange())``."""
        with unit_of_work():
            row = self.find(row_id)
            self.update(row, data)
            body = self.as_json(row)
        return self.response(200, **body)

    def remove_range(self, row_id: int):
        with unit_of_work():
            self.delete(self.find(row_id))
        return self.response(200, message="Removed.")


class GridBlocksApi(TimeOffApi):
    resource_name = "grid_blocks"
    route_base = "/api/v1/grid/blocks"

    def create(self, calendar, data: dict):
        return blocks.add_block(calendar=calendar, start=data["start"], end=data["end"], reason=data["reason"],
                                keep_appointments=data["keep_appointments"])

    def find(self, row_id: int):
        return blocks.get_block(row_id, writable(time_block_scope)(acting_user()))

    def update(self, row, data: dict) -> None:
        blocks.change_block(block=row, start=data["start"], end=data["end"], reason=data["reason"],
                            keep_appointments=data["keep_appointments"])

    def delete(self, row) -> None:
        blocks.remove_block(block=row)

    def as_json(self, row) -> dict:
        return block_json(row)

    @expose("/", methods=["POST"])
    @protect()
    @answers_domain_errors
    def add(self):
        """Block time on a calendar.
        ---
        post:
          summary: Block [start, end) on a calendar the user may book; 409 names booked appointments
          responses: {201: {description: The block}, 409: {description: Appointments booked then}}
        """
        return self.add_range(json_body(NewRange()))

    @expose("/<int:block_id>", methods=["PATCH"])
    @protect()
    @answers_domain_errors
    def change(self, block_id: int):
        """Move, resize or retitle blocked time.
        ---
        patch:
          summary: Change start, end or reason
          parameters: [{in: path, name: block_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The block}, 404: {description: Not found}}
        """
        return self.change_range(block_id, json_body(RangeChange()))

    @expose("/<int:block_id>", methods=["DELETE"])
    @protect()
    @answers_domain_errors
    def remove(self, block_id: int):
        """Remove blocked time.
        ---
        delete:
          summary: Remove blocked time (the time becomes free)
          parameters: [{in: path, name: block_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Removed}, 404: {description: Not found}}
        """
        return self.remove_range(block_id)


class GridBreaksApi(TimeOffApi):
    resource_name = "grid_breaks"
    route_base = "/api/v1/grid/breaks"

    def create(self, calendar, data: dict):
        return blocks.add_break(calendar=calendar, start=data["start"], end=data["end"], label=data["label"],
                                keep_appointments=data["keep_appointments"])

    def find(self, row_id: int):
        return blocks.get_break(row_id, writable(shift_scope)(acting_user()))

    def update(self, row, data: dict) -> None:
        blocks.change_break(brk=row, start=data["start"], end=data["end"], label=data["label"],
                            keep_appointments=data["keep_appointments"])

    def delete(self, row) -> None:
        blocks.remove_break(brk=row)

    def as_json(self, row) -> dict:
        return break_json(row)

    @expose("/", methods=["POST"])
    @protect()
    @answers_domain_errors
    def add(self):
        """Add a break inside a shift.
        ---
        post:
          summary: A break [start, end) inside the calendar's shift that day
          responses: {201: {description: The break}, 422: {description: Outside a shift or overlapping a break}}
        """
        return self.add_range(json_body(NewRange()))

    @expose("/<int:break_id>", methods=["PATCH"])
    @protect()
    @answers_domain_errors
    def change(self, break_id: int):
        """Move, resize or relabel a break.
        ---
        patch:
          summary: Change start, end or label (within its shift)
          parameters: [{in: path, name: break_id, required: true, schema: {type: integer}}]
          responses: {200: {description: The break}, 404: {description: Not found}}
        """
        return self.change_range(break_id, json_body(RangeChange()))

    @expose("/<int:break_id>", methods=["DELETE"])
    @protect()
    @answers_domain_errors
    def remove(self, break_id: int):
        """Remove a break.
        ---
        delete:
          summary: Remove a break (its time becomes working time)
          parameters: [{in: path, name: break_id, required: true, schema: {type: integer}}]
          responses: {200: {description: Removed}, 404: {description: Not found}}
        """
        return self.remove_range(break_id)


GRID_BLOCK_APIS = (GridBlocksApi, GridBreaksApi)
