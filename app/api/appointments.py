"""Appointments over REST: read-only.

Booking, moving and cancelling change occupancies, messages and the audit trail in one
transaction (scheduling/booking.py, scheduling/lifecycle.py), so there is deliberately
no generic POST/PUT/DELETE here; those writes get their own endpoints over the services.
"""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ReadOnlyApi
from app.models import Appointment
from app.security import APPOINTMENTS, appointment_scope


class AppointmentApi(ReadOnlyApi):
    resource_name = "appointment"
    class_permission_name = APPOINTMENTS
    datamodel = SQLAInterface(Appointment)
    row_scope = staticmethod(appointment_scope)
    list_columns = [
        "id", "case_id", "session_type_id", "starts_at", "ends_at", "status", "booked_via",
        "notify", "series_id", "rebooked_from_id", "case.title", "session_type.name",
    ]
    show_columns = [
        *list_columns, "notes", "created_at", "updated_at",
        "occupancies.calendar_id", "occupancies.starts_at", "occupancies.ends_at",
    ]
    search_columns = ["case", "session_type", "starts_at", "ends_at", "status", "booked_via", "series_id"]
    base_order = ("starts_at", "asc")


APPOINTMENT_APIS = (AppointmentApi,)
