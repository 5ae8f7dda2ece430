"""Staff screens: a client's forms (status for everyone who sees the client, answers for
managers and the client's providers, every read logged), sending a form by hand, and the
managers' form builder (each save is a new version). Thin: the work is in ``service``."""
from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from app.auth.views import safe_next
from app.csrf import require_csrf
from app.errors import NotFound, Problem, ValidationFailed
from app.extensions import db
from app.intake import by_hand, outcomes, service
from app.intake.defaults import ensure_defaults
from app.intake.definition import read_editor_body
from app.intake.fields import BODY_AREAS, KINDS, PURPOSES
from app.intake.rules import PATIENT_KINDS
from app.intake.pdf import display
from app.models import Appointment, Case, Client, FormRule, FormSubmission, FormTemplate
from app.security import (
    FORM_SETUP, FORMS, WRITE, appointment_scope, case_scope, client_scope, current_user, in_scope, may,
    may_read_form_answers,
)
from app.timeutil import utcnow
from app.uow import unit_of_work
from app.views.base import PlinthModelView


def _sent_message(sent) -> str:
    if sent.again:
        return _("“%(form)s” was already waiting: its link was sent again to %(email)s.", form=sent.form, email=sent.to)
    return _("“%(form)s” was sent to %(email)s.", form=sent.form, email=sent.to)


def panel_forms(user, client_id: int) -> dict:
    """A client's forms as the grid panel shows them: status for whoever sees the client,
    the link to the answers only for managers and the client's providers."""
    readable = may_read_form_answers(user, client_id)
    return {"forms": [{"request_id": s.request_id, "form": s.form, "status": s.status, "state": s.state(),
                       "label": s.label(),
                       "answers_url": url_for("ClientFormsView.submission", submission_id=s.submission_id)
                       if readable and s.submission_id else None}
                      for s in service.form_status([client_id]).get(client_id, [])]}


def _client_or_404(client_id: int) -> Client:
    client = db.session.get(Client, client_id)
    if client is None or not in_scope(client_scope(current_user()), client_id):
        abort(404)
    return client


class ClientFormsView(BaseView):
    route_base = "/intake"
    class_permission_name = FORMS
    method_permission_name = {"client": "read", "send": "write", "send_json": "write", "panel": "read",
                              "submission": "read", "submission_pdf": "read"}
    default_view = "client"

    @expose("/clients/<int:client_id>/")
    @has_access
    def client(self, client_id: int):
        client = _client_or_404(client_id)
        user = current_user()
        statuses = service.form_status([client.id]).get(client.id, [])
        cases = list(db.session.scalars(select(Case).where(Case.client_id == client.id,
                                                           Case.id.in_(case_scope(user))).order_by(Case.id)))
        visits = list(db.session.scalars(select(Appointment).where(
            Appointment.case_id.in_([c.id for c in cases]), Appointment.starts_at > utcnow(),
            Appointment.id.in_(appointment_scope(user))).order_by(Appointment.starts_at).limit(10)))
        readable = may_read_form_answers(user, client.id)
        series = outcomes.readable_series(user, {c.id: c.client_id for c in cases}) if readable else {}
        return self.render_template("intake/client_forms.html", client=client, statuses=statuses, cases=cases,
                                    visits=visits, templates=service.templates_in_use(), readable=readable,
                                    series=series, csrf=generate_csrf())

    @expose("/clients/<int:client_id>/send", methods=["POST"])
    @has_access
    def send(self, client_id: int):
        """The plain form of the client's forms page and the client file; back where it came from."""
        require_csrf()
        _client_or_404(client_id)
        back = safe_next(request.form.get("next"), url_for("ClientFormsView.client", client_id=client_id))
        with unit_of_work():
            sent = by_hand.send_form(current_user(), client_id, request.form.get("template_id", type=int),
                                     case_id=request.form.get("case_id", type=int),
                                     appointment_id=request.form.get("appointment_id", type=int))
        flash(_sent_message(sent), "success")
        return redirect(back)

    @expose("/clients/<int:client_id>/send.json", methods=["POST"])
    @has_access
    def send_json(self, client_id: int):
        """The grid panel's “Send form…”: JSON in, the client's form status out (4xx with problems)."""
        require_csrf()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationFailed(_("Send a JSON object with template_id."))
        with unit_of_work():
            sent = by_hand.send_form(current_user(), client_id, body.get("template_id"), case_id=body.get("case_id"),
                                     appointment_id=body.get("appointment_id"))
        return jsonify({"message": _sent_message(sent), "request_id": sent.request.id,
                        **panel_forms(current_user(), client_id)}), 201

    @expose("/panel/<int:appointment_id>")
    @has_access
    def panel(self, appointment_id: int):
        """The grid panel's forms section: statuses (no answers), the forms one may send."""
        user = current_user()
        visit = db.session.get(Appointment, appointment_id)
        if visit is None or not in_scope(appointment_scope(user), appointment_id):
            raise NotFound(_("There is no such visit."))
        client = visit.case.client
        return jsonify({"client_id": client.id, "client_name": client.full_name, "has_email": bool(client.email),
                        "appointment_id": visit.id, "case_id": visit.case_id,
                        "may_send": may(user, WRITE, FORMS),
                        "templates": [{"id": t.id, "name": t.name} for t in service.templates_in_use()
                                      if t.current is not None],
                        "forms_url": url_for("ClientFormsView.client", client_id=client.id),
                        **panel_forms(user, client.id)})

    @expose("/submissions/<int:submission_id>")
    @has_access
    def submission(self, submission_id: int):
        from app.i18n.formatting import local_moment
        from app.intake.pdf import zone_of

        submission = self._readable(submission_id)
        client = db.session.get(Client, submission.client_id)
        return self.render_template("intake/submission.html", s=submission, version=submission.version,
                                    client=client, show=display,
                                    submitted=local_moment(submission.submitted_at,
                                                           zone_of(client, submission.appointment_id)))

    @expose("/submissions/<int:submission_id>/pdf")
    @has_access
    def submission_pdf(self, submission_id: int):
        from app.intake.pdf import submission_pdf

        submission = self._readable(submission_id)
        response = Response(submission_pdf(submission), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="form-{submission.id}.pdf"'
        return response

    def _readable(self, submission_id: int) -> FormSubmission:
        submission = db.session.get(FormSubmission, submission_id)
        if submission is None or not in_scope(client_scope(current_user()), submission.client_id):
            abort(404)
        if not may_read_form_answers(current_user(), submission.client_id):
            abort(403)
        return service.read_submission(submission_id)


class FormBuilderView(BaseView):
    route_base = "/intake/forms"
    class_permission_name = FORM_SETUP
    method_permission_name = {"index": "read", "edit": "read", "save": "write", "create": "write",
                              "install_defaults": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        forms = list(db.session.scalars(select(FormTemplate).order_by(FormTemplate.name)))
        return self.render_template("intake/builder_index.html", forms=forms, purposes=PURPOSES, csrf=generate_csrf())

    @expose("/defaults", methods=["POST"])
    @has_access
    def install_defaults(self):
        require_csrf()
        with unit_of_work():
            created = ensure_defaults()
        flash(f"{created} shipped form(s) added." if created else "The shipped forms are all there.", "success")
        return redirect(url_for("FormBuilderView.index"))

    @expose("/new", methods=["POST"])
    @has_access
    def create(self):
        require_csrf()
        name = (request.form.get("name") or "").strip()
        purpose = request.form.get("purpose") or "intake"
        if not name or purpose not in PURPOSES:
            flash(_("A form needs a name and one of the purposes listed."), "danger")
            return redirect(url_for("FormBuilderView.index"))
        with unit_of_work():
            if db.session.scalar(select(FormTemplate.id).where(FormTemplate.name == name)):
                raise ValidationFailed(_("There is already a form named “%(name)s”.", name=name))
            template = FormTemplate(name=name[:120], purpose=purpose, active=True, created_at=utcnow())
            db.session.add(template)
        return redirect(url_for("FormBuilderView.edit", template_id=template.id))

    @expose("/<int:template_id>/")
    @has_access
    def edit(self, template_id: int):
        """The form editor (app/static/intake/editor.js): questions with a control per setting."""
        template = db.session.get(FormTemplate, template_id) or abort(404)
        current = template.current
        data = {"fields": current.fields if current else [], "scoring": current.scoring if current else None,
                "description": template.description or "", "active": template.active,
                "version": current.number if current else None,
                "save_url": url_for("FormBuilderView.save", template_id=template.id),
                "kinds": {kind: str(label) for kind, label in KINDS.items()}, "body_areas": list(BODY_AREAS)}
        return self.render_template("intake/builder_edit.html", form=template, editor=data, csrf=generate_csrf())

    @expose("/<int:template_id>/", methods=["POST"])
    @has_access
    def save(self, template_id: int):
        """The editor's JSON: a new version when the questions changed (422 with a problem per setting)."""
        require_csrf()
        template = db.session.get(FormTemplate, template_id)
        if template is None:
            raise NotFound(_("There is no such form."))
        try:
            description, active, fields, scoring = read_editor_body(request.get_json(silent=True))
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from exc
        with unit_of_work():
            template.description, template.active = description, active
            version = service.save_version(template, fields, scoring, user_id=current_user().id)
        return jsonify({"version": version.number, "message": _(
            "Saved as version %(number)s; forms already filled keep the version they answered.",
            number=version.number)})


class FormRuleView(PlinthModelView):
    """Managers: which forms go out by themselves when a visit is booked."""

    datamodel = SQLAInterface(FormRule)
    class_permission_name = FORM_SETUP
    list_columns = ["template", "session_type", "patient_kind", "days_before", "every_n_visits", "at_discharge",
                    "active"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"template": "Form", "session_type": "Session type (blank: all)",
                     "patient_kind": "Patients", "days_before": "Days before the visit",
                     "every_n_visits": "Every N visits of the case", "at_discharge": "At discharge"}
    add_form_extra_fields = edit_form_extra_fields = {
        "patient_kind": SelectField("Patients", choices=[SelectChoice(k, v) for k, v in PATIENT_KINDS.items()], default="any",
                                    widget=Select2Widget())}
    formatters_columns = {"patient_kind": lambda value: PATIENT_KINDS.get(value, value)}
    description_columns = {
        "days_before": "Blank: with the booking's confirmation. N: N days before the visit at the same "
                       "local time. A reminder follows a day before the visit while the form is not filled.",
        "every_n_visits": "For outcome measures: blank sends at every visit; N sends at the case's 1st visit and "
                          "every Nth after (N = 3: visits 1, 4, 7...).",
        "at_discharge": "Send when the case is closed (discharge) instead of when a visit is booked; "
                        "a session type then means cases attended for it.",
    }
    validators_columns = {"days_before": [Optional(), NumberRange(min=1, max=60)],
                          "every_n_visits": [Optional(), NumberRange(min=1, max=100)]}


class ReviewSettingsView(BaseView):
    """Managers: review requests after completed visits (Clients → Review requests)."""

    route_base = "/intake/reviews"
    class_permission_name = FORM_SETUP
    method_permission_name = {"index": "read", "save": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        from app.intake.reviews import read_review_settings

        settings = read_review_settings()
        return self.render_template("intake/review_settings.html", settings=settings, csrf=generate_csrf())

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        from app.intake.reviews import review_settings

        require_csrf()
        url = (request.form.get("review_url") or "").strip()
        delay = request.form.get("delay_hours", type=int)
        days = request.form.get("min_days_between", type=int)
        enabled = request.form.get("enabled") == "on"
        problems = []
        if url and not url.startswith(("https://", "http://")) or len(url) > 500:
            problems.append(_("The review link is a web address starting with https://."))
        if enabled and not url:
            problems.append(_("Review requests need the link to your review page."))
        if delay is None or not 0 <= delay <= 24 * 14:
            problems.append(_("The delay is between 0 and 336 hours."))
        if days is None or not 1 <= days <= 3650:
            problems.append(_("“At most once every” is between 1 and 3650 days."))
        if problems:
            raise ValidationFailed(_("The review settings were not saved."), [Problem(p) for p in problems])
        with unit_of_work():
            settings = review_settings()
            settings.enabled, settings.review_url = enabled, url or None
            settings.delay_hours, settings.min_days_between = delay, days
        flash(_("Review requests saved."), "success")
        return redirect(url_for("ReviewSettingsView.index"))


def register(appbuilder) -> None:
    """Clients → Forms, Form sending rules, Review requests, the client's forms, and the
    pages where patients fill them (create_app hands this to ``register_views``, which
    calls it after Import and export)."""
    from flask import current_app

    import app.intake.immutability  # noqa: F401  (the flush guard of submitted forms)
    from app.intake.public import bp as forms_public

    current_app.register_blueprint(forms_public)
    appbuilder.add_view(FormBuilderView, "Forms", category="Clients", icon="fa-file-text-o")
    appbuilder.add_view(FormRuleView, "Form sending rules", category="Clients", icon="fa-paper-plane")
    appbuilder.add_view(ReviewSettingsView, "Review requests", category="Clients", icon="fa-star")
    appbuilder.add_view_no_menu(ClientFormsView)
