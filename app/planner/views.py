"""The shift planner page: one week at a time for the active calendars of a location.

The page reads weeks from ``/api/v1/shift_plan/week`` and lays repeats with
``/api/v1/shift_plan/repeat``; previews, copies, changes and the visible hours go to
``/api/v1/shift_planner`` (app/planner/api.py). All writes carry the page's CSRF token.
"""
from __future__ import annotations

from flask_appbuilder import BaseView, expose, has_access
from flask_wtf.csrf import generate_csrf
from app.calendar.views import grid_locations
from app.security import LOCATIONS, SHIFTS, WRITE, current_user, may
from app.timeutil import local_today, week_start


class ShiftPlannerView(BaseView):
    route_base = "/planner"
    class_permission_name = SHIFTS
    method_permission_name = {"week": "read"}
    default_view = "week"

    @expose("/")
    @has_access
    def week(self):
        user = current_user()
        locations = grid_locations(user)
        return self.render_template(
            "planner/week.html", csrf_token=generate_csrf(),
            locations=[{"id": loc.id, "name": loc.name, "zone": loc.timezone,
                        "week": week_start(local_today(loc)).isoformat(),
                        "grid_start": loc.grid_start.isoformat("minutes") if loc.grid_start else "",
                        "grid_end": loc.grid_end.isoformat("minutes") if loc.grid_end else ""}
                       for loc in locations],
            may_write=may(user, WRITE, SHIFTS), may_hours=may(user, WRITE, LOCATIONS))


def register(appbuilder) -> None:
    """Calendar → Shift planner (create_app hands this to ``register_views``, which calls it
    after the day grid)."""
    appbuilder.add_view(ShiftPlannerView, "Shift planner", category="Calendar", icon="fa-th")
