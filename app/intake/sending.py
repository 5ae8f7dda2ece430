"""Forms by email, through the outbox: the request with its link, and a reminder a day
before the visit while the form is still not filled.

Messages tied to a visit carry its id, so the outbox's send-time re-check
(``delivery.still_wanted``) drops them once the visit is canceled, rebooked or a no-show
(only booked and confirmed visits get messages of unknown kinds). Submitting a form
cancels its pending reminder (``service._withdraw_reminders``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.intake.links import fill_url
from app.messaging import outbox, templates
from app.messaging.translated_defaults import TRANSLATED
from app.models import Appointment, Client, FormRequest, Message
from app.timeutil import utcnow

REMINDER_BEFORE = timedelta(days=1)

templates.DEFAULTS[("form_request", templates.CLIENT)] = templates.Template(
    "{{ clinic.name }}: please fill in “{{ form_name }}”",
    "Hello {{ client_name }},\n\nBefore your visit{% if when %} on {{ when }}{% endif %}, please fill in "
    "“{{ form_name }}”:\n\n{{ form_url }}\n\nIt takes a few minutes; you can stop and continue later.",
    "<p>Hello {{ client_name }},</p><p>Before your visit{% if when %} on {{ when }}{% endif %}, please fill in "
    "“{{ form_name }}”.</p><p><a href=\"{{ form_url }}\">Fill in the form</a></p>"
    "<p>It takes a few minutes; you can stop and continue later.</p>")
templates.DEFAULTS[("form_reminder", templates.CLIENT)] = templates.Template(
    "Reminder: “{{ form_name }}” before your visit",
    "Hello {{ client_name }},\n\n“{{ form_name }}” is still waiting for you before your visit"
    "{% if when %} on {{ when }}{% endif %}:\n\n{{ form_url }}",
    "<p>Hello {{ client_name }},</p><p>“{{ form_name }}” is still waiting for you before your visit"
    "{% if when %} on {{ when }}{% endif %}.</p><p><a href=\"{{ form_url }}\">Fill in the form</a></p>")
# The same in French (Canada) and Portuguese (Portugal); {{ when }} is in the message's language.
TRANSLATED["fr_CA"][("form_request", templates.CLIENT)] = templates.Template(
    "{{ clinic.name }} : veuillez remplir « {{ form_name }} »",
    "Bonjour {{ client_name }},\n\nAvant votre visite{% if when %} du {{ when }}{% endif %}, veuillez remplir "
    "« {{ form_name }} » :\n\n{{ form_url }}\n\nCela prend quelques minutes; vous pouvez arrêter et continuer plus tard.",
    "<p>Bonjour {{ client_name }},</p><p>Avant votre visite{% if when %} du {{ when }}{% endif %}, veuillez remplir "
    "« {{ form_name }} ».</p><p><a href=\"{{ form_url }}\">Remplir le formulaire</a></p>"
    "<p>Cela prend quelques minutes; vous pouvez arrêter et continuer plus tard.</p>")
TRANSLATED["fr_CA"][("form_reminder", templates.CLIENT)] = templates.Template(
    "Rappel : « {{ form_name }} » avant votre visite",
    "Bonjour {{ client_name }},\n\n« {{ form_name }} » vous attend toujours avant votre visite"
    "{% if when %} du {{ when }}{% endif %} :\n\n{{ form_url }}",
    "<p>Bonjour {{ client_name }},</p><p>« {{ form_name }} » vous attend toujours avant votre visite"
    "{% if when %} du {{ when }}{% endif %}.</p><p><a href=\"{{ form_url }}\">Remplir le formulaire</a></p>")
TRANSLATED["pt_PT"][("form_request", templates.CLIENT)] = templates.Template(
    "{{ clinic.name }}: preencha “{{ form_name }}”",
    "Olá {{ client_name }},\n\nAntes da sua consulta{% if when %} de {{ when }}{% endif %}, preencha "
    "“{{ form_name }}”:\n\n{{ form_url }}\n\nDemora poucos minutos; pode parar e continuar mais tarde.",
    "<p>Olá {{ client_name }},</p><p>Antes da sua consulta{% if when %} de {{ when }}{% endif %}, preencha "
    "“{{ form_name }}”.</p><p><a href=\"{{ form_url }}\">Preencher o formulário</a></p>"
    "<p>Demora poucos minutos; pode parar e continuar mais tarde.</p>")
TRANSLATED["pt_PT"][("form_reminder", templates.CLIENT)] = templates.Template(
    "Lembrete: “{{ form_name }}” antes da sua consulta",
    "Olá {{ client_name }},\n\n“{{ form_name }}” ainda está à sua espera antes da consulta"
    "{% if when %} de {{ when }}{% endif %}:\n\n{{ form_url }}",
    "<p>Olá {{ client_name }},</p><p>“{{ form_name }}” ainda está à sua espera antes da consulta"
    "{% if when %} de {{ when }}{% endif %}.</p><p><a href=\"{{ form_url }}\">Preencher o formulário</a></p>")
_SAMPLE = {"client_name": "Alex", "form_name": "Physiotherapy intake", "form_url": "https://book.example.com/forms/sample",
           "when": "Tuesday 10 March 2026 at 09:30 EDT"}
templates.SAMPLES.setdefault("form_request", _SAMPLE)
templates.SAMPLES.setdefault("form_reminder", _SAMPLE)


def send(request: FormRequest, *, due_at: datetime | None = None, now: datetime | None = None,
         key_suffix: str = "", request_email: bool = True) -> bool:
    """Queue the request's email (and its reminder when it belongs to a visit); False when
    the client has no email address. ``key_suffix`` makes a second sending of the same
    request (by hand, or for a rebooked visit) a new message."""
    client = db.session.get(Client, request.client_id)
    if client is None or not client.email:
        return False
    now = now or utcnow()
    appointment = db.session.get(Appointment, request.appointment_id) if request.appointment_id else None
    context = {"form_url": fill_url(request.id), "form_name": request.version.template.name}
    common = dict(client_id=client.id, appointment_id=request.appointment_id,
                  location_id=appointment.location_id if appointment else None,
                  appointment_starts_at=appointment.starts_at if appointment else None)
    if request_email:  # False: the link already went out, only the reminder is queued again
        outbox.queue_email("form_request", client.email, context, _key("form_request", request.id, key_suffix),
                           due_at=max(due_at or now, now), **common)
    if appointment is not None and appointment.starts_at - REMINDER_BEFORE > max(due_at or now, now):
        outbox.queue_email("form_reminder", client.email, context, _key("form_reminder", request.id, key_suffix),
                           due_at=appointment.starts_at - REMINDER_BEFORE, **common)
    return True


def sent_later(request_ids, now: datetime) -> set[int]:
    """The requests whose email a rule holds back ("2 days before the visit"): the patient
    is not offered them sooner elsewhere (an outcome measure answered weeks early says
    nothing). One read through the outbox's unique keys."""
    keys = {_key("form_request", request_id, ""): request_id for request_id in request_ids}
    if not keys:
        return set()
    held = db.session.scalars(select(Message.dedupe_key).where(Message.dedupe_key.in_(keys), Message.due_at > now))
    return {keys[key] for key in held}


def _key(kind: str, request_id: int, suffix: str) -> str:
    return f"{kind}:{request_id}" + (f":{suffix}" if suffix else "")
