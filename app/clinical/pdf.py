"""The PDF of a case's signed notes (and their addenda), for an insurer or a referring
doctor: xhtml2pdf like the invoices, from the signed records only (drafts never print),
each note with its signer, time and content hash so the copy can be checked."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.clinical.templates import display
from app.pdf import draw
from app.timeutil import to_local

TEMPLATES = Path(__file__).parent / "pdf_templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def case_notes_html(*, case, notes, plan, clinic_name: str, printed_at) -> str:
    def local(instant, zone):
        return to_local(instant, zone).strftime("%d %b %Y %H:%M %Z")

    return _env.get_template("case_notes.html").render(
        case=case, client=case.client, notes=notes, plan=plan, clinic_name=clinic_name, display=display,
        local=local, printed_at=printed_at)


def case_notes_pdf(**kw) -> bytes:
    return draw(case_notes_html(**kw), f"case {kw['case'].id}")


def filename(case) -> str:
    return f"case-{case.id}-notes.pdf"
