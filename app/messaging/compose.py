"""What a message says, worked out at send time from the current state of things.

The template context is built from plain values only, and only what a message needs:
names, the service, time and place, clinic contact details. Never the case title,
notes or client alerts — not in the body, not in provider metadata.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import time
from types import SimpleNamespace

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import force_locale, gettext
from jinja2 import TemplateError
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.i18n import formatting
from app.i18n.locales import bcp47, language_for
from app.messaging import attachments, ics, segments, templates
from app.messaging.channels import TEXT_CHANNELS, Channel, Envelope, channel_for
from app.messaging.offsets import describe
from app.models import (
    Appointment,
    CalendarKind,
    Location,
    LocationTextSettings,
    Message,
    MessageState,
    read_clinic_settings,
)
from app.timeutil import local_today, to_local, utcnow

log = logging.getLogger(__name__)

INVITE_KINDS = {"confirmation": ics.REQUEST, "change": ics.REQUEST, "cancellation": ics.CANCEL}
NO_MANAGE_LINK = {"cancellation", "no_show"}


@dataclass
class Snapshot:
    """The clinic-wide things a message needs that do not depend on the message: the
    notification switches, branding, sender, managers' templates and the channels.

    A batch of deliveries reads them once (three queries) instead of per message; the
    batch lasts at most ``PLINTH_OUTBOX_BATCH_SECONDS``, so a manager's change reaches
    messages within that time. Plain values only: the objects behind them expire at
    every commit, these do not.
    """

    settings: SimpleNamespace
    clinic: dict
    clinic_name: str
    clinic_email: str
    sender: str
    saved_templates: dict[tuple[str, str, str], templates.Template]
    # Per location id: its text settings (sender, quiet hours) and time zone.
    texts: dict[int, "TextSetup"] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    # Per location id: the language its patients' messages default to (None: English).
    languages: dict[int, str | None] = field(default_factory=dict)
    # Per location id: its phone, given in messages about it (an invoice) that have no visit.
    phones: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    def read(cls) -> "Snapshot":
        from app.messaging.settings import notification_settings

        settings, clinic = notification_settings(), read_clinic_settings()
        sender = settings.from_email or clinic.email or current_app.config.get(
            "PLINTH_MAIL_FROM", "no-reply@plinth.invalid")
        return cls(settings=_plain(settings), clinic=clinic_context(clinic), clinic_name=clinic.clinic_name,
                   clinic_email=clinic.email or "", sender=sender, saved_templates=templates.saved(),
                   **read_locations())

    def channel(self, name: str) -> Channel:
        if name not in self.channels:  # a batch's send threads may ask at once: keep one
            self.channels.setdefault(name, channel_for(name))
        return self.channels[name]


@dataclass(frozen=True)
class TextSetup:
    sender: str
    whatsapp_sender: str
    quiet_start: time | None
    quiet_end: time | None
    zone: str


def read_locations() -> dict:
    """Per location, in one query: its text settings (if any) and its patients' language."""
    rows = db.session.execute(select(Location.id, Location.timezone, Location.language, Location.phone,
                                     LocationTextSettings)
                              .outerjoin(LocationTextSettings, LocationTextSettings.location_id == Location.id)).all()
    texts = {location_id: TextSetup(row.sender_number, row.whatsapp_sender or row.sender_number,
                                    row.quiet_start, row.quiet_end, zone)
             for location_id, zone, _language, _phone, row in rows if row is not None}
    return {"texts": texts, "languages": {location_id: language for location_id, _zone, language, _phone, _row in rows},
            "phones": {location_id: phone for location_id, _zone, _language, phone, _row in rows}}


def _plain(row) -> SimpleNamespace:
    return SimpleNamespace(**{attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs})


@dataclass
class Composed:
    """An envelope ready for its channel, and what is stored on the row once sent."""

    envelope: Envelope
    stored: dict


def message_language(message: Message, snapshot: Snapshot) -> str:
    """A client's message is in their language, else their location's; a provider's in the
    location's (app/i18n/locales.language_for)."""
    location = SimpleNamespace(language=snapshot.languages.get(message.location_id))
    client = message.client if message.audience == "client" else None
    return language_for(client, location)


# Context values stored in English whose words may be in the catalogue: the shipped forms'
# names ("Consent to treatment" reads "Consentimento para tratamento" to a Lisboa patient,
# as on the form page); a clinic's own wording has no entry and stays as written.
WORDS_IN_CATALOGUE = ("form_name",)


def compose(message: Message, snapshot: Snapshot) -> Composed:
    """The envelope for ``message`` (its appointment, client and provider already loaded
    by the caller, so this adds queries only for invites and attachments), in the
    language of whoever receives it."""
    language = message_language(message, snapshot)
    with force_locale(language):
        return _compose(message, snapshot, language)


def _compose(message: Message, snapshot: Snapshot, language: str) -> Composed:
    context = {"clinic": snapshot.clinic}
    appointment = message.appointment if message.appointment_id else None
    if appointment is not None:
        context.update(appointment_context(appointment, message))
        # The number to call is the visit's location's (a Lisboa patient is not sent
        # Toronto's): the footer, the texts' signature and the invite all read this one.
        context["clinic"] = {**snapshot.clinic, "phone": context["location_phone"] or snapshot.clinic["phone"]}
    elif snapshot.phones.get(message.location_id):  # an invoice of Lisboa's gives Lisboa's number
        context["clinic"] = {**snapshot.clinic, "phone": snapshot.phones[message.location_id]}
    if message.client is not None:
        context.setdefault("client_name", client_name_for(message.client, message.audience))
    context.update(message.context or {})
    for key in WORDS_IN_CATALOGUE:  # e.g. a shipped form's name, in the reader's language
        if context.get(key):
            context[key] = gettext(context[key])
    if message.channel in TEXT_CHANNELS:
        return _compose_text(message, context, snapshot, language)
    rendered = _render(message, context, snapshot, language=language)
    stored = {"subject": rendered.subject, "body_text": rendered.text, "body_html": rendered.html}

    files = []
    method = INVITE_KINDS.get(message.kind)
    if appointment is not None and method and message.channel == "email":
        files.append(_invite(message, appointment, method, snapshot, stored, context))
    files.extend(attachments.for_message(message))

    envelope = Envelope(
        to=message.to_address, subject=rendered.subject, text=rendered.text, html=rendered.html,
        from_address=snapshot.sender, from_name=snapshot.clinic_name, reply_to=snapshot.clinic_email or None,
        attachments=files, metadata={"plinth_message_id": str(message.id), "plinth_kind": message.kind},
        language=bcp47(language),
    )
    return Composed(envelope, stored)


def _compose_text(message: Message, context: dict, snapshot: Snapshot, language: str) -> Composed:
    """An SMS / WhatsApp message: the text template only, from the location's number."""
    kind = templates.SMS_PREFIX + message.kind
    text = _render(message, context, snapshot, kind=kind, language=language).text.strip()
    setup = text_setup(message, snapshot)
    sender = "" if setup is None else (setup.whatsapp_sender if message.channel == "whatsapp" else setup.sender)
    envelope = Envelope(to=message.to_address, subject="", text=text, from_address=sender,
                        from_name=snapshot.clinic_name,
                        metadata={"plinth_message_id": str(message.id), "plinth_kind": message.kind})
    stored = {"subject": None, "body_text": text, "body_html": None, "segments": segments.count(text).segments}
    return Composed(envelope, stored)


def text_setup(message: Message, snapshot: Snapshot) -> TextSetup | None:
    """The location's text settings; a message without a location (a login code) uses
    the first location's sender."""
    if message.location_id is not None:
        return snapshot.texts.get(message.location_id)
    return snapshot.texts[min(snapshot.texts)] if snapshot.texts else None


def _render(message: Message, context: dict, snapshot: Snapshot, kind: str | None = None,
            language: str = "en") -> templates.Rendered:
    kind = kind or message.kind
    try:
        return templates.render(templates.template_for(
            kind, message.audience, snapshot.saved_templates, language=language,
            fallback_language=snapshot.languages.get(message.location_id)), context)
    except TemplateError:
        # A manager's broken template must not stop the clinic's messages: use the default.
        log.exception("Template for %s/%s failed; the default was used", kind, message.audience)
        key = (templates.template_kind(kind), message.audience)
        return templates.render(templates.DEFAULTS.get(key) or templates.DEFAULTS[(key[0], "client")], context)


def clinic_context(clinic) -> dict:
    return {"name": clinic.clinic_name, "phone": clinic.phone or "", "email": clinic.email or "",
            "website": clinic.website or "", "colour": clinic.brand_colour or "#2f6f8f"}


def provider_of(appointment: Appointment):
    """The team member whose provider calendar the appointment holds (or None)."""
    for occupancy in appointment.occupancies:
        if occupancy.calendar.kind == CalendarKind.provider:
            return occupancy.calendar.team_member
    return None


def client_name_for(client, audience: str) -> str:
    """The client greeted by the name they go by; named in full to the team, who may
    have two Anas on the same day."""
    if audience == "client":
        return client.preferred_name or client.first_name
    return client.full_name


def appointment_context(appointment: Appointment, message: Message) -> dict:
    zone = appointment.location.timezone
    locale = formatting.output_locale()  # the message's language (compose forces it)
    start = to_local(appointment.starts_at, zone)
    day = format_date(start.date(), format="full", locale=locale)
    day_short = format_date(start.date(), format="EEE d MMM", locale=locale)
    clock = format_time(start.time(), format="HH:mm", locale=locale)
    provider = provider_of(appointment)
    client = appointment.case.client
    context = {
        "client_name": client_name_for(client, message.audience),
        "provider_name": provider.display_name if provider else "",
        "service": appointment.session_type.name,
        "when": gettext("%(day)s at %(time)s %(zone)s", day=day, time=clock, zone=f"{start:%Z}"), "date": day,
        "date_short": day_short, "time": clock, "timezone": zone,
        "visit_day": visit_day(start.date(), local_today(zone, now=utcnow()), day_short),  # the send time
        "duration": int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
        "location_name": appointment.location.name, "location_address": appointment.location.address,
        "location_phone": appointment.location.phone or "",
        "manage_url": "", "reminder_in": describe(message.offset_minutes) if message.offset_minutes else "",
    }
    if message.audience == "client" and message.kind not in NO_MANAGE_LINK:
        context["manage_url"] = _manage_url(appointment, short=message.channel in TEXT_CHANNELS)
    return context


def visit_day(day, today, day_short: str) -> str:
    """The visit's day as the reader sees it when the message is sent (not when it was
    planned): "today", "yesterday", else "on Tue 1 Dec". A no-show notice sent the next
    morning, or retried after an outage, must not say "today"."""
    if day == today:
        return gettext("today")
    if (today - day).days == 1:
        return gettext("yesterday")
    if (day - today).days == 1:
        return gettext("tomorrow")
    return gettext("on %(date)s", date=day_short)


def _manage_url(appointment: Appointment, short: bool = False) -> str:
    from app.messaging import shortlinks

    try:
        full = shortlinks.manage_url(appointment)
        if full is None:  # online booking not in this build
            return ""
        if short:  # a text pays per character: /m/<id>.<mac> redirects to the same page
            return shortlinks.short_manage_url(appointment)
        return full
    except Exception:  # a link is a convenience; never lose the message over it
        log.exception("No manage link for appointment %s", appointment.id)
        return ""


def root_appointment_id(appointment: Appointment) -> int:
    """A rebooked appointment keeps the first one's calendar UID (one event that moves)."""
    seen, current = set(), appointment
    while current.rebooked_from_id and current.rebooked_from_id not in seen:
        seen.add(current.id)
        current = db.session.get(Appointment, current.rebooked_from_id)
    return current.id


def _invite_texts(context: dict, clinic_name: str) -> tuple[str, str]:
    """The invite's summary and description in the message's language (compose forces it)."""
    summary = gettext("%(service)s at %(clinic)s", service=context["service"], clinic=clinic_name)
    lines = [gettext("%(service)s with %(provider)s", service=context["service"], provider=context["provider_name"])
             if context["provider_name"] else context["service"],
             gettext("%(when)s (%(minutes)s min)", when=context["when"], minutes=context["duration"]),
             ", ".join(p for p in (context["location_name"], context["location_address"]) if p)]
    if context["clinic"].get("phone"):
        lines.append(gettext("Phone: %(phone)s", phone=context["clinic"]["phone"]))
    if context.get("manage_url"):
        lines.append(gettext("To change or cancel: %(url)s", url=context["manage_url"]))
    return summary, "\n".join(line for line in lines if line)


def _invite(message: Message, appointment: Appointment, method: str, snapshot: Snapshot,
            stored: dict, context: dict) -> tuple[str, str, bytes]:
    uid = ics.appointment_uid(root_appointment_id(appointment))
    previous = db.session.scalar(select(func.max(Message.ics_sequence)).where(
        Message.ics_uid == uid, Message.to_address == message.to_address, Message.state == MessageState.sent))
    sequence = (previous + 1) if previous is not None else 0
    stored.update(ics_uid=uid, ics_sequence=sequence)
    location = appointment.location
    summary, description = _invite_texts(context, snapshot.clinic_name)
    content = ics.invite(
        uid=uid, sequence=sequence, method=method, starts_at=appointment.starts_at,
        ends_at=appointment.ends_at, zone=location.timezone,
        summary=summary, description=description,
        location=", ".join(p for p in (location.name, location.address) if p),
        organizer_email=snapshot.clinic_email, organizer_name=snapshot.clinic_name,
        attendee_email=message.to_address, stamp=utcnow())
    # UTF-8 named explicitly: summaries carry "—" and clinic names with accents.
    return ("cancel.ics" if method == ics.CANCEL else "invite.ics", f"text/calendar; charset=utf-8; method={method}",
            content)
