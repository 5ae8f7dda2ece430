"""Plinth's REST API (FAB ModelRestApi), under /api/v1/.

Authentication is FAB's JWT login (POST /api/v1/security/login), the OpenAPI document is
served at /api/v1/_openapi (FAB_API_SWAGGER_UI). Every resource is described in the
module of its domain area; app/api/base.py holds what they share (scope, validated writes).
"""
from __future__ import annotations


def register_apis(appbuilder, areas=()) -> None:
    """Every resource under /api/v1/. ``areas``: the resources of the areas above this
    package (the shift planner's), handed in by ``create_app``, which imports them."""
    from app.api.appointments import APPOINTMENT_APIS
    from app.api.billing import BILLING_APIS
    from app.api.find_ahead import FIND_AHEAD_APIS
    from app.api.lifecycle import LIFECYCLE_APIS
    from app.api.grid_blocks import GRID_BLOCK_APIS
    from app.api.grid_booking import GRID_BOOKING_APIS
    from app.api.records import RECORD_APIS
    from app.api.scheduling import SCHEDULING_APIS
    from app.api.setup import SETUP_APIS

    for api in (*SETUP_APIS, *RECORD_APIS, *APPOINTMENT_APIS, *SCHEDULING_APIS, *GRID_BLOCK_APIS,
                *GRID_BOOKING_APIS, *BILLING_APIS, *LIFECYCLE_APIS, *areas, *FIND_AHEAD_APIS):
        appbuilder.add_api(api)
