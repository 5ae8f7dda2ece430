"""Messages screens: the outbox (read, resend, cancel), notification settings,
reminder plans and templates with a preview. Changes go through app.messaging's
services; these views only collect input and show results."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_appbuilder import expose, has_access
from flask_wtf.csrf import generate_csrf
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterNotStartsWith
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup
from sqlalchemy import select
from wtforms.validators import NumberRange, ValidationError

from app.errors import DomainError
from app.csrf import require_csrf
from app.extensions import db
from app.i18n import LANGUAGES, N_
from app.messaging import outbox, template_languages, templates
from app.messaging.kind_names import audience_words, kind_words
from app.messaging.offsets import InvalidOffsets, canonical
from app.models import Message, MessageAttempt, MessageEvent, MessageTemplate, NotificationSettings, ReminderPlan
from app.security import MESSAGE_SETUP, MESSAGES, current_user
from app.setup.validation import InvalidValue
from app.uow import unit_of_work
from app.views.base import PlinthModelView, ReadOnlyModelView, SettingsRowInterface
from app.views.forms import Rule
from app.views.shipped import ShippedMessageTemplates


def _html_preview(view, value) -> Markup:
    """Rendered HTML shown in a sandboxed frame: no script, no navigation, no leaks."""
    if not value:
        return Markup("")
    # str(): a rendered body is Markup already, and escape() passes Markup through untouched,
    # which would put the template's HTML into this page instead of into the sandboxed frame.
    # A frame is named for screen readers (axe frame-title, serious).
    return Markup('<iframe sandbox="" title="{}" style="width:100%;height:420px;border:1px solid #ddd" srcdoc="{}">'
                  '</iframe>').format(_("The email as the client sees it"), str(value))


def _pre(value) -> Markup:
    return Markup('<pre style="white-space:pre-wrap">{}</pre>').format(value or "")


class MessageAttemptView(ReadOnlyModelView):
    datamodel = SQLAInterface(MessageAttempt)
    class_permission_name = MESSAGES
    list_columns = ["at", "outcome", "status_code", "detail"]
    base_order = ("id", "asc")
    label_columns = {"at": "When", "status_code": "HTTP"}


class MessageEventView(ReadOnlyModelView):
    datamodel = SQLAInterface(MessageEvent)
    class_permission_name = MESSAGES
    list_columns = ["at", "event", "detail"]
    base_order = ("id", "asc")
    label_columns = {"at": "When"}


class MessageView(PlinthModelView):
    datamodel = SQLAInterface(Message)
    class_permission_name = MESSAGES
    include_route_methods = {"list", "show", "action", "action_post", "api_read", "api_get"}
    base_permissions = ["can_read", "can_write"]
    # Actions are checked by their function's name: both change messages.
    method_permission_name = {**PlinthModelView.method_permission_name, "resend": "write", "cancel": "write"}
    base_order = ("due_at", "desc")
    list_columns = ["due_at", "kind", "channel", "audience", "to_address", "state", "attempts", "delivery_status",
                    "last_error"]
    search_columns = ["state", "kind", "audience", "to_address", "channel", "due_at", "delivery_status"]
    show_fieldsets = [
        ("Message", {"fields": ["kind", "audience", "channel", "to_address", "client", "team_member", "appointment",
                                "state", "due_at", "attempts", "sent_at", "last_error", "provider_message_id",
                                "delivery_status", "dedupe_key"]}),
        ("Content (as sent)", {"fields": ["subject", "body_text", "segments", "body_html", "ics_uid",
                                          "ics_sequence"]}),
    ]
    label_columns = {"due_at": "Due", "to_address": "To", "sent_at": "Sent",
                     "delivery_status": "Delivery", "last_error": "Last error / reason",
                     "provider_message_id": "Provider's id", "segments": "SMS segments", "body_text": "Text", "body_html": "HTML",
                     "ics_uid": "Invite UID", "ics_sequence": "Invite sequence"}
    formatters_columns = {"body_html": lambda v: _html_preview(None, v), "body_text": _pre}
    related_views = [MessageAttemptView, MessageEventView]
    show_template = "appbuilder/general/model/show_cascade.html"

    @action("resend", "Send again", "Send the selected messages again now?", "fa-repeat")
    def resend(self, items):
        return self._apply(outbox.resend, items, N_("Queued again: %(n)s message(s)."))

    @action("cancel", "Cancel sending", "Stop the selected messages from going out?", "fa-ban")
    def cancel(self, items):
        return self._apply(outbox.cancel, items, N_("Canceled: %(n)s message(s)."))

    def _apply(self, service, items, done: str):
        items = items if isinstance(items, list) else [items]
        user = current_user()
        try:
            with unit_of_work():
                n = service([m.id for m in items], actor_id=getattr(user, "id", None))
            flash(_(done, n=n), "success")
        except DomainError as exc:
            flash(exc.message, "danger")
        return redirect(request.referrer or url_for(f"{self.endpoint}.list"))


def _delay(form, field) -> None:
    if field.data is None:
        raise ValidationError("Give the delay in minutes (0 for none).")


class NotificationSettingsView(PlinthModelView):
    datamodel = SettingsRowInterface(NotificationSettings)
    class_permission_name = MESSAGE_SETUP
    include_route_methods = {"list", "show", "edit"}
    list_columns = ["confirmation_enabled", "change_enabled", "cancellation_enabled", "no_show_enabled",
                    "reminders_enabled", "providers_enabled", "new_booking_delay_minutes", "from_email"]
    edit_columns = show_columns = list_columns
    label_columns = {
        "confirmation_enabled": "New booking", "change_enabled": "Rescheduled",
        "cancellation_enabled": "Canceled", "no_show_enabled": "No-show", "reminders_enabled": "Reminders",
        "providers_enabled": "Tell providers too", "new_booking_delay_minutes": "New-booking delay (minutes)",
        "from_email": "Sender address",
    }
    description_columns = {
        "new_booking_delay_minutes": "Booking and change messages wait this long, so the front desk can finish "
                                     "editing: the client gets one message with the final details, or none if "
                                     "the booking is canceled meanwhile.",
        "providers_enabled": "Each provider can still turn each kind off for themselves (Setup → Team).",
        "from_email": "Blank: the clinic's email address from the clinic settings.",
    }
    validators_columns = {"new_booking_delay_minutes": [_delay, NumberRange(0, 1440, "Between 0 and 1440 minutes.")]}

    @expose("/list/")
    @has_access
    def list(self):
        # One row; the list is only a way into its form (the defaults until the first save).
        return redirect(url_for(f"{self.endpoint}.edit", pk=1))


def _check_offsets(value):
    try:
        return canonical(value)
    except InvalidOffsets as exc:
        raise InvalidValue(str(exc)) from exc


def _one_plan_per_pair(form, field) -> None:
    location = form.location.data
    session_type = form.session_type.data
    if location is None:
        return
    query = select(ReminderPlan.id).where(
        ReminderPlan.location_id == location.id,
        ReminderPlan.session_type_id == session_type.id if session_type else ReminderPlan.session_type_id.is_(None))
    existing = db.session.scalar(query)
    if existing is not None and str(existing) != str(request.view_args.get("pk")):
        raise ValidationError("This location already has a plan for that; edit it instead.")


class ReminderPlanView(PlinthModelView):
    datamodel = SQLAInterface(ReminderPlan)
    class_permission_name = MESSAGE_SETUP
    list_columns = ["location", "session_type", "offsets"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"session_type": "Session type (blank: all)", "offsets": "Reminders before"}
    description_columns = {
        "offsets": "Up to five, e.g. “7d, 24h, 2h”, counted on the location's clock (24h before 09:00 is "
                   "09:00 the day before, also across a DST change). Leave blank for none.",
        "session_type": "Blank: the location's default. A session type's own plan replaces it.",
    }
    validators_columns = {"offsets": [Rule(_check_offsets)], "location": [_one_plan_per_pair]}


def _template_usable(form, field) -> None:
    row = db.session.get(MessageTemplate, (request.view_args or {}).get("pk"))
    kind = row.kind if row is not None else ""
    item = templates.Template(form.subject.data or "", form.body_text.data or "", form.body_html.data or "")
    problems = templates.check(item, kind)
    if problems:
        raise ValidationError(" ".join(problems))


class MessageTemplateView(ShippedMessageTemplates, PlinthModelView):
    """The email templates: managers' rows, and Plinth's own until one is edited (``ShippedRows``)."""

    datamodel = SQLAInterface(MessageTemplate)
    class_permission_name = MESSAGE_SETUP
    include_route_methods = {"list", "show", "edit", "preview", "reset", "add_language", "add_shipped"}
    method_permission_name = {**PlinthModelView.method_permission_name, "preview": "read", "reset": "write",
                              "add_language": "write", "add_shipped": "write"}
    base_order = ("kind", "asc")
    base_filters = [["kind", FilterNotStartsWith, templates.SMS_PREFIX]]  # texts: TextTemplateView
    list_columns = ["kind", "audience", "language", "subject", "updated_at", "preview_path"]
    show_columns = ["kind", "audience", "language", "subject", "body_text", "body_html", "updated_at"]
    edit_columns = ["subject", "body_text", "body_html"]
    label_columns = {"body_text": "Plain text", "body_html": "HTML", "updated_at": "Changed",
                     "preview_path": "Preview"}
    description_columns = {
        "subject": "Jinja syntax, e.g. {{ client_name }}, {{ when }}, {{ service }}, {{ clinic.name }}.",
        "body_html": "Inside the clinic's branded frame. Values are escaped automatically.",
    }
    validators_columns = {"body_html": [_template_usable]}
    # Kinds, audiences and languages in words, translated, as the preview names them (kind_names.py).
    formatters_columns = {"body_text": _pre, "body_html": _pre, "kind": kind_words, "audience": audience_words,
                          "language": lambda code: LANGUAGES.get(code, code),
                          "preview_path": lambda path: Markup('<a href="{}">{}</a>').format(path, _("Preview"))}

    @expose("/preview/<int:pk>")
    @has_access
    def preview(self, pk: int):
        row = db.session.get(MessageTemplate, pk)
        if row is None:
            abort(404)
        try:
            rendered = templates.preview(templates.Template(row.subject, row.body_text, row.body_html), row.kind)
            error = None
        except Exception as exc:  # shown to the manager, who is fixing it
            rendered, error = None, str(exc)
        return self.render_template("messages/preview.html", row=row, rendered=rendered, error=error,
                                    frame=_html_preview(None, rendered.html) if rendered else "",
                                    form_token=generate_csrf(), versions=template_languages.versions(row),
                                    language_names=LANGUAGES, kind_words=kind_words, audience_words=audience_words)

    @expose("/language/<int:pk>", methods=["POST"])
    @has_access
    def add_language(self, pk: int):
        """This message in another language: the version there, else a new one to edit."""
        require_csrf()
        row = db.session.get(MessageTemplate, pk)
        if row is None:
            abort(404)
        try:
            with unit_of_work():
                version = template_languages.add_version(row, request.form.get("language", ""))
                version_id = version.id
        except DomainError as exc:
            flash(" ".join([exc.message, *(p.message for p in getattr(exc, "problems", []))]), "danger")
            return redirect(url_for(f"{self.endpoint}.preview", pk=pk))
        return redirect(url_for(f"{self.endpoint}.edit", pk=version_id))

    @expose("/reset/<int:pk>", methods=["POST"])
    @has_access
    def reset(self, pk: int):
        require_csrf()
        row = db.session.get(MessageTemplate, pk)
        if row is None or template_languages.default_for(row) is None:
            abort(404)
        default = template_languages.default_for(row)
        with unit_of_work():
            row.subject, row.body_text, row.body_html = default.subject, default.body_text, default.body_html
        flash(_("Back to the default text."), "success")
        return redirect(url_for(f"{self.endpoint}.preview", pk=pk))
