"""The message templates shipped with Plinth (English; other languages in
``translated_defaults.py``), the text-message defaults, and the sample values a
manager's preview renders with."""
from __future__ import annotations

from dataclasses import dataclass

CLIENT, PROVIDER = "client", "provider"


@dataclass(frozen=True)
class Template:
    subject: str
    body_text: str
    body_html: str


_APPT_TEXT = """{{ service }} with {{ provider_name }}
{{ when }} ({{ duration }} minutes)
{{ location_name }}{% if location_address %}, {{ location_address }}{% endif %}"""
_APPT_HTML = """<p><strong>{{ service }}</strong> with {{ provider_name }}<br>
{{ when }} ({{ duration }} minutes)<br>
{{ location_name }}{% if location_address %}, {{ location_address }}{% endif %}</p>"""
_MANAGE_TEXT = "{% if manage_url %}\n\nTo change or cancel: {{ manage_url }}{% endif %}"
_MANAGE_HTML = '{% if manage_url %}<p><a href="{{ manage_url }}">Change or cancel</a></p>{% endif %}'
_SIGN_TEXT = "\n\n{{ clinic.name }}{% if clinic.phone %} · {{ clinic.phone }}{% endif %}"

DEFAULTS: dict[tuple[str, str], Template] = {
    ("confirmation", CLIENT): Template(
        "Your appointment at {{ clinic.name }}: {{ when }}",
        "Hello {{ client_name }},\n\nYour appointment is booked:\n\n" + _APPT_TEXT + _MANAGE_TEXT + _SIGN_TEXT,
        "<p>Hello {{ client_name }},</p><p>Your appointment is booked:</p>" + _APPT_HTML + _MANAGE_HTML),
    ("change", CLIENT): Template(
        "Your appointment has changed: {{ when }}",
        "Hello {{ client_name }},\n\nYour appointment is now:\n\n" + _APPT_TEXT + _MANAGE_TEXT + _SIGN_TEXT,
        "<p>Hello {{ client_name }},</p><p>Your appointment is now:</p>" + _APPT_HTML + _MANAGE_HTML),
    ("cancellation", CLIENT): Template(
        "Your appointment on {{ when }} is canceled",
        "Hello {{ client_name }},\n\nThis appointment is canceled:\n\n" + _APPT_TEXT
        + "\n\nCall us to book another time." + _SIGN_TEXT,
        "<p>Hello {{ client_name }},</p><p>This appointment is canceled:</p>" + _APPT_HTML
        + "<p>Call us to book another time.</p>"),
    ("no_show", CLIENT): Template(
        "We missed you {{ visit_day }} at {{ clinic.name }}",
        "Hello {{ client_name }},\n\nWe missed you at your appointment:\n\n" + _APPT_TEXT
        + "\n\nPlease contact us to book again." + _SIGN_TEXT,
        "<p>Hello {{ client_name }},</p><p>We missed you at your appointment:</p>" + _APPT_HTML
        + "<p>Please contact us to book again.</p>"),
    ("reminder", CLIENT): Template(
        "Reminder: {{ service }} on {{ when }}",
        "Hello {{ client_name }},\n\nA reminder of your appointment in {{ reminder_in }}:\n\n" + _APPT_TEXT
        + _MANAGE_TEXT + _SIGN_TEXT,
        "<p>Hello {{ client_name }},</p><p>A reminder of your appointment in {{ reminder_in }}:</p>"
        + _APPT_HTML + _MANAGE_HTML),
    ("confirmation", PROVIDER): Template(
        "New booking: {{ client_name }}, {{ when }}",
        "New booking on your calendar:\n\n{{ client_name }}\n" + _APPT_TEXT,
        "<p>New booking on your calendar:</p><p>{{ client_name }}</p>" + _APPT_HTML),
    ("change", PROVIDER): Template(
        "Changed: {{ client_name }}, now {{ when }}",
        "An appointment on your calendar changed:\n\n{{ client_name }}\n" + _APPT_TEXT,
        "<p>An appointment on your calendar changed:</p><p>{{ client_name }}</p>" + _APPT_HTML),
    ("cancellation", PROVIDER): Template(
        "Canceled: {{ client_name }}, {{ when }}",
        "An appointment on your calendar was canceled:\n\n{{ client_name }}\n" + _APPT_TEXT,
        "<p>An appointment on your calendar was canceled:</p><p>{{ client_name }}</p>" + _APPT_HTML),
    ("no_show", PROVIDER): Template(
        "No-show: {{ client_name }}, {{ when }}",
        "Marked as no-show:\n\n{{ client_name }}\n" + _APPT_TEXT,
        "<p>Marked as no-show:</p><p>{{ client_name }}</p>" + _APPT_HTML),
    ("invoice", CLIENT): Template(
        "Invoice {{ invoice_number }} from {{ clinic.name }}",
        "Hello {{ client_name }},\n\nYour invoice {{ invoice_number }}{% if amount %} for {{ amount }}{% endif %}"
        " is attached." + _SIGN_TEXT,
        "<p>Hello {{ client_name }},</p><p>Your invoice {{ invoice_number }}{% if amount %} for {{ amount }}"
        "{% endif %} is attached.</p>"),
    ("login_code", CLIENT): Template(
        "Your {{ clinic.name }} sign-in code: {{ code }}",
        "Your sign-in code is {{ code }}. It works for {{ minutes }} minutes.\n\n"
        "If you did not ask for it, ignore this email." + _SIGN_TEXT,
        "<p>Your sign-in code is <strong style=\"font-size:1.4em\">{{ code }}</strong>.</p>"
        "<p>It works for {{ minutes }} minutes. If you did not ask for it, ignore this email.</p>"),
    ("waitlist_offer", CLIENT): Template(
        "A time opened up: {{ service }} on {{ when }}",
        "Good news: {{ service }}{% if provider %} with {{ provider }}{% endif %} on {{ when }} is free.\n\n"
        "Claim it here (first come, first served): {{ claim_url }}" + _SIGN_TEXT,
        "<p>Good news: <strong>{{ service }}</strong>{% if provider %} with {{ provider }}{% endif %}"
        " on {{ when }} is free.</p><p><a href=\"{{ claim_url }}\">Claim this time</a> (first come, first served)</p>"),
}

# Text messages (SMS, WhatsApp): only the plain text is used. Kept short: every
# character past 160 (70 with an accent or emoji) starts another paid segment.
SMS_PREFIX = "sms_"
_SMS_MANAGE = "{% if manage_url %} Change/cancel: {{ manage_url }}{% endif %}"
_SMS = {
    "confirmation": "{{ clinic.name }}: {{ service }} booked {{ date_short }} {{ time }}, {{ location_name }}."
                    + _SMS_MANAGE,
    "change": "{{ clinic.name }}: your {{ service }} is now {{ date_short }} {{ time }}, {{ location_name }}."
              + _SMS_MANAGE,
    "cancellation": "{{ clinic.name }}: your {{ service }} on {{ date_short }} {{ time }} is canceled."
                    "{% if location_phone %} To rebook: {{ location_phone }}{% endif %}",
    "no_show": "{{ clinic.name }}: we missed you {{ visit_day }}.{% if location_phone %} To rebook: {{ location_phone }}"
               "{% endif %}",
    "reminder": "Reminder: {{ service }} {{ date_short }} {{ time }}, {{ location_name }}." + _SMS_MANAGE
                + " Reply STOP to opt out.",
    "login_code": "{{ code }} is your {{ clinic.name }} sign-in code ({{ minutes }} min).",
}
for _kind, _text in _SMS.items():
    DEFAULTS[(SMS_PREFIX + _kind, CLIENT)] = Template("", _text, "")

# What a manager's preview renders with (and what a saved template is checked against).
_APPT_SAMPLE = {
    "client_name": "Alex", "provider_name": "Maya Chen", "service": "Physiotherapy follow-up",
    "when": "Tuesday 10 March 2026 at 09:30 EDT", "date": "Tuesday 10 March 2026", "time": "09:30",
    "timezone": "America/Toronto", "duration": 30, "location_name": "Toronto",
    "location_address": "100 King St W, Toronto", "location_phone": "+1 416 555 0100",
    "manage_url": "https://book.example.com/manage/sample", "date_short": "Tue 10 Mar", "visit_day": "today",
}
SAMPLES: dict[str, dict] = {
    "confirmation": _APPT_SAMPLE, "change": _APPT_SAMPLE, "cancellation": _APPT_SAMPLE,
    "no_show": _APPT_SAMPLE, "reminder": {**_APPT_SAMPLE, "reminder_in": "24 hours"},
    "invoice": {"client_name": "Alex", "invoice_number": "TOR-000123", "amount": "$90.00"},
    "login_code": {"code": "482913", "minutes": 10},
    "waitlist_offer": {"service": "Massage 60 min", "when": "Friday 13 March 2026 at 14:00 EDT",
                       "provider": "Maya Chen", "claim_url": "https://book.example.com/claim/sample"},
}
SAMPLE_SHORT_LINK = "https://book.example.com/m/3f.k9XbQ2mTzA"
SAMPLE_CLINIC = {"name": "Plinth Demo Clinic", "phone": "+1 416 555 0100", "email": "hello@clinic.example.com",
                 "website": "", "colour": "#2f6f8f"}


def template_kind(kind: str) -> str:
    """reminder_1..reminder_5 share the reminder template (by email and by text)."""
    if kind.startswith(SMS_PREFIX):
        return SMS_PREFIX + template_kind(kind[len(SMS_PREFIX):])
    return "reminder" if kind.startswith("reminder") else kind
