"""Staff screens: a client's forms (status for everyone who sees the client, answers for
managers and the client's providers, every read logged), sending a form by hand, and the
managers' form builder (each save is a new version). Thin: the work is in ``service``."""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from wtforms.validators import AnyOf, NumberRange, Optional

from app.csrf import require_csrf
from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.intake import sending, service
from app.intake.defaults import ensure_defaults
from app.intake.fields import KINDS
from app.intake.pdf import display
from app.models import Appointment, Case, Client, FormRule, FormSubmission, FormTemplate
from app.security import (
    FORM_SETUP, FORMS, appointment_scope, case_scope, client_scope, current_user, in_scope, may_read_form_answers,
)
from app.timeutil import utcnow
from app.uow import unit_of_work
from app.views.base import PlinthModelView


def _client_or_404(client_id: int) -> Client:
    client = db.session.get(Client, client_id)
    if client is None or not in_scope(client_scope(current_user()), client_id):
        abort(404)
    return client


class ClientFormsView(BaseView):
    route_base = "/intake"
    class_permission_name = FORMS
    method_permission_name = {"client": "read", "send": "write", "submission": "read", "submission_pdf": "read"}
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
        series = {case.id: service.score_series(case.id) for case in cases} if readable else {}
        return self.render_template("intake/client_forms.html", client=client, statuses=statuses, cases=cases,
                                    visits=visits, templates=service.templates_in_use(), readable=readable,
                                    series=series, csrf=generate_csrf())

    @expose("/clients/<int:client_id>/send", methods=["POST"])
    @has_access
    def send(self, client_id: int):
        require_csrf()
        client = _client_or_404(client_id)
        template = db.session.get(FormTemplate, request.form.get("template_id", type=int) or 0)
        if template is None:
            flash("Choose a form to send.", "danger")
            return redirect(url_for("ClientFormsView.client", client_id=client_id))
        case_id = request.form.get("case_id", type=int)
        appointment_id = request.form.get("appointment_id", type=int)
        user = current_user()
        if case_id and not in_scope(case_scope(user), case_id) or appointment_id and not in_scope(
                appointment_scope(user), appointment_id):
            abort(404)
        if appointment_id and not case_id:
            case_id = db.session.get(Appointment, appointment_id).case_id
        with unit_of_work():
            form_request = service.create_request(template, client.id, case_id=case_id, appointment_id=appointment_id,
                                                  user_id=user.id)
            sending.send_by_hand(form_request)
        flash(f"“{template.name}” was sent to {client.email}.", "success")
        return redirect(url_for("ClientFormsView.client", client_id=client_id))

    @expose("/submissions/<int:submission_id>")
    @has_access
    def submission(self, submission_id: int):
        submission = self._readable(submission_id)
        return self.render_template("intake/submission.html", s=submission, version=submission.version,
                                    client=db.session.get(Client, submission.client_id), show=display)

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
        return self.render_template("intake/builder_index.html", forms=forms, csrf=generate_csrf())

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
        if not name:
            flash("A form needs a name.", "danger")
            return redirect(url_for("FormBuilderView.index"))
        with unit_of_work():
            if db.session.scalar(select(FormTemplate.id).where(FormTemplate.name == name)):
                raise ValidationFailed(f"There is already a form named “{name}”.")
            template = FormTemplate(name=name[:120], purpose=request.form.get("purpose") or "intake", active=True,
                                    created_at=utcnow())
            db.session.add(template)
        return redirect(url_for("FormBuilderView.edit", template_id=template.id))

    @expose("/<int:template_id>/")
    @has_access
    def edit(self, template_id: int):
        template = db.session.get(FormTemplate, template_id) or abort(404)
        current = template.current
        return self.render_template(
            "intake/builder_edit.html", form=template, kinds=KINDS, csrf=generate_csrf(),
            fields_json=json.dumps(current.fields if current else [], indent=2, ensure_ascii=False),
            scoring_json=json.dumps(current.scoring, indent=2) if current and current.scoring else "")

    @expose("/<int:template_id>/", methods=["POST"])
    @has_access
    def save(self, template_id: int):
        require_csrf()
        template = db.session.get(FormTemplate, template_id) or abort(404)
        try:
            fields = json.loads(request.form.get("fields") or "[]")
            scoring = json.loads(request.form["scoring"]) if (request.form.get("scoring") or "").strip() else None
        except ValueError as exc:
            raise ValidationFailed(f"The questions are not valid JSON: {exc}.") from exc
        with unit_of_work():
            template.description = request.form.get("description") or None
            template.active = request.form.get("active") == "on"
            version = service.save_version(template, fields, scoring, user_id=current_user().id)
        flash(f"Saved as version {version.number}; forms already filled keep the version they answered.", "success")
        return redirect(url_for("FormBuilderView.edit", template_id=template_id))


class FormRuleView(PlinthModelView):
    """Managers: which forms go out by themselves when a visit is booked."""

    datamodel = SQLAInterface(FormRule)
    class_permission_name = FORM_SETUP
    list_columns = ["template", "session_type", "patient_kind", "days_before", "every_n_visits", "active"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"template": "Form", "session_type": "Session type (blank: all)",
                     "patient_kind": "Patients", "days_before": "Days before the visit",
                     "every_n_visits": "Every N visits of the case"}
    description_columns = {
        "patient_kind": "new (no earlier visit), returning, or any",
        "days_before": "Blank: with the booking's confirmation. N: N days before the visit at the same "
                       "local time. A reminder follows a day before the visit while the form is not filled.",
        "every_n_visits": "For outcome measures: blank sends at every visit; N sends at the case's 1st visit and "
                          "every Nth after (N = 3: visits 1, 4, 7...).",
    }
    validators_columns = {"patient_kind": [AnyOf(("new", "returning", "any"), message="new, returning or any")],
                          "days_before": [Optional(), NumberRange(min=1, max=60)],
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
            problems.append("The review link is a web address starting with https://.")
        if enabled and not url:
            problems.append("Review requests need the link to your review page.")
        if delay is None or not 0 <= delay <= 24 * 14:
            problems.append("The delay is between 0 and 336 hours.")
        if days is None or not 1 <= days <= 3650:
            problems.append("“At most once every” is between 1 and 3650 days.")
        if problems:
            raise ValidationFailed("The review settings were not saved.", [Problem(p) for p in problems])
        with unit_of_work():
            settings = review_settings()
            settings.enabled, settings.review_url = enabled, url or None
            settings.delay_hours, settings.min_days_between = delay, days
        flash("Review requests saved.", "success")
        return redirect(url_for("ReviewSettingsView.index"))
