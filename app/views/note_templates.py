"""Note templates, which managers define: a name, an optional discipline and the sections
as JSON (checked by ``app/clinical/templates.check_sections``). Notes copy a template's
sections when they start, so editing a template never changes an existing note."""
from __future__ import annotations

import json

from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from app.clinical.templates import check_sections, ensure_defaults
from app.errors import ValidationFailed
from app.models import NoteTemplate
from app.security import NOTE_TEMPLATES
from app.uow import unit_of_work
from app.views.base import PlinthModelView

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


class NoteTemplateView(PlinthModelView):
    datamodel = SQLAInterface(NoteTemplate)
    class_permission_name = NOTE_TEMPLATES
    exclude_route_methods = {"download", "delete", "muldelete"}  # notes point at them: retire, not delete
    list_columns = ["name", "discipline", "active"]
    add_columns = edit_columns = ["name", "discipline", "active", "sections"]
    show_columns = add_columns
    description_columns = {"active": "Inactive templates are not offered for new notes.",
                           "sections": SECTIONS_HELP}
    add_form_extra_fields = edit_form_extra_fields = {
        "sections": SectionsField("Sections", description=SECTIONS_HELP, render_kw={"rows": 18})}

    @expose("/list/")
    @has_access
    def list(self):  # noqa: A003 - FAB's name
        with unit_of_work():
            ensure_defaults()  # the shipped templates appear for the clinic to adapt
        return super().list()
