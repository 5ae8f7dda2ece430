"""The scheduling API's input schemas (marshmallow; 422 with field errors) and its JSON
for an appointment.
"""
from __future__ import annotations

from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.models import Appointment
from app.scheduling import availability, series
from app.timeutil import to_local


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
def local_iso(instant: datetime, zone: str) -> str:
    return to_local(instant, zone).isoformat()


def appointment_json(appointment: Appointment, warnings=(), overlaps=()) -> dict:
    zone = appointment.location.timezone
    return {
        "id": appointment.id, "version": appointment.version, "case_id": appointment.case_id,
        "client_id": appointment.case.client_id, "session_type_id": appointment.session_type_id,
        "location_id": appointment.location_id, "start": local_iso(appointment.starts_at, zone),
        "end": local_iso(appointment.ends_at, zone), "status": appointment.status.value,
        "booked_via": appointment.booked_via.value, "notify": appointment.notify, "notes": appointment.notes,
        "series_id": appointment.series_id, "rebooked_from_id": appointment.rebooked_from_id,
        "calendar_ids": [o.calendar_id for o in appointment.occupancies if o.active],
        "warnings": list(warnings), "overlaps": list(overlaps),
    }


def fee_decision(data: dict | None):
    from app.billing.fees import FeeDecision

    return None if data is None else FeeDecision(waive=data["waive"], amount=data["amount"])
