"""A filled form as a printable PDF (xhtml2pdf), drawn from the submission and the
version it answered; the drawn signature is embedded from its data: URI, nothing else is
loaded."""
from __future__ import annotations

import io
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from xhtml2pdf import pisa

from app.models import Client, FormSubmission, read_clinic_settings
from app.extensions import db

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))


def submission_pdf(submission: FormSubmission) -> bytes:
    client = db.session.get(Client, submission.client_id)
    html = _env.get_template("intake/form_pdf.html").render(
        s=submission, version=submission.version, client=client, clinic=read_clinic_settings(), show=display)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, link_callback=lambda uri, rel: uri if uri.startswith("data:") else "")
    if result.err:
        raise RuntimeError(f"The PDF of form {submission.id} could not be drawn.")
    return out.getvalue()


def display(spec: dict, value) -> str:
    """An answer in words, for the PDF and the staff page."""
    if value is None or value == "" or value == []:
        return "—"
    if spec["kind"] == "yes_no":
        if isinstance(value, dict):
            return f"{value['answer'].capitalize()}: {value['detail']}"
        return str(value).capitalize()
    if spec["kind"] == "signature":
        return f"Signed by {value.get('name')}" if isinstance(value, dict) else "Signed"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)
