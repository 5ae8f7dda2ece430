"""Review requests after a visit is completed (arrived) or paid: after a delay, with the
clinic's review link, at most once per client per N days, never after a no-show or
cancellation, and never to a client who opted out.

A receiver of ``appointment_status_changed`` (inside the change's transaction). The
message carries the visit's id and the outbox re-checks its status at send time
(``delivery.NEEDS_STATUS`` gets the review kind: arrived or paid only), so a visit undone
to no-show before the delay is over sends nothing; opting out cancels pending requests.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, update

from app import events
from app.booking.tokens import make_token, read_token
from app.extensions import db
from app.messaging import delivery, outbox, templates
from app.messaging.translated_defaults import TRANSLATED
from app.models import (
    Appointment, AppointmentStatus, Case, Client, Message, MessageState, ReviewOptOut, ReviewSettings,
)
from app.models.settings import saved_or_defaults, singleton
from app.timeutil import utcnow

KIND = "review_request"
DONE = (AppointmentStatus.arrived, AppointmentStatus.paid)
OPT_OUT = "plinth.reviews.opt_out"
OPT_OUT_MAX_AGE = 400 * 24 * 3600

delivery.NEEDS_STATUS[KIND] = DONE
templates.DEFAULTS[(KIND, templates.CLIENT)] = templates.Template(
    "How was your visit to {{ clinic.name }}?",
    "Hello {{ client_name }},\n\nThank you for your visit. If you have a minute, a review helps others find "
    "us:\n\n{{ review_url }}\n\nNo more of these emails: {{ opt_out_url }}",
    "<p>Hello {{ client_name }},</p><p>Thank you for your visit. If you have a minute, a review helps others "
    "find us.</p><p><a href=\"{{ review_url }}\">Leave a review</a></p>"
    "<p style=\"font-size:small\"><a href=\"{{ opt_out_url }}\">No more of these emails</a></p>")
TRANSLATED["fr_CA"][(KIND, templates.CLIENT)] = templates.Template(
    "Comment s'est passée votre visite chez {{ clinic.name }}?",
    "Bonjour {{ client_name }},\n\nMerci de votre visite. Si vous avez une minute, un avis aide d'autres personnes à "
    "nous trouver :\n\n{{ review_url }}\n\nPour ne plus recevoir ces courriels : {{ opt_out_url }}",
    "<p>Bonjour {{ client_name }},</p><p>Merci de votre visite. Si vous avez une minute, un avis aide d'autres "
    "personnes à nous trouver.</p><p><a href=\"{{ review_url }}\">Laisser un avis</a></p>"
    "<p style=\"font-size:small\"><a href=\"{{ opt_out_url }}\">Ne plus recevoir ces courriels</a></p>")
TRANSLATED["pt_PT"][(KIND, templates.CLIENT)] = templates.Template(
    "Como correu a sua consulta na {{ clinic.name }}?",
    "Olá {{ client_name }},\n\nObrigado pela sua visita. Se tiver um minuto, uma avaliação ajuda outras pessoas a "
    "encontrar-nos:\n\n{{ review_url }}\n\nDeixar de receber estes emails: {{ opt_out_url }}",
    "<p>Olá {{ client_name }},</p><p>Obrigado pela sua visita. Se tiver um minuto, uma avaliação ajuda outras "
    "pessoas a encontrar-nos.</p><p><a href=\"{{ review_url }}\">Deixar uma avaliação</a></p>"
    "<p style=\"font-size:small\"><a href=\"{{ opt_out_url }}\">Deixar de receber estes emails</a></p>")
templates.SAMPLES.setdefault(KIND, {"client_name": "Alex", "review_url": "https://example.com/review",
                                    "opt_out_url": "https://book.example.com/forms/reviews/opt-out/sample"})


REVIEW_DEFAULTS = {"enabled": False, "delay_hours": 2, "min_days_between": 180}


def review_settings() -> ReviewSettings:
    """The settings row, created on first use (saving)."""
    return singleton(ReviewSettings, **REVIEW_DEFAULTS)


def read_review_settings() -> ReviewSettings:
    """The saved settings, else the defaults unsaved: reading creates no row."""
    return saved_or_defaults(ReviewSettings, **REVIEW_DEFAULTS)


def connect() -> None:
    """Subscribe to the domain events (called once by ``create_app``; blinker ignores a repeat)."""
    events.appointment_status_changed.connect(on_status_changed)


def on_status_changed(appointment: Appointment, new=None, now: datetime | None = None, **_) -> None:
    if new not in DONE:
        return
    maybe_request(appointment, now=now or utcnow())


def maybe_request(appointment: Appointment, *, now: datetime) -> Message | None:
    settings = read_review_settings()
    if not settings.enabled or not settings.review_url:
        return None
    client = db.session.scalar(select(Client).join(Case, Case.client_id == Client.id).where(
        Case.id == appointment.case_id))
    if client is None or not client.email or opted_out(client.id):
        return None
    since = now - timedelta(days=settings.min_days_between)
    asked_lately = db.session.scalar(select(exists().where(
        Message.client_id == client.id, Message.kind == KIND, Message.created_at > since,
        Message.state != MessageState.canceled)))
    if asked_lately:
        return None
    context = {"review_url": settings.review_url, "opt_out_url": opt_out_url(client.id)}
    return outbox.queue_email(KIND, client.email, context, f"review:{appointment.id}", client_id=client.id,
                              appointment_id=appointment.id, location_id=appointment.location_id,
                              due_at=now + timedelta(hours=settings.delay_hours))


def opted_out(client_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(ReviewOptOut.client_id == client_id))))


def opt_out(client_id: int, now: datetime | None = None) -> None:
    """Never ask this client again; pending requests are withdrawn."""
    if not opted_out(client_id):
        db.session.add(ReviewOptOut(client_id=client_id, at=now or utcnow()))
    db.session.execute(update(Message).where(
        Message.client_id == client_id, Message.kind == KIND, Message.state == MessageState.pending,
    ).values(state=MessageState.canceled, last_error="The client opted out of review requests."))
    db.session.flush()


def opt_out_url(client_id: int) -> str:
    return (current_app.config["PUBLIC_BASE_URL"].rstrip("/")
            + f"/forms/reviews/opt-out/{make_token(OPT_OUT, client_id)}")


def client_of_opt_out(token: str) -> int:
    return read_token(OPT_OUT, token, OPT_OUT_MAX_AGE)
