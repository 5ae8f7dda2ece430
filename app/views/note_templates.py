"""Note templates, which managers define: a name, an optional discipline and the sections
as JSON (checked by ``app/clinical/templates.check_sections``). Notes copy a template's
sections when they start, so editing a template never changes an existing note."""
from __future__ import annotations

import json

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from app.clinical.templates import DEFAULT_TEMPLATES, check_sections, ensure_defaults, missing_defaults, template_title
from app.errors import ValidationFailed
from app.extensions import db
from app.models import NoteTemplate
from app.security import NOTE_TEMPLATES
from app.views.base import PlinthModelView
from app.views.shipped import Shipped, ShippedRows

SECTIONS_HELP = ('A list of sections: [{"title": "Subjective", "fields": [{"key": "pain", "label": "Pain", '
                 '"kind": "pain"}]}]. Kinds: text, pain (0–10), checklist (with "options": [...]), '
                 'measure (with "unit": "°").')


class SectionsField(TextAreaField):
    """JSON in the form, a checked list of sections on the model."""

    def _value(self):
        return json.dumps(self.data, indent=2, ensure_ascii=False) if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = json.loads(valuelist[0] or "null")
        except ValueError:
            self.data = None
            raise ValueError("The sections are not valid JSON.") from None

    def pre_validate(self, form):
        try:
            check_sections(self.data)
        except ValidationFailed as exc:
            raise ValidationError("; ".join([exc.message] + [p.message for p in exc.problems])) from None


class NoteTemplateView(ShippedRows, PlinthModelView):
    """Managers' templates, and the shipped ones until one is edited (``ShippedRows``)."""

    datamodel = SQLAInterface(NoteTemplate)
    class_permission_name = NOTE_TEMPLATES
    exclude_route_methods = {"download", "delete", "muldelete"}  # notes point at them: retire, not delete
    method_permission_name = {**PlinthModelView.method_permission_name, "add_shipped": "write"}
    list_columns = ["name", "discipline", "active"]
    add_columns = edit_columns = ["name", "discipline", "active", "sections"]
    show_columns = add_columns
    formatters_columns = {"name": template_title}  # a shipped template's name in the reader's language
    description_columns = {"active": "Inactive templates are not offered for new notes.",
                           "sections": SECTIONS_HELP}
    add_form_extra_fields = edit_form_extra_fields = {
        "sections": SectionsField("Sections", description=SECTIONS_HELP, render_kw={"rows": 18})}

    def shipped_missing(self) -> list[Shipped]:
        return [Shipped(t["name"], template_title(t["name"])) for t in missing_defaults()]

    def add_shipped_row(self, key: str) -> int | None:
        ensure_defaults({key})
        return db.session.scalar(select(NoteTemplate.id).where(NoteTemplate.name == key)) \
            if any(t["name"] == key for t in DEFAULT_TEMPLATES) else None
