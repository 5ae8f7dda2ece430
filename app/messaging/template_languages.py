"""A message template in each language: managers keep one version per language of every
message (Templates screen → a template → "Add a version in ..."). A client gets the version
in their language, else their location's, else English (``templates.template_for``).

A new version starts from Plinth's own text in that language (so the manager edits a
translation, not an English copy), else from the version it was added from.
"""
from __future__ import annotations

from sqlalchemy import select

from app.errors import Problem, ValidationFailed
from app.extensions import db
from app.i18n import LANGUAGES
from app.messaging.templates import DEFAULTS, Template, shipped
from app.models import MessageTemplate


def versions(row: MessageTemplate) -> dict[str, MessageTemplate | None]:
    """Every shipped language, with the manager's version of this message in it (or None)."""
    found = {r.language: r for r in db.session.scalars(select(MessageTemplate).where(
        MessageTemplate.kind == row.kind, MessageTemplate.audience == row.audience))}
    return {code: found.get(code) for code in LANGUAGES}


def add_version(row: MessageTemplate, language: str) -> MessageTemplate:
    """The version of ``row``'s message in ``language``: the one there already, else a new
    one from Plinth's text in that language (else ``row``'s own). Inside the caller's unit of work."""
    if language not in LANGUAGES:
        raise ValidationFailed("Choose one of the clinic's languages.",
                               [Problem(f"{language!r} is not a language Plinth speaks.", field="language")])
    existing = versions(row).get(language)
    if existing is not None:
        return existing
    start = shipped(row.kind, row.audience, language) or Template(row.subject, row.body_text, row.body_html)
    added = MessageTemplate(kind=row.kind, audience=row.audience, language=language, subject=start.subject,
                            body_text=start.body_text, body_html=start.body_html)
    db.session.add(added)
    db.session.flush()
    return added


def default_for(row: MessageTemplate) -> Template | None:
    """What "Reset to default" puts back: Plinth's text in the row's language, else English."""
    return shipped(row.kind, row.audience, row.language) or DEFAULTS.get((row.kind, row.audience))
