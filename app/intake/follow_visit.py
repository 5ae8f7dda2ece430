"""Form emails follow their visit: when a visit moves, its queued form request and reminder
move with it (same wall-clock distance before the visit at the location, so DST does not
shift them); when it is canceled, its pending forms are withdrawn (the outbox withdraws
the emails themselves); when it is rebooked, its pending forms go with the new visit.

Receivers of ``app.events``: they run inside the change's transaction, like the rules'.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app import events
from app.extensions import db
from app.intake import sending
from app.models import Appointment, AppointmentStatus, FormRequest, Location, Message, MessageState
from app.timeutil import to_local, to_utc, utcnow

FORM_KINDS = ("form_request", "form_reminder")


def connect() -> None:
    """Called once by app.configure_receivers (blinker ignores a repeated connect)."""
    events.appointment_moved.connect(on_moved)
    events.appointment_booked.connect(on_rebooked)
    events.appointment_status_changed.connect(on_status_changed)


def _pending_form_messages(appointment_id: int) -> list[Message]:
    return list(db.session.scalars(select(Message).where(
        Message.appointment_id == appointment_id, Message.state == MessageState.pending,
        Message.kind.in_(FORM_KINDS))))


def shifted(due: datetime, old_start: datetime, new_start: datetime, zone: str) -> datetime:
    """``due`` moved as far on the location's wall clock as the visit moved (“2 days before
    at 10:00” stays that across a DST change)."""
    naive = lambda instant: to_local(instant, zone).replace(tzinfo=None)  # noqa: E731
    moved = naive(due) + (naive(new_start) - naive(old_start))
    return to_utc(moved.date(), moved.time(), zone)


def on_moved(appointment: Appointment, before: dict | None = None, now: datetime | None = None, **_) -> None:
    old_start = (before or {}).get("starts_at")
    if old_start is None or old_start == appointment.starts_at:
        return
    now = now or utcnow()
    zone = db.session.get(Location, appointment.location_id).timezone
    for message in _pending_form_messages(appointment.id):
        if message.kind == "form_reminder":
            due = appointment.starts_at - sending.REMINDER_BEFORE
            if due <= now:
                message.state, message.last_error = MessageState.canceled, "Withdrawn: the visit moved too close."
                continue
        elif message.due_at > now:  # timed before the visit (a request due now just goes)
            due = max(shifted(message.due_at, old_start, appointment.starts_at, zone), now)
        else:
            due = message.due_at
        message.due_at, message.appointment_starts_at = due, appointment.starts_at
    db.session.flush()


def on_status_changed(appointment: Appointment, new=None, **_) -> None:
    """A canceled visit's pending forms are withdrawn (its emails already are, by the outbox)."""
    if new == AppointmentStatus.canceled:
        db.session.execute(update(FormRequest).where(
            FormRequest.appointment_id == appointment.id, FormRequest.status == "pending",
        ).values(status="withdrawn"), execution_options={"synchronize_session": False})


def on_rebooked(appointment: Appointment, now: datetime | None = None, **_) -> None:
    """The new half of a rebook takes over the old visit's pending forms and sends them again
    for the new time (the old visit's emails were withdrawn with it)."""
    if appointment.rebooked_from_id is None:
        return
    now = now or utcnow()
    requests = list(db.session.scalars(select(FormRequest).where(
        FormRequest.appointment_id == appointment.rebooked_from_id, FormRequest.status == "pending")))
    for form_request in requests:
        already_emailed = db.session.scalar(select(Message.id).where(
            Message.dedupe_key.like(f"form_request:{form_request.id}%"), Message.state == MessageState.sent).limit(1))
        form_request.appointment_id = appointment.id
        db.session.flush()
        sending.send(form_request, now=now, key_suffix=f"a{appointment.id}", request_email=already_emailed is None)
