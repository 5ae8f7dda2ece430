"""The client form's messaging part: how the client wants to hear from the clinic and
their consent to texts, recorded through app.messaging.consent (date and source)."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.messaging import consent
from app.models import Client

COLUMNS = ["message_channel", "text_consent"]
SHOW_COLUMNS = ["message_channel", "text_consent_at", "text_consent_source", "text_opted_out_at"]
LABELS = {"message_channel": "Messages by", "text_consent": "Agreed to text messages",
          "text_consent_at": "Consent to texts given", "text_consent_source": "Consent given through",
          "text_opted_out_at": "Opted out of texts"}
DESCRIPTIONS = {
    "message_channel": "Texts go only with consent and where the location sends texts; otherwise email.",
    "text_consent": "Tick when the client agrees (recorded now, as given to staff); untick when they withdraw. "
                    "A reply STOP withdraws it too, START gives it again.",
}


class TextConsentMixin:
    """For ClientView: the two form fields and what saving them records."""

    def _text_form_fields(self) -> dict:
        return {
            "message_channel": SelectField(LABELS["message_channel"], choices=[SelectChoice(k, v) for k, v in consent.PREFERENCES.items()],
                                           default="email", widget=Select2Widget(),
                                           description=DESCRIPTIONS["message_channel"]),
            "text_consent": BooleanField(LABELS["text_consent"], default=False,
                                         description=DESCRIPTIONS["text_consent"]),
        }

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        client = db.session.get(Client, pk)
        if client is not None and hasattr(form, "text_consent"):
            form.text_consent.data = consent.has_consent(client)

    def pre_add(self, item):
        super().pre_add(item)
        self._record_consent(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._record_consent(item)

    def _record_consent(self, item: Client) -> None:
        wanted = item.__dict__.pop("text_consent", None)  # the form's box, not a column
        if wanted is None:
            return
        if wanted and not consent.has_consent(item):
            consent.give_consent(item, "staff")
        elif not wanted and consent.has_consent(item):
            consent.withdraw_consent(item)


FORMATTERS = {
    "message_channel": lambda value: consent.PREFERENCES.get(value or "email", value),
    "text_consent_source": lambda value: consent.SOURCES.get(value or "", value or ""),
}
