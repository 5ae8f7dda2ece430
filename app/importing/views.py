"""Managers' screens: Clients → Import clients (upload, mapping, dry run, import, report)
and the exports (the client list as CSV, one client's complete data as a zip). Thin: the
work is in ``service`` and ``export``; each POST is one ``unit_of_work()``."""
from __future__ import annotations

from flask import Response, abort, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app.downloads import csv_download
from app.csrf import require_csrf
from app.extensions import db
from app.importing import export, service
from app.importing import progress as import_progress
from app.importing.cleaning import DATE_ORDERS, FIELDS
from app.i18n import N_
from app.importing.planner import action_words, counts
from app.models import Client, Location
from app.security import CLIENT_DATA, client_scope, current_user, in_scope, reader_zone
from app.uow import unit_of_work

REPORT_ROWS_SHOWN = 2000  # the full report is always in the CSV download
STATUS_WORDS = {"uploaded": N_("uploaded"), "imported": N_("imported"), "refused": N_("refused")}


def _status_words(status: str) -> str:
    return gettext(STATUS_WORDS[status]) if status in STATUS_WORDS else status


class ClientImportView(BaseView):
    route_base = "/clients/import"
    class_permission_name = CLIENT_DATA
    method_permission_name = {"index": "read", "upload": "write", "mapping": "read", "dry_run": "write",
                              "run": "write", "result": "read", "report": "read", "clients_csv": "read",
                              "client_zip": "read", "progress": "read"}
    default_view = "index"

    def render_template(self, template, **kwargs):
        """Every import page names outcomes and statuses in the reader's language."""
        return super().render_template(template, action_words=action_words, status_words=_status_words, **kwargs)

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("importing/index.html", imports=service.recent(), locations=_locations(),
                                    csrf=generate_csrf(), max_mb=service.MAX_BYTES // (1024 * 1024), zone=reader_zone())

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        require_csrf()
        file = request.files.get("file")
        if file is None or not file.filename:
            return self._back(gettext("Choose a CSV file to upload."))
        with unit_of_work():
            record = service.upload(file.filename, file.read(service.MAX_BYTES + 1), user_id=current_user().id)
            location = service.location_of(request.form.get("location_id"))
            if location is not None:
                record.options = service.default_options(service.table_of(record.content), location)
        return redirect(url_for("ClientImportView.mapping", import_id=record.id))

    @expose("/<int:import_id>/")
    @has_access
    def mapping(self, import_id: int):
        record = service.get(import_id)
        if record.content is None:
            return redirect(url_for("ClientImportView.result", import_id=import_id))
        table = service.table_of(record.content)
        chosen = {**service.default_options(table), **(record.options or {})}
        return self.render_template("importing/mapping.html", record=record, table=table, options=chosen,
                                    preview=table.rows[:service.PREVIEW_ROWS], fields=FIELDS,
                                    date_orders=DATE_ORDERS, locations=_locations(), csrf=generate_csrf(),
                                    location_orders=_location_date_orders(),
                                    clinic_order=service.clinic_date_order())

    @expose("/<int:import_id>/dry-run", methods=["POST"])
    @has_access
    def dry_run(self, import_id: int):
        require_csrf()
        with unit_of_work():
            record = service.get(import_id)
            raw = _options_from_form(service.table_of(record.content) if record.content else None)
            outcomes = service.dry_run(record, raw)
        return self.render_template("importing/dry_run.html", record=record, outcomes=outcomes[:REPORT_ROWS_SHOWN],
                                    total=len(outcomes), summary=counts(outcomes), options=raw, csrf=generate_csrf())

    @expose("/<int:import_id>/run", methods=["POST"])
    @has_access
    def run(self, import_id: int):
        require_csrf()
        with unit_of_work():
            record = service.get(import_id)
            raw = {**(record.options or {}), "valid_rows_only": request.form.get("valid_rows_only") == "on",
                   "overrides": _overrides()}
            service.execute(record, raw, import_progress.tracker(import_id, import_progress.WRITING),
                            checking=import_progress.tracker(import_id, import_progress.CHECKING))
        import_progress.record(import_id, import_progress.DONE, 1, 1)
        return redirect(url_for("ClientImportView.result", import_id=import_id))

    @expose("/<int:import_id>/progress.json")
    @has_access
    def progress(self, import_id: int):
        """Rows checked / written so far of the import this page started (its bar polls it)."""
        service.get(import_id)
        return jsonify(import_progress.read(import_id))

    @expose("/<int:import_id>/result")
    @has_access
    def result(self, import_id: int):
        record = service.get(import_id)
        if record.report is None:
            return redirect(url_for("ClientImportView.mapping", import_id=import_id))
        return self.render_template("importing/result.html", record=record,
                                    report=record.report[:REPORT_ROWS_SHOWN])

    @expose("/<int:import_id>/report.csv")
    @has_access
    def report(self, import_id: int):
        record = service.get(import_id)
        if record.report is None:
            abort(404)
        return csv_download(service.report_csv(record.report), f"import-{record.id}-report.csv")

    @expose("/export/clients.csv", methods=["POST"])
    @has_access
    def clients_csv(self):
        """The client list as CSV: a POST (the page's button), since taking data out is recorded."""
        require_csrf()
        with unit_of_work():
            text, _ = export.clients_csv(current_user())
        return csv_download(text, "clients.csv")

    @expose("/export/client/<int:client_id>.zip", methods=["POST"])
    @has_access
    def client_zip(self, client_id: int):
        """One client's complete data: a POST (the client file's Export data button), since it is recorded."""
        require_csrf()
        client = db.session.get(Client, client_id)
        if client is None or not in_scope(client_scope(current_user()), client_id):
            abort(404)
        with unit_of_work():
            data = export.client_zip(client)
        return _download(data, f"client-{client_id}.zip", "application/zip")

    def _back(self, message: str):
        from flask import flash

        flash(message, "danger")
        return redirect(url_for("ClientImportView.index"))


def _locations() -> list[Location]:
    return list(db.session.scalars(select(Location).where(Location.active.is_(True)).order_by(Location.name)))


def _location_date_orders() -> dict[int, str]:
    """Each location's default date order: the mapping screen presets it when the location changes."""
    return {location.id: service.location_date_order(location) for location in _locations()}


def _options_from_form(table) -> dict:
    width = len(table.header) if table else 0
    return {
        "mapping": [request.form.get(f"map_{index}") or None for index in range(width)],
        "date_order": request.form.get("date_order"),
        "on_duplicate": request.form.get("on_duplicate", "skip"),
        "valid_rows_only": request.form.get("valid_rows_only") == "on",
        "location_id": request.form.get("location_id") or None,
        "overrides": {},
    }


def _overrides() -> dict[str, str]:
    return {key.removeprefix("row_"): value for key, value in request.form.items()
            if key.startswith("row_") and value in ("skip", "update")}


def _download(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
