"""The Reports menu: one page per report (filters, a chart, the table, the definitions)
and its CSV. Thin: parse the filters (scope forced for non-managers), call the report's
service in app/reports/, render or stream."""
from __future__ import annotations

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from sqlalchemy import select

from app.downloads import csv_download
from app.errors import ValidationFailed
from app.extensions import db
from app.i18n import N_
from app.models import Location, SessionType, TeamMember
from app.reports import attendance, followup, patients, revenue, utilisation
from app.reports.base import parse_filters
from app.security import REPORTS, current_user, sees_everything

# key → (menu label, service, groupings offered or ())
REPORTS_MENU = {
    "utilisation": ("Utilisation", utilisation.report, ()),
    "attendance": ("Attendance", attendance.report, attendance.GROUPINGS),
    "revenue": ("Revenue", revenue.report, revenue.GROUPINGS),
    "patients": ("Patients", patients.report, ()),
    "followup": ("Authorisations and cases due", followup.report, ()),
}
GROUP_LABELS = {"provider": N_("Provider"), "session_type": N_("Session type"), "weekday": N_("Weekday"),
                "hour": N_("Hour of day"), "payer": N_("Payer")}


# Texts in a report's rows (not data) that the page shows in the reader's language.
ROW_TEXTS = {*attendance.WEEKDAYS, *(label for *_, label in attendance.LEAD_BUCKETS), followup.REASSESSMENT,
             followup.LOST, N_("provider"), N_("room"), N_("equipment")}


def _translate_chart(chart: dict) -> None:
    """The chart's series names and fixed categories in the reader's language (names of people
    and services are not in the catalogue and stay as they are)."""
    for dataset in chart.get("datasets", []):
        name = dataset.get("label")
        if isinstance(name, str):
            dataset.update(label=gettext(name))
    chart["labels"] = [gettext(label) if isinstance(label, str) else label for label in chart.get("labels", [])]


class ReportsView(BaseView):
    route_base = "/reports"
    class_permission_name = REPORTS
    method_permission_name = {"show": "read"}
    default_view = "show"

    @expose("/")
    @expose("/<key>")
    @has_access
    def show(self, key: str = "utilisation"):
        if key not in REPORTS_MENU:
            abort(404)
        user = current_user()
        label, build, groupings = REPORTS_MENU[key]
        by = request.args.get("by") or (groupings[0] if groupings else "")
        try:
            filters = parse_filters(request.args, user)
        except ValidationFailed as exc:
            return Response("; ".join(p.message for p in exc.problems) or exc.message, status=422,
                            mimetype="text/plain")
        result = build(filters, by) if groupings else build(filters)
        if request.args.get("format") == "csv":
            name = f"{key}_{filters.date_from}_{filters.date_to}.csv"
            return csv_download(result.csv(), name)
        _translate_chart(result.chart)
        everyone = sees_everything(user)
        return self.render_template(
            "reports/report.html", report=result, key=key, label=label, filters=filters,
            groupings=[(g, GROUP_LABELS[g]) for g in groupings], by=by, menu=REPORTS_MENU, own_only=not everyone,
            locations=db.session.scalars(select(Location).order_by(Location.name)).all(),
            providers=db.session.scalars(select(TeamMember).where(TeamMember.is_provider.is_(True))
                                         .order_by(TeamMember.display_name)).all() if everyone else [],
            session_types=db.session.scalars(select(SessionType).order_by(SessionType.name)).all(),
            row_texts=ROW_TEXTS, csv_args={**filters.as_args(), **({"by": by} if by else {}), "format": "csv"})
