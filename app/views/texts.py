"""Text message screens (menu Messages): each location's text settings, and the SMS
templates with a live length and segment count. Rules live in app.messaging
(consent, segments, templates); these views collect input and show results."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterStartsWith
from flask_appbuilder.models.sqla.interface import SQLAInterface
from jinja2 import TemplateError
from markupsafe import Markup
from wtforms import TimeField
from wtforms.validators import Optional, ValidationError

from app.csrf import require_csrf
from app.extensions import db
from app.messaging import consent, segments, templates
from app.messaging.kind_names import kind_words
from app.models import LocationTextSettings, MessageTemplate
from app.security import MESSAGE_SETUP
from app.setup.validation import InvalidValue, check_phone
from app.views.base import PlinthModelView
from app.views.forms import Rule
from app.views.shipped import ShippedMessageTemplates


def check_text_kinds(value: str | None) -> str:
    kinds = [k.strip().lower().replace("-", "_").replace(" ", "_") for k in (value or "").split(",") if k.strip()]
    known = consent.TEXT_KINDS + consent.REMINDER_NUMBERS
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise InvalidValue(f"Unknown message kind(s): {', '.join(unknown)}. Use {', '.join(consent.TEXT_KINDS)}, "
                           "or reminder_1 … reminder_5 for one reminder of the plan.")
    return ",".join(k for k in known if k in kinds)


def _required_phone(value):
    if not value:
        raise InvalidValue("Give the number texts are sent from (e.g. +14165550000).")
    return check_phone(value)


def _both_or_neither(form, field) -> None:
    if (form.quiet_start.data is None) != (form.quiet_end.data is None):
        raise ValidationError("Give both the start and the end of the quiet hours, or neither.")


class LocationTextSettingsView(PlinthModelView):
    datamodel = SQLAInterface(LocationTextSettings)
    class_permission_name = MESSAGE_SETUP
    list_columns = ["location", "sender_number", "whatsapp_enabled", "quiet_start", "quiet_end", "text_kinds"]
    search_columns = ["location", "sender_number", "whatsapp_enabled", "text_kinds"]
    add_columns = edit_columns = show_columns = ["location", "sender_number", "whatsapp_enabled", "whatsapp_sender",
                                                 "quiet_start", "quiet_end", "text_kinds"]
    label_columns = {"sender_number": "Sender number", "whatsapp_enabled": "By WhatsApp",
                     "whatsapp_sender": "WhatsApp sender", "quiet_start": "Quiet from", "quiet_end": "Quiet until",
                     "text_kinds": "Sent by text"}
    description_columns = {
        "sender_number": "Your Twilio number for this location, in any format (saved as +1...).",
        "whatsapp_enabled": "Send the texts through WhatsApp (same Twilio account) instead of SMS.",
        "whatsapp_sender": "Blank: the sender number.",
        "quiet_start": "No text between these times on the location's clock (e.g. 21:00 to 08:00). A message "
                       "due then goes at the end; a reminder that would then arrive after the visit is not sent.",
        "text_kinds": "Which messages go by text to clients who prefer texts and agreed: "
                      + ", ".join(consent.TEXT_KINDS) + " (all reminders), or reminder_1 … reminder_5 (one reminder "
                      "of the plan, e.g. the last). The others go by email.",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "quiet_start": TimeField("Quiet from", validators=[Optional(), _both_or_neither]),
        "quiet_end": TimeField("Quiet until", validators=[Optional()]),
    }
    validators_columns = {"sender_number": [Rule(_required_phone)],
                          "whatsapp_sender": [Rule(check_phone)], "text_kinds": [Rule(check_text_kinds)]}


def _posted_text() -> str:
    """The edited text: a JSON body from the page's script (common/api.js), or a form field."""
    body = request.get_json(silent=True)
    text = body.get("body_text") if isinstance(body, dict) else request.form.get("body_text")
    return text if isinstance(text, str) else ""


def _counted(value) -> Markup:
    counted = segments.count(value or "")
    return Markup("{} characters · {} segment(s) · {}").format(counted.characters, counted.segments,
                                                                counted.encoding)


def _text_template_usable(form, field) -> None:
    row = db.session.get(MessageTemplate, (request.view_args or {}).get("pk"))
    problems = templates.check(templates.Template("", field.data or "", ""), row.kind if row else "")
    if problems:
        raise ValidationError(" ".join(problems))


class TextTemplateView(ShippedMessageTemplates, PlinthModelView):
    """The SMS / WhatsApp templates (kind ``sms_*``): one plain text each; Plinth's own until
    one is edited (``ShippedRows``)."""

    texts = True
    datamodel = SQLAInterface(MessageTemplate)
    class_permission_name = MESSAGE_SETUP
    include_route_methods = {"list", "show", "edit", "count", "add_shipped"}
    method_permission_name = {**PlinthModelView.method_permission_name, "count": "read", "add_shipped": "write"}
    base_filters = [["kind", FilterStartsWith, templates.SMS_PREFIX]]
    base_order = ("kind", "asc")
    list_columns = ["kind", "body_text", "updated_at"]
    show_columns = ["kind", "body_text", "updated_at"]
    edit_columns = ["body_text"]
    label_columns = {"body_text": "Text", "updated_at": "Changed"}
    description_columns = {
        "body_text": "Jinja syntax: {{ client_name }}, {{ service }}, {{ date_short }}, {{ time }}, {{ visit_day }}, "
                     "{{ location_name }}, {{ manage_url }} (a short link), {{ clinic.name }}. Every 160 "
                     "characters (70 with an accent or emoji outside the GSM alphabet) is one more paid segment.",
    }
    formatters_columns = {"kind": kind_words, "body_text": lambda v: Markup('<pre style="white-space:pre-wrap">{}</pre>{}').format(
        v or "", _counted(v))}
    edit_template = "messages/text_template_edit.html"
    edit_title, show_title = "Edit text template", "Text template"

    validators_columns = {"body_text": [_text_template_usable]}

    @expose("/count/<int:pk>", methods=["POST"])
    @has_access
    def count(self, pk: int):
        """The edited text rendered with sample values, its length and segments (live)."""
        require_csrf()
        row = db.session.get(MessageTemplate, pk)
        if row is None or not templates.is_text(row.kind):
            abort(404)
        try:
            text = templates.preview(templates.Template("", _posted_text()[:5000], ""),
                                     row.kind).text.strip()
        except TemplateError as exc:
            return jsonify({"error": f"The template cannot be used: {exc}"})
        return jsonify({"text": text, **segments.count(text).as_dict()})
