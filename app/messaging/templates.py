"""Message templates: defaults shipped with Plinth, managers' versions in ``MessageTemplate``.

Managers write templates, so they are rendered in Jinja's sandbox: no attribute that
reaches Python internals, no imports, no file access. Templates only ever see plain
values (strings, numbers, dicts) prepared by app.messaging.compose, never model
objects, so even a clever template cannot walk from the client to their case notes.
HTML is autoescaped; subject and text are not (they are not HTML).

The shipped texts are in ``template_defaults.py``, the limited sandbox in
``template_sandbox.py``; this module picks the template for a message and renders it.
"""
from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateError
from markupsafe import Markup, escape
from sqlalchemy import select

from app.extensions import db
from app.messaging.template_defaults import (  # noqa: F401  (re-exported: templates.X is the way in)
    CLIENT, DEFAULTS, PROVIDER, SAMPLE_CLINIC, SAMPLE_SHORT_LINK, SAMPLES, SMS_PREFIX, Template, template_kind,
)
from app.messaging.template_sandbox import _compiled, _render_limited  # noqa: F401
from app.models import MessageTemplate


def is_text(kind: str) -> bool:
    return kind.startswith(SMS_PREFIX)


def _sample_kind(kind: str) -> str:
    kind = template_kind(kind)
    return kind[len(SMS_PREFIX):] if is_text(kind) else kind


def saved() -> dict[tuple[str, str, str], Template]:
    """Every manager's version, by (kind, audience, language): one query for a whole batch."""
    return {(row.kind, row.audience, row.language): Template(row.subject, row.body_text, row.body_html)
            for row in db.session.scalars(select(MessageTemplate))}


def shipped(kind: str, audience: str, language: str) -> Template | None:
    """The template Plinth ships for this kind and audience in ``language`` (None if none)."""
    if language == "en":
        return DEFAULTS.get((kind, audience))
    from app.messaging.translated_defaults import TRANSLATED

    return TRANSLATED.get(language, {}).get((kind, audience))


def template_for(kind: str, audience: str, saved_templates: dict[tuple[str, str, str], Template] | None = None,
                 language: str = "en", fallback_language: str | None = None) -> Template:
    """What a message in ``language`` says: the manager's version in that language, else
    Plinth's own in that language, else the same two in ``fallback_language`` (the
    location's), else in English. ``saved_templates``: the managers' rows when the caller
    has read them already (a delivery batch), else they are read here."""
    key = template_kind(kind)
    if saved_templates is None:
        saved_templates = {(r.kind, r.audience, r.language): Template(r.subject, r.body_text, r.body_html)
                           for r in db.session.scalars(select(MessageTemplate).where(
                               MessageTemplate.kind == key, MessageTemplate.audience == audience))}
    for code in dict.fromkeys((language, fallback_language or "en", "en")):
        for who in dict.fromkeys((audience, CLIENT)):
            found = saved_templates.get((key, who, code)) or shipped(key, who, code)
            if found is not None:
                return found
    return DEFAULTS[(key, CLIENT)]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def warm_up() -> None:
    """Compile the defaults now. The worker calls this before it forks work horses, so
    each horse starts with them compiled instead of compiling them per job."""
    for template in DEFAULTS.values():
        _compiled(template.subject, False, False)
        _compiled(template.body_text, False, False)
        _compiled(template.body_html, True, False)


def render(template: Template, context: dict, *, strict: bool = False) -> Rendered:
    """Render the three parts; raises jinja2.TemplateError (incl. SecurityError)."""
    subject = _render_limited(template.subject, False, strict, context)
    text = _render_limited(template.body_text, False, strict, context)
    inner = _render_limited(template.body_html, True, strict, context)
    # One line, whatever was typed: a newline in a subject would start a new header.
    subject = " ".join(subject.split())[:300]
    return Rendered(subject, text.strip() + "\n", wrap_html(inner, context.get("clinic") or {}))


def wrap_html(inner: str, clinic: dict) -> str:
    """The branded frame around every HTML body (clinic name and colour from settings)."""
    colour = clinic.get("colour") or "#2f6f8f"
    if not (isinstance(colour, str) and len(colour) == 7 and colour.startswith("#")):
        colour = "#2f6f8f"
    name = escape(clinic.get("name") or "")
    contact = " · ".join(escape(v) for v in (clinic.get("phone"), clinic.get("email"), clinic.get("website")) if v)
    return Markup(
        '<!doctype html><html><body style="margin:0;font-family:Arial,Helvetica,sans-serif;color:#222">'
        f'<div style="background:{colour};color:#fff;padding:14px 20px;font-size:18px;font-weight:bold">{name}</div>'
        f'<div style="padding:16px 20px;line-height:1.5">{inner}</div>'
        f'<div style="padding:10px 20px;color:#666;font-size:12px;border-top:1px solid #eee">{name}'
        f'{" · " + contact if contact else ""}</div></body></html>'
    )


def check(template: Template, kind: str) -> list[str]:
    """Problems with a manager's template (syntax, unknown variables, sandbox, limits), for the form."""
    context = {**SAMPLES.get(_sample_kind(kind), {}), "clinic": SAMPLE_CLINIC}
    if is_text(kind):
        context["manage_url"] = SAMPLE_SHORT_LINK
    try:
        render(template, context, strict=True)
    except TemplateError as exc:
        return [f"The template cannot be used: {exc}"]
    return []


def preview(template: Template, kind: str) -> Rendered:
    context = {**SAMPLES.get(_sample_kind(kind), {}), "clinic": SAMPLE_CLINIC}
    if is_text(kind):
        context["manage_url"] = SAMPLE_SHORT_LINK  # texts carry the short link
    return render(template, context)


def missing_rows(*, texts: bool | None = None) -> list[tuple[str, str]]:
    """The shipped (kind, audience) pairs without a manager's English row, sorted; only the
    texts (``sms_*``) or only the emails when ``texts`` says. Reading only."""
    existing = set(db.session.execute(select(MessageTemplate.kind, MessageTemplate.audience)
                                      .where(MessageTemplate.language == "en")).all())
    return sorted(key for key in DEFAULTS if key not in existing and texts in (None, is_text(key[0])))


def ensure_row(kind: str, audience: str) -> MessageTemplate | None:
    """The manager's English row of a shipped template, added from Plinth's text if missing
    (None when Plinth ships no such template)."""
    row = db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.kind == kind, MessageTemplate.audience == audience, MessageTemplate.language == "en"))
    template = DEFAULTS.get((kind, audience))
    if row is None and template is not None:
        row = MessageTemplate(kind=kind, audience=audience, subject=template.subject,
                              body_text=template.body_text, body_html=template.body_html)
        db.session.add(row)
        db.session.flush()
    return row


def ensure_rows() -> int:
    """Give every default a row managers can edit; never touches edited rows. Idempotent."""
    missing = missing_rows()
    for kind, audience in missing:
        ensure_row(kind, audience)
    return len(missing)
