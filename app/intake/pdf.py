"""A filled form as a printable PDF (xhtml2pdf), drawn from the submission and the
version it answered; the drawn signature is embedded from its data: URI, nothing else is
loaded."""
from __future__ import annotations

from pathlib import Path

from flask_babel import gettext, ngettext
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.i18n.locales import html_lang
from app.models import Client, FormSubmission, read_clinic_settings
from app.extensions import db
from app.pdf import data_only, draw

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]),
                   extensions=["jinja2.ext.i18n"])
_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # the request's language (the patient's)


def submission_pdf(submission: FormSubmission) -> bytes:
    client = db.session.get(Client, submission.client_id)
    html = _env.get_template("intake/form_pdf.html").render(
        s=submission, version=submission.version, client=client, clinic=read_clinic_settings(), show=display,
        form_text=lambda text: gettext(text) if text else text, lang=html_lang())
    return draw(html, f"form {submission.id}", link_callback=data_only)


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
    return str(value)
