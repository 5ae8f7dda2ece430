"""A filled form as a printable PDF (xhtml2pdf), drawn from the submission and the
version it answered; the drawn signature is embedded from its data: URI, nothing else is
loaded."""
from __future__ import annotations

from pathlib import Path

from flask_babel import gettext, ngettext
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sqlalchemy import select

from app.i18n import formatting
from app.i18n.locales import html_lang
from app.models import Appointment, Client, FormSubmission, Location, read_clinic_settings
from app.extensions import db
from app.pdf import data_only, draw

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]),
                   extensions=["jinja2.ext.i18n"])
_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # the request's language (the patient's)


def submission_pdf(submission: FormSubmission) -> bytes:
    client = db.session.get(Client, submission.client_id)
    html = _env.get_template("intake/form_pdf.html").render(
        s=submission, version=submission.version, client=client, clinic=read_clinic_settings(), show=display,
        form_text=lambda text: gettext(text) if text else text, lang=html_lang(),
        born=formatting.day_with_year(client.date_of_birth) if client.date_of_birth else None,
        submitted=formatting.local_moment(submission.submitted_at, zone_of(client, submission.appointment_id)))
    return draw(html, f"form {submission.id}", link_callback=data_only)


def zone_of(client: Client | None, appointment_id: int | None = None) -> str:
    """The wall clock a form's moments are read on: its visit's location, else the client's
    home location, else the clinic's first location."""
    if appointment_id is not None:
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is not None:
            return appointment.location.timezone
    if client is not None and client.home_location is not None:
        return client.home_location.timezone
    return db.session.scalar(select(Location.timezone).order_by(Location.id).limit(1)) or "UTC"


def display(spec: dict, value) -> str:
    """An answer in words, for the PDF and the staff page."""
    if value is None or value == "" or value == []:
        return "—"
    if spec["kind"] == "yes_no":
        answer = value["answer"] if isinstance(value, dict) else str(value)
        said = gettext("Yes") if answer == "yes" else gettext("No") if answer == "no" else answer
        return f"{said}: {value['detail']}" if isinstance(value, dict) else said
    if spec["kind"] == "signature":
        return gettext("Signed by %(name)s", name=value.get("name")) if isinstance(value, dict) else gettext("Signed")
    if isinstance(value, list):
        return ", ".join(gettext(v) if v else v for v in value)
    if spec["kind"] == "single_choice" and isinstance(value, str):
        return gettext(value)  # a shipped form's option, in the reader's language
    return str(value)
