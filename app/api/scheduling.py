"""The scheduling API: availability, booking and changing appointments, series, shifts.

Thin: each endpoint parses its input (marshmallow; 422 with field errors), checks the
user may book the calendars and see the case (403/404), calls one service inside one
unit of work, and answers JSON. DomainErrors become their 409/422 JSON here, because
FAB's @safe would turn them into a bare 500.

The calendar page calls these with the login session cookie; such writes must carry the
page's CSRF token (header X-CSRFToken). Integrations use FAB's JWT.

The endpoints live by responsibility: find_time.py, appointment_endpoints.py,
series_endpoints.py, shift_plan.py; what every API module shares is app/api/edge.py, the
schemas and appointment JSON are scheduling_io.py.
"""
from __future__ import annotations

from flask_appbuilder.api import BaseApi

from app.api.appointment_endpoints import AppointmentEndpoints
from app.api.find_time import FindTimeEndpoints
from app.api.series_endpoints import SeriesEndpoints
from app.api.shift_plan import SHIFT_PLAN_APIS
from app.security import APPOINTMENTS


class SchedulingApi(FindTimeEndpoints, AppointmentEndpoints, SeriesEndpoints, BaseApi):
    """One resource (permissions on Appointments) whose endpoints live by responsibility in
    find_time.py, appointment_endpoints.py and series_endpoints.py."""

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


SCHEDULING_APIS = (SchedulingApi, *SHIFT_PLAN_APIS)
