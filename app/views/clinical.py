"""The provider's day and the note editor (thin: parse, check the coarse permission, call
``app/clinical``, render). The editor's autosave, sign, addendum and copy-forward are JSON
endpoints under the same prefix, called by ``app/static/clinical/note.js`` with the page's
CSRF token."""
from __future__ import annotations

from datetime import date

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app import access_log
from app.clinical import client_file
from app.clinical import day as days
from app.clinical import notes
from app.clinical.templates import display, offered_templates, template_title
from app.errors import Forbidden, NotFound, ValidationFailed
from app.csrf import posted_token_valid
from app.extensions import db
from app.models import Appointment, TeamMember
from app.security import (
    CLINICAL_NOTES,
    NOTE_STATUS,
    appointment_scope,
    current_user,
    in_scope,
    may,
    sees_everything,
)
from app.timeutil import local_today, to_local
from app.uow import unit_of_work
from app.views.base import enum_words
from app.i18n.formatting import day_and_clock  # "ter., 08/12/2026, 14:30" in the reader's language


def require_csrf() -> None:
    """State changes from these pages carry the page's token (the ``X-CSRFToken`` header
    from scripts, the ``csrf_token`` field from forms); the app has no global CSRF check."""
    if not posted_token_valid():
        raise Forbidden(gettext("The page's security token is missing or expired; reload the page."))


def _appointment(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or not in_scope(appointment_scope(current_user()), appointment.id):
        raise NotFound(gettext("No such visit."))
    return appointment


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(gettext("Send a JSON object."))
    return body


class ClinicalView(BaseView):
    """/clinical/day, /clinical/notes/<id> and the visit actions."""

    route_base = "/clinical"
    class_permission_name = CLINICAL_NOTES
    method_permission_name = {
        "day": "read", "visit_note": "read", "note": "read",
        "start": "write", "complete": "write", "undo": "write", "save_draft": "write", "sign": "write",
        "start_draft": "write",
        "addendum": "write", "copy_forward": "write", "change_template": "write",
    }
    default_view = "day"

    @expose("/day")
    @has_access
    def day(self):
        user = current_user()
        member = self._member_for_day(user)
        providers = _providers() if sees_everything(user) else []
        locations = days.provider_locations(member) if member is not None else []
        if not locations:
            return self.render_template("clinical/day.html", day=None, member=member, providers=providers)
        location = next((loc for loc in locations if str(loc.id) == request.args.get("location_id")), locations[0])
        try:
            on = date.fromisoformat(request.args["date"]) if request.args.get("date") else local_today(location)
        except ValueError as exc:
            raise ValidationFailed("date must be YYYY-MM-DD.") from exc
        result = days.provider_day(user=user, member=member, location=location, day=on)
        for visit in result.visits:
            if visit.last_note_id:
                access_log.record_read("note", visit.last_note_id, client_id=visit.client_id, action="summary")
        scores = client_file.score_series(user, {v.case_id: v.client_id for v in result.visits})
        return self.render_template("clinical/day.html", day=result, member=member, providers=providers, scores=scores,
                                    local=lambda t: to_local(t, location.timezone), csrf=generate_csrf())

    @staticmethod
    def _member_for_day(user) -> TeamMember | None:
        wanted = request.args.get("provider_id")
        if wanted and sees_everything(user):
            member = db.session.get(TeamMember, int(wanted)) if wanted.isdigit() else None
            if member is None:
                raise NotFound("No such provider.")
            return member
        return notes.member_of(user)

    @expose("/visits/<int:appointment_id>/note")
    @has_access
    def visit_note(self, appointment_id: int):
        """The visit's chart: its note, or for the treating provider the editor of the note
        not written yet (its first save starts it: opening the editor writes nothing)."""
        user = current_user()
        appointment = _appointment(appointment_id)
        note = notes.note_of(appointment)
        if note is not None:
            return redirect(url_for("ClinicalView.note", note_id=note.id))
        if not notes.may_write_visit(user, appointment):
            raise NotFound(gettext("This visit has no note yet."))
        unsaved = notes.unsaved_note(appointment=appointment, actor=user,
                                     template_id=request.args.get("template_id", type=int),
                                     template_name=request.args.get("template") or None)
        return self._editor(user, unsaved, editable=True)

    @expose("/notes/<int:note_id>")
    @has_access
    def note(self, note_id: int):
        user = current_user()
        note = notes.get_readable(user, note_id)
        access_log.record_read("note", note.id, client_id=note.case.client_id)
        member = notes.member_of(user)
        return self._editor(user, note, editable=not note.is_signed and member is not None
                            and member.id == note.author_id)

    def _editor(self, user, note, *, editable: bool):
        """The note page: the editor (``editable``) or the signed note, beside the case's earlier notes."""
        previous = notes.previous_notes(note)
        for earlier in previous:
            access_log.record_read("note", earlier.id, client_id=note.case.client_id)
        zone = note.appointment.location.timezone
        return self.render_template(
            "clinical/note.html", note=note, previous=previous, editable=editable, csrf=generate_csrf(),
            may_addendum=note.is_signed and may(user, "can_write", CLINICAL_NOTES),
            templates=offered_templates() if editable and not note.content else [],
            urls=_note_urls(note.id, note.appointment.id),
            local=lambda t: day_and_clock(to_local(t, zone)), display_field=display, status_words=enum_words,
            template_title=template_title)

    # --- JSON: the editor ------------------------------------------------------------
    @expose("/visits/<int:appointment_id>/draft", methods=["PUT"])
    @has_access
    def start_draft(self, appointment_id: int):
        """The editor's first save on a visit without a note: starts the note from the
        template the editor showed (``template``, by name) and saves the draft. A note
        another tab started meanwhile gets the draft."""
        require_csrf()
        body = _json_body()
        template = body.get("template") if isinstance(body.get("template"), str) else None
        with unit_of_work():
            note = notes.open_note(appointment=_appointment(appointment_id), actor=current_user(),
                                   template_name=template)
            notes.save_draft(note=note, content=body.get("content"), actor=current_user())
            result = {"saved_at": note.updated_at.isoformat(), "note_id": note.id,
                      "urls": _note_urls(note.id, appointment_id)}
        return jsonify(result)

    @expose("/notes/<int:note_id>/draft", methods=["PUT"])
    @has_access
    def save_draft(self, note_id: int):
        require_csrf()
        with unit_of_work():
            note = notes.get_readable(current_user(), note_id)
            notes.save_draft(note=note, content=_json_body().get("content"), actor=current_user())
            saved = note.updated_at
        return jsonify({"saved_at": saved.isoformat()})

    @expose("/notes/<int:note_id>/sign", methods=["POST"])
    @has_access
    def sign(self, note_id: int):
        require_csrf()
        with unit_of_work():
            note = notes.get_readable(current_user(), note_id)
            notes.sign(note=note, content=_json_body().get("content"), actor=current_user())
            result = {"signed_at": note.signed_at.isoformat(), "content_hash": note.content_hash}
        return jsonify(result)

    @expose("/notes/<int:note_id>/addenda", methods=["POST"])
    @has_access
    def addendum(self, note_id: int):
        require_csrf()
        with unit_of_work():
            note = notes.get_readable(current_user(), note_id)
            added = notes.add_addendum(note=note, text=_json_body().get("text"), actor=current_user())
            result = {"id": added.id, "signed_at": added.signed_at.isoformat(), "content_hash": added.content_hash}
        return jsonify(result), 201

    @expose("/notes/<int:note_id>/template", methods=["POST"])
    @has_access
    def change_template(self, note_id: int):
        require_csrf()
        with unit_of_work():
            note = notes.get_readable(current_user(), note_id)
            notes.change_template(note=note, template_id=request.form.get("template_id", type=int),
                                  template_name=request.form.get("template") or None, actor=current_user())
        return redirect(url_for("ClinicalView.note", note_id=note_id))

    @expose("/notes/<int:note_id>/copy-forward", methods=["POST"])
    @has_access
    def copy_forward(self, note_id: int):
        require_csrf()
        with unit_of_work():
            note = notes.get_readable(current_user(), note_id)
            source = notes.copy_forward(note=note, actor=current_user())
            access_log.record_read("note", source.id, client_id=note.case.client_id, action="copy")
            content = dict(note.content)
        return jsonify({"content": content})

    # --- started / completed -----------------------------------------------------------
    @expose("/visits/<int:appointment_id>/start", methods=["POST"])
    @has_access
    def start(self, appointment_id: int):
        return self._progress(days.start_visit, appointment_id)

    @expose("/visits/<int:appointment_id>/complete", methods=["POST"])
    @has_access
    def complete(self, appointment_id: int):
        return self._progress(days.complete_visit, appointment_id)

    @expose("/visits/<int:appointment_id>/undo", methods=["POST"])
    @has_access
    def undo(self, appointment_id: int):
        return self._progress(days.undo_progress, appointment_id)

    def _progress(self, action, appointment_id: int):
        require_csrf()
        with unit_of_work():
            action(appointment=_appointment(appointment_id), actor=current_user())
        return redirect(request.referrer or url_for("ClinicalView.day"))


def _note_urls(note_id: int | None, appointment_id: int) -> dict[str, str]:
    """Where the editor saves, signs and copies: the note's own routes once it exists, else
    the visit's first save (which starts it)."""
    if note_id is None:
        return {"draft": url_for("ClinicalView.start_draft", appointment_id=appointment_id), "sign": "", "copy": "",
                "page": url_for("ClinicalView.visit_note", appointment_id=appointment_id)}
    return {"draft": url_for("ClinicalView.save_draft", note_id=note_id),
            "sign": url_for("ClinicalView.sign", note_id=note_id),
            "copy": url_for("ClinicalView.copy_forward", note_id=note_id),
            "page": url_for("ClinicalView.note", note_id=note_id)}


def _providers() -> list[TeamMember]:
    return list(db.session.scalars(select(TeamMember).where(TeamMember.is_provider, TeamMember.active)
                                   .order_by(TeamMember.display_name)))


class NoteStatusPermission(BaseView):
    """Holds the NOTE_STATUS permission (no routes): the client file asks for it to show
    the front desk that a visit's note exists and is signed."""

    class_permission_name = NOTE_STATUS
    base_permissions = ["can_read"]
    route_base = "/clinical/_note_status"

