"""The client file and the case file (the place staff go for a person), their attachments,
the case's treatment plan and discharge, and the PDF of a case's signed notes. Thin: the
queries and rules are in ``app/clinical``."""
from __future__ import annotations

from datetime import date

from flask import Response, current_app, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import access_log
from app.clinical import attachments, client_file, notes, plans
from app.clinical import pdf as case_pdf
from app.clinical.templates import display
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Appointment, Case, Client, Note, read_clinic_settings
from app.security import (
    APPOINTMENTS,
    ATTACHMENTS,
    CASES,
    CLIENT_DATA,
    CLIENT_FILE,
    CLINICAL_NOTES,
    CLIENTS,
    READ,
    WRITE,
    case_scope,
    client_scope,
    clinical_case_scope,
    current_user,
    in_scope,
    may,
    note_scope,
    reader_zone,
    sees_everything,
)
from app.timeutil import local_today, to_local, utcnow
from app.uow import unit_of_work
from app.views.clinical import require_csrf
from app.i18n.formatting import day_and_clock  # "ter., 08/12/2026, 14:30" in the reader's language


def _client(client_id: int) -> Client:
    client = db.session.get(Client, client_id)
    if client is None or not in_scope(client_scope(current_user()), client.id):
        raise NotFound("No such client.")
    return client


def _case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not in_scope(case_scope(current_user()), case.id):
        raise NotFound("No such case.")
    return case


def _today(client: Client):
    return local_today(client.home_location)


def _actor_names(entries) -> dict[int, str]:
    ids = {e.actor_id for e in entries if e.actor_id}
    if not ids:
        return {}
    users = current_app.appbuilder.sm.user_model
    return {u.id: u.username for u in db.session.scalars(select(users).where(users.id.in_(ids)))}


class ClientFileView(BaseView):
    route_base = "/clinical"
    class_permission_name = CLIENT_FILE
    method_permission_name = {"client": "read", "case": "read", "case_pdf": "read", "visit_file": "read"}
    default_view = "client"

    @expose("/clients/<int:client_id>")
    @has_access
    def client(self, client_id: int):
        user = current_user()
        client = _client(client_id)
        file = client_file.load(user=user, client=client, now=utcnow(), today=_today(client))
        access_log.record_read("client", client.id, client_id=client.id)
        for note_id in file.readable_note_ids:
            access_log.record_read("note", note_id, client_id=client.id, action="summary")
        reads = access_log.reads_of_client(client.id) if sees_everything(user) else []
        return self.render_template(
            "clinical/client_file.html", file=file, client=client, reads=reads, names=_actor_names(reads),
            money=client_file.money, local=lambda t, zone: day_and_clock(to_local(t, zone)),
            zone=client.home_location.timezone if client.home_location else reader_zone(),
            may_edit=may(user, WRITE, CLIENTS), may_open_case=may(user, WRITE, CASES),
            may_book=may(user, WRITE, APPOINTMENTS), may_upload=may(user, WRITE, ATTACHMENTS),
            may_export=may(user, READ, CLIENT_DATA), csrf=generate_csrf())

    @expose("/visits/<int:appointment_id>/file")
    @has_access
    def visit_file(self, appointment_id: int):
        """From the grid's panel: the client file of the visit's client."""
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is None:
            raise NotFound("No such visit.")
        client = _client(appointment.case.client_id)
        return redirect(url_for("ClientFileView.client", client_id=client.id) + f"#visit-{appointment_id}")

    @expose("/cases/<int:case_id>")
    @has_access
    def case(self, case_id: int):
        user = current_user()
        case = _case(case_id)
        readable = in_scope(clinical_case_scope(user), case.id)
        file = client_file.load(user=user, client=case.client, now=utcnow(), today=_today(case.client))
        row = next(r for r in file.cases if r.case.id == case.id)
        visits = [v for v in file.visits if v.case_id == case.id]
        full = _case_notes(case.id, signed_only=False) if readable else []
        access_log.record_read("case", case.id, client_id=case.client_id)
        scores = client_file.score_series(user, {case.id: case.client_id}).get(case.id, []) if readable else []
        for note in full:
            access_log.record_read("note", note.id, client_id=case.client_id)
        return self.render_template(
            "clinical/case_file.html", case=case, row=row, visits=visits, notes=full, readable=readable, scores=scores,
            plan=plans.plan_of(case.id) if readable else None, note_level=file.note_level,
            may_plan=readable and may(user, WRITE, CLINICAL_NOTES), may_edit_case=may(user, WRITE, CASES),
            local=lambda t, zone: day_and_clock(to_local(t, zone)),
            display_field=display,
            today=_today(case.client), csrf=generate_csrf())

    @expose("/cases/<int:case_id>/notes.pdf")
    @has_access
    def case_pdf(self, case_id: int):
        user = current_user()
        case = _case(case_id)
        if not in_scope(clinical_case_scope(user), case.id):
            raise NotFound("No such case.")
        signed = _case_notes(case.id, signed_only=True)
        body = case_pdf.case_notes_pdf(case=case, notes=signed, plan=plans.plan_of(case.id),
                                       clinic_name=read_clinic_settings().clinic_name,
                                       printed_at=to_local(utcnow(), "UTC").strftime("%d %b %Y %H:%M UTC"))
        for note in signed:
            access_log.record_read("note", note.id, client_id=case.client_id, action="pdf")
        return Response(body, mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="{case_pdf.filename(case)}"', "Cache-Control": "no-store"})


def _case_notes(case_id: int, *, signed_only: bool) -> list[Note]:
    query = (select(Note).join(Appointment, Appointment.id == Note.appointment_id)
             .where(Note.case_id == case_id, Note.id.in_(note_scope(current_user())))
             .options(selectinload(Note.addenda), selectinload(Note.appointment).selectinload(Appointment.session_type),
                      selectinload(Note.signed_by), selectinload(Note.author))
             .order_by(Appointment.starts_at))
    if signed_only:
        query = query.where(Note.signed_at.is_not(None))
    return list(db.session.scalars(query))


class CasePlanView(BaseView):
    """The treatment plan and discharge (providers who treat the case)."""

    route_base = "/clinical"
    class_permission_name = CLINICAL_NOTES
    method_permission_name = {"save_plan": "write", "discharge": "write"}

    @expose("/cases/<int:case_id>/plan", methods=["POST"])
    @has_access
    def save_plan(self, case_id: int):
        require_csrf()
        form = request.form
        values = {"planned_sessions": _int(form, "planned_sessions"), "frequency": form.get("frequency") or None,
                  "goals": form.get("goals") or None, "reassess_after_visits": _int(form, "reassess_after_visits"),
                  "reassess_on": _date(form, "reassess_on"), "starts_on": _date(form, "starts_on")}
        with unit_of_work():
            case = _case(case_id)
            plans.save_plan(case=case, actor=current_user(), values=values, today=_today(case.client))
        return redirect(url_for("ClientFileView.case", case_id=case_id))

    @expose("/cases/<int:case_id>/discharge", methods=["POST"])
    @has_access
    def discharge(self, case_id: int):
        require_csrf()
        with unit_of_work():
            case = _case(case_id)
            plans.discharge(case=case, actor=current_user(), on=_date(request.form, "discharged_on") or _today(case.client),
                            summary=request.form.get("discharge_summary", ""))
        return redirect(url_for("ClientFileView.case", case_id=case_id))


def _int(form, key):
    raw = (form.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(f"{key.replace('_', ' ').capitalize()} must be a whole number.")
    return int(raw)


def _date(form, key):
    raw = (form.get(key) or "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise ValidationFailed(f"{key.replace('_', ' ').capitalize()} must be a date (YYYY-MM-DD).") from exc


class AttachmentView(BaseView):
    route_base = "/clinical"
    class_permission_name = ATTACHMENTS
    method_permission_name = {"upload": "write", "download": "read"}

    @expose("/clients/<int:client_id>/attachments", methods=["POST"])
    @has_access
    def upload(self, client_id: int):
        require_csrf()
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        case_id = request.form.get("case_id", type=int)
        with unit_of_work():
            client = _client(client_id)
            member = notes.member_of(current_user())
            attachments.upload(client=client, case=_case(case_id) if case_id else None,
                               filename=upload.filename if upload else None, data=data,
                               description=request.form.get("description"), actor=current_user(),
                               member_id=member.id if member else None)
        return redirect(url_for("ClientFileView.client", client_id=client_id) + "#attachments")

    @expose("/attachments/<int:attachment_id>")
    @has_access
    def download(self, attachment_id: int):
        attachment = attachments.readable(current_user(), attachment_id)
        path = attachments.path_of(attachment) if attachment is not None else None
        if path is None or not path.is_file():
            raise NotFound("No such file.")
        access_log.record_read("attachment", attachment.id, client_id=attachment.client_id, action="download")
        response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                             download_name=attachment.filename, max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response
