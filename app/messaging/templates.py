"""Message templates: defaults shipped here, managers' versions in ``MessageTemplate``.

Managers write templates, so they are rendered in Jinja's sandbox: no attribute that
reaches Python internals, no imports, no file access. Templates only ever see plain
values (strings, numbers, dicts) prepared by app.messaging.compose, never model
objects, so even a clever template cannot walk from the client to their case notes.
HTML is autoescaped; subject and text are not (they are not HTML).
"""
from __future__ import annotations

import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, update_wrapper

from flask import current_app, has_app_context
from jinja2 import StrictUndefined, TemplateError, TemplateRuntimeError, Undefined, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer
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


# --- limits: a manager's template may not take the worker's memory or time ------------
_DEFAULT_LIMITS = {"PLINTH_TEMPLATE_MAX_CHARS": 20000, "PLINTH_TEMPLATE_MAX_RANGE": 1000,
                   "PLINTH_TEMPLATE_RENDER_MS": 1000}
_LOOP_ITEMS = 100_000  # loop iterations per render, all loops together
_deadline: ContextVar[tuple[float, list[int]] | None] = ContextVar("plinth_template_deadline", default=None)


def _limit(name: str) -> int:
    return current_app.config[name] if has_app_context() else _DEFAULT_LIMITS[name]


def _max_output() -> int:
    return 10 * _limit("PLINTH_TEMPLATE_MAX_CHARS")


def _tick(steps: int = 1) -> None:
    budget = _deadline.get()
    if budget is None:
        return
    budget[1][0] += steps
    if budget[1][0] > _LOOP_ITEMS or time.monotonic() > budget[0]:
        raise SecurityError("the template takes too long to render (loops or calls without end?)")


def _range(*args: int) -> range:
    items = range(*args)
    if len(items) > _limit("PLINTH_TEMPLATE_MAX_RANGE"):
        raise SecurityError(f"range() of {len(items)} items; at most {_limit('PLINTH_TEMPLATE_MAX_RANGE')}")
    return items


def _guarded(items):
    for item in items:
        _tick()
        yield item


def _sizes_ok(*args) -> None:
    if any(isinstance(a, int) and not isinstance(a, bool) and abs(a) > _max_output() for a in args):
        raise SecurityError(f"a number above {_max_output()} where a width or count is expected")


_WIDE_FORMAT = re.compile(r"%[-+ #0]*\d{5,}|%[^%]*\.\d{5,}|\{[^{}]*:[^{}]*\d{5,}[^{}]*\}")


def _precheck(name: str, text, args) -> None:
    """What would be built before its size could be seen: wide formats, big replaces."""
    _sizes_ok(*args)
    if not isinstance(text, str):
        return
    if name in ("format", "format_map") and _WIDE_FORMAT.search(text):
        raise SecurityError("a format width too large")
    if name == "replace" and len(args) >= 2 and len(text) * max(len(str(args[1])), 1) > _max_output():
        raise SecurityError(f"a replacement beyond {_max_output()} characters")


class _LoopGuard(NodeTransformer):
    """Every {% for %} iterates through _guarded(), so all loops share one budget."""

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name("_plinth_loop", "load"), [node.iter], [], None, None)
        return node


class _LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with limits on size, ranges, loops, repetition and render time."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **kw):
        super().__init__(**kw)
        self.globals.update(range=_range, _plinth_loop=_guarded)
        for name, func in list(self.filters.items()):
            self.filters[name] = self._checked_filter(name, func)

    @staticmethod
    def _checked_filter(name, func):
        skip = 2 if hasattr(func, "jinja_pass_arg") else 1  # (context,) value, then the arguments

        def checked(*args, **kwargs):
            _precheck(name, args[skip - 1] if len(args) >= skip else None, [*args[skip:], *kwargs.values()])
            return func(*args, **kwargs)
        return update_wrapper(checked, func)

    def _parse(self, source, name, filename):
        return _LoopGuard().visit(super()._parse(source, name, filename))

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and (
                right * max(abs(left).bit_length(), 1) > 4096):
            raise SecurityError("a power too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > _max_output():
                    raise SecurityError(f"repeating text beyond {_max_output()} characters")
        if operator == "%":
            _precheck("format", left, ())
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        # "...".format / format_map: the text is checked before Jinja's safe formatter runs.
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _precheck("format", getattr(value, "__self__", None), ())
        return wrapped

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _tick()
        _precheck(getattr(__obj, "__name__", ""), getattr(__obj, "__self__", None), [*args, *kwargs.values()])
        return super().call(__context, __obj, *args, **kwargs)


def is_text(kind: str) -> bool:
    return kind.startswith(SMS_PREFIX)


def _sample_kind(kind: str) -> str:
    kind = template_kind(kind)
    return kind[len(SMS_PREFIX):] if is_text(kind) else kind


def _env(html: bool, strict: bool) -> SandboxedEnvironment:
    return _LimitedSandbox(autoescape=html, undefined=StrictUndefined if strict else Undefined,
                           keep_trailing_newline=False)


def _render_limited(source: str, html: bool, strict: bool, context: dict) -> str:
    """Render within the limits; SecurityError (a TemplateError) when one is passed."""
    if len(source) > _limit("PLINTH_TEMPLATE_MAX_CHARS"):
        raise SecurityError(f"the template has {len(source)} characters; at most {_limit('PLINTH_TEMPLATE_MAX_CHARS')}")
    token = _deadline.set((time.monotonic() + _limit("PLINTH_TEMPLATE_RENDER_MS") / 1000, [0]))
    try:
        parts, size = [], 0
        for chunk in _compiled(source, html, strict).generate(context):
            size += len(chunk)
            if size > _max_output():
                raise SecurityError(f"the message would be longer than {_max_output()} characters")
            _tick(0)
            parts.append(chunk)
        return "".join(parts)
    except RecursionError:
        raise SecurityError("the template calls itself without end") from None
    except TemplateError:
        raise
    except Exception as exc:  # {{ 1/0 }}, "{}".format(), ...: the template is wrong, not Plinth
        raise TemplateRuntimeError(f"{type(exc).__name__}: {exc}") from None
    finally:
        _deadline.reset(token)


_LENIENT = {True: _env(True, False), False: _env(False, False)}
_STRICT = {True: _env(True, True), False: _env(False, True)}


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


def ensure_rows() -> int:
    """Give every default a row managers can edit; never touches edited rows. Idempotent."""
    existing = set(db.session.execute(select(MessageTemplate.kind, MessageTemplate.audience)
                                      .where(MessageTemplate.language == "en")).all())
    added = 0
    for (kind, audience), template in DEFAULTS.items():
        if (kind, audience) not in existing:
            db.session.add(MessageTemplate(kind=kind, audience=audience, subject=template.subject,
                                           body_text=template.body_text, body_html=template.body_html))
            added += 1
    if added:
        db.session.flush()
    return added
