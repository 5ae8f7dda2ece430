"""Patients fill their forms at /forms/<token>: the booking site's look and headers,
mobile-first, save-and-continue (a server-side draft), a message beside each wrong answer,
and a PDF of the filled form. The link is signed and expires (``links.py``)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.booking import headers
from app.booking.views.wizard import branding as booking_branding, show_location
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.intake import service
from app.intake.fields import BODY_AREAS
from app.i18n import formatting
from app.i18n.locales import known_patient_language, patient_pages
from app.intake.links import BadToken, request_id_of
from app.models import Appointment, Client, FormRequest, FormSubmission, read_clinic_settings
from app.timeutil import to_local
from app.uow import unit_of_work

bp = Blueprint("forms_public", __name__, url_prefix="/forms", template_folder="templates")
patient_pages(bp.name)  # the patient's language (their pick, their record's, their browser's)


@bp.before_request
def _patients_language() -> None:
    """A form link (and a review email's opt-out link) knows its patient: their preferred
    language unless they pick another."""
    token = (request.view_args or {}).get("token")
    client_id = None
    try:
        if token and request.endpoint == "forms_public.review_opt_out":  # the review email's opt-out link
            from app.intake.reviews import client_of_opt_out

            client_id = client_of_opt_out(token)
        elif token:
            client_id = db.session.scalar(select(FormRequest.client_id).where(FormRequest.id == request_id_of(token)))
    except BadToken:
        return
    if client_id is not None:
        known_patient_language(db.session.scalar(select(Client.preferred_language).where(Client.id == client_id)))


@bp.after_request
def _headers(response: Response) -> Response:
    headers.apply(response)
    response.headers["Cache-Control"] = "no-store"
    return response


# The booking site's branding (clinic name, logo) for its base template.
bp.context_processor(booking_branding)


@bp.app_template_global()
def form_text(text: str | None) -> str | None:
    """A form's own words (name, question, option) in the page's language: the shipped
    forms' words are in the catalogue (``defaults.py``); a clinic's own stay as written."""
    return _(text) if text else text


def _request_for(token: str):
    try:
        request_id = request_id_of(token)
    except BadToken:
        abort(404)
    try:
        form_request = service.open_request(request_id)
    except DomainError as exc:
        abort(Response(render_template("booking/message.html", title=_("Form not available"), message=exc.message,
                                       phone=read_clinic_settings().phone), status=404))
    show_location(_location_of(form_request))
    return form_request


def _location_of(form_request: FormRequest) -> int | None:
    """The visit's location, else the client's home location (whose phone the footer gives)."""
    if form_request.appointment_id is not None:
        appointment = db.session.get(Appointment, form_request.appointment_id)
        if appointment is not None:
            return appointment.location_id
    client = db.session.get(Client, form_request.client_id)
    return client.home_location_id if client is not None else None


def _raw_answers() -> dict:
    raw = {}
    for key in request.form:
        values = request.form.getlist(key)
        raw[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return {key.removesuffix("[]"): value for key, value in raw.items()}


@bp.route("/<token>", methods=["GET", "POST"])
def fill(token: str):
    form_request = _request_for(token)
    if form_request.status == "submitted":
        return _done(token, form_request)
    errors: dict[str, str] = {}
    values = form_request.draft or {}
    if request.method == "POST":
        # No CSRF token: the signed link is the credential (another site cannot know it),
        # and a session token would expire while a patient's phone sits locked mid-form.
        raw = _raw_answers()
        values = raw
        if request.form.get("action") == "submit":
            try:
                with unit_of_work():
                    service.submit(form_request, raw)
                return _done(token, form_request, just_now=True)
            except ValidationFailed as exc:
                errors = {p.field: p.message for p in exc.problems if p.field}
        with unit_of_work():
            service.save_draft(form_request, raw)
        if not errors:  # post/redirect/get: reloading the page never posts the answers again
            return redirect(url_for("forms_public.fill", token=token, saved=1))
    saved = request.args.get("saved") == "1"
    status = 422 if errors else 200
    return render_template("intake/fill.html", token=token, request=form_request, version=form_request.version,
                           values=values, errors=errors, saved=saved, body_areas=BODY_AREAS), status


def _done(token: str, form_request, just_now: bool = False):
    """"Thank you": the day the form reached the clinic, on the visit's (or the client's) clock."""
    from app.intake.pdf import zone_of

    submitted_on = None
    if form_request.submitted_at is not None:
        client = db.session.get(Client, form_request.client_id)
        local = to_local(form_request.submitted_at, zone_of(client, form_request.appointment_id))
        submitted_on = formatting.day_with_year(local)
    return render_template("intake/done.html", token=token, request=form_request, just_now=just_now,
                           submitted_on=submitted_on)


@bp.route("/<token>/pdf")
def pdf(token: str):
    from app.intake.pdf import submission_pdf

    form_request = _request_for(token)
    submission = db.session.query(FormSubmission).filter_by(request_id=form_request.id).one_or_none()
    if submission is None:
        abort(404)
    response = Response(submission_pdf(submission), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="form-{submission.id}.pdf"'
    return response


@bp.route("/reviews/opt-out/<token>", methods=["GET", "POST"])
def review_opt_out(token: str):
    """Confirm with a button (mail scanners follow links; only a POST opts out)."""
    from app.intake import reviews

    try:
        client_id = reviews.client_of_opt_out(token)
    except BadToken:
        abort(404)
    if request.method == "POST":
        with unit_of_work():  # the signed link is the credential (no session token to expire)
            reviews.opt_out(client_id)
        return render_template("booking/message.html", title=_("Done"),
                               message=_("You will not receive review requests from us any more."))
    return render_template("intake/review_opt_out.html")
