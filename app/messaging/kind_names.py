"""A message template's kind and audience in words ("reminder" → "Reminder", "provider" →
"To the provider"), translated when shown: screens show these, never the stored codes."""
from __future__ import annotations

from flask_babel import gettext

from app.i18n import N_
from app.messaging.template_defaults import SMS_PREFIX

KINDS = {
    "confirmation": N_("Booking confirmation"), "change": N_("Booking changed"),
    "cancellation": N_("Booking canceled"), "reminder": N_("Reminder"), "no_show": N_("Missed visit"),
    "invoice": N_("Invoice"), "login_code": N_("Sign-in code"), "waitlist_offer": N_("Waitlist offer"),
    "form_request": N_("Form request"), "form_reminder": N_("Form reminder"),
    "review_request": N_("Review request"),
}
AUDIENCES = {"client": N_("to the client"), "provider": N_("to the provider")}


def kind_words(kind: str) -> str:
    """ "sms_reminder" → "Reminder (text message)"; an unknown kind in plain words."""
    base = kind.removeprefix(SMS_PREFIX)
    words = gettext(KINDS[base]) if base in KINDS else base.replace("_", " ").capitalize()
    return gettext("%(kind)s (text message)", kind=words) if kind.startswith(SMS_PREFIX) else words


def audience_words(audience: str) -> str:
    return gettext(AUDIENCES[audience]) if audience in AUDIENCES else audience
