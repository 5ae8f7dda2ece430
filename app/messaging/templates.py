"""Message templates: defaults shipped here, managers' versions in ``MessageTemplate``.

Managers write templates, so they are rendered in Jinja's sandbox: no attribute that
reaches Python internals, no imports, no file access. Templates only ever see plain
values (strings, numbers, dicts) prepared by app.messaging.compose, never model
objects, so even a clever template cannot walk from the client to their case notes.
HTML is autoescaped; subject and text are not (they are not HTML).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from sqlalchemy import select

from app.extensions import db
from app.models import MessageTemplate

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
        "We missed you today at {{ clinic.name }}",
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
    "no_show": "{{ clinic.name }}: we missed you today.{% if location_phone %} To rebook: {{ location_phone }}"
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
    "manage_url": "https://book.example.com/manage/sample", "date_short": "Tue 10 Mar",
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


def is_text(kind: str) -> bool:
    return kind.startswith(SMS_PREFIX)


def _sample_kind(kind: str) -> str:
    kind = template_kind(kind)
    return kind[len(SMS_PREFIX):] if is_text(kind) else kind


def _env(html: bool, strict: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=html, undefined=StrictUndefined if strict else Undefined,
                                keep_trailing_newline=False)


_LENIENT = {True: _env(True, False), False: _env(False, False)}
_STRICT = {True: _env(True, True), False: _env(False, True)}


def saved() -> dict[tuple[str, str], Template]:
    """Every manager's version, by (kind, audience): one query for a whole batch."""
    return {(row.kind, row.audience): Template(row.subject, row.body_text, row.body_html)
            for row in db.session.scalars(select(MessageTemplate))}


def template_for(kind: str, audience: str, saved_templates: dict[tuple[str, str], Template] | None = None
                 ) -> Template:
    """The manager's version if there is one (from ``saved_templates`` when the caller
    has read them already), else the default."""
    key = (template_kind(kind), audience)
    if saved_templates is None:
        row = db.session.scalar(select(MessageTemplate).where(
            MessageTemplate.kind == key[0], MessageTemplate.audience == key[1]))
        if row is not None:
            return Template(row.subject, row.body_text, row.body_html)
    elif key in saved_templates:
        return saved_templates[key]
    if key in DEFAULTS:
        return DEFAULTS[key]
    return DEFAULTS[(key[0], CLIENT)]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool, strict: bool):
    # Compiling is most of a render's cost; a template's text changes rarely.
    return (_STRICT if strict else _LENIENT)[html].from_string(source)


def warm_up() -> None:
    """Compile the defaults now. The worker calls this before it forks work horses, so
    each horse starts with them compiled instead of compiling them per job."""
    for template in DEFAULTS.values():
        _compiled(template.subject, False, False)
        _compiled(template.body_text, False, False)
        _compiled(template.body_html, True, False)


def render(template: Template, context: dict, *, strict: bool = False) -> Rendered:
    """Render the three parts; raises jinja2.TemplateError (incl. SecurityError)."""
    subject = _compiled(template.subject, False, strict).render(context)
    text = _compiled(template.body_text, False, strict).render(context)
    inner = _compiled(template.body_html, True, strict).render(context)
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
    """Problems with a manager's template (syntax, unknown variables, sandbox), for the form."""
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


def ensure_rows() -> int:
    """Give every default a row managers can edit; never touches edited rows. Idempotent."""
    existing = set(db.session.execute(select(MessageTemplate.kind, MessageTemplate.audience)).all())
    added = 0
    for (kind, audience), template in DEFAULTS.items():
        if (kind, audience) not in existing:
            db.session.add(MessageTemplate(kind=kind, audience=audience, subject=template.subject,
                                           body_text=template.body_text, body_html=template.body_html))
            added += 1
    if added:
        db.session.flush()
    return added
