"""What each appointment change puts in the outbox (receivers of app.events signals).

Runs inside the transaction of the change (see app/events.py), so the messages commit
or roll back with it. Rules:

* Booked: a confirmation to the client (if the appointment's ``notify`` is on; by
  email and/or text as ``consent.routes`` decides) and to the provider (if they want it and did not book it themselves),
  due after the new-booking delay; reminders at the plan's offsets, skipping those
  already past. A rebooking whose original the client had heard about is a "change".
* Moved: reminders are replaced (the old pending ones withdrawn, new ones planned for
  the new time). A pending confirmation/change is pushed back by the delay and will
  tell the final details when it goes; otherwise a change message is queued. A new
  provider hears "new booking", the previous one "canceled".
* Canceled: every pending message is withdrawn. Whoever still had a confirmation
  pending (canceled within the delay) hears nothing; the others get a cancellation.
* Rebooked: the old appointment's pending messages are withdrawn (the new one speaks).
* No-show: pending reminders are withdrawn; a no-show notice is queued.

Whether a message is *still* wanted is decided again at send time (delivery.still_wanted).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import events
from app.extensions import db
from app.messaging import consent, outbox, quiet
from app.messaging.compose import provider_of
from app.messaging.offsets import reminder_schedule
from app.messaging.settings import event_enabled, notification_settings, provider_wants, reminder_offsets
from app.models import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    Calendar,
    CalendarKind,
    Message,
    MessageState,
    TeamMember,
)
from app.timeutil import utcnow

S = AppointmentStatus
EVENT_KINDS = ("confirmation", "change")


def on_booked(appointment: Appointment, actor=None, **_) -> None:
    settings = notification_settings()
    now = utcnow()
    kind = "confirmation"
    if appointment.rebooked_from_id and _client_was_told(appointment.rebooked_from_id):
        kind = "change"
    # The delay lets the front desk finish editing; a patient booking online has finished.
    delay = 0 if appointment.booked_via == BookedVia.online else settings.new_booking_delay_minutes
    due = now + timedelta(minutes=delay)
    if event_enabled(settings, kind):
        _to_client(appointment, kind, due, f"appt:{appointment.id}:{kind}:client")
        provider = provider_of(appointment)
        if provider is not None:
            _to_provider(appointment, provider, kind, due, f"appt:{appointment.id}:{kind}:tm{provider.id}", actor)
    _plan_reminders(appointment, now)


def on_moved(appointment: Appointment, actor=None, before: dict | None = None, **_) -> None:
    before = before or {}
    settings = notification_settings()
    now = utcnow()
    time_changed = (before.get("starts_at") != appointment.starts_at or before.get("ends_at") != appointment.ends_at)
    old_provider = _provider_among(before.get("calendar_ids") or [])
    new_provider = provider_of(appointment)
    provider_changed = (old_provider.id if old_provider else None) != (new_provider.id if new_provider else None)
    if not time_changed and not provider_changed:
        return  # a room or equipment swap: nothing the client or provider needs to hear
    if time_changed:
        outbox.withdraw(appointment.id, reason="rescheduled", kind_prefix="reminder_")
        _plan_reminders(appointment, now)
    due = now + timedelta(minutes=settings.new_booking_delay_minutes)
    pending = outbox.pending_kinds(appointment.id)
    outbox.postpone(appointment.id, EVENT_KINDS, due)
    version = appointment.version
    if event_enabled(settings, "change") and not any(k in EVENT_KINDS and a == "client" for k, a, _ in pending):
        _to_client(appointment, "change", due, f"appt:{appointment.id}:change:v{version}:client")
    if provider_changed:
        if old_provider is not None:
            withdrawn = outbox.withdraw(appointment.id, reason="provider changed", kinds=EVENT_KINDS,
                                        audience="provider")
            told = not any(a == "provider" and k == "confirmation" for _, k, a in withdrawn)
            if told and event_enabled(settings, "cancellation"):
                _to_provider(appointment, old_provider, "cancellation", now,
                             f"appt:{appointment.id}:cancellation:v{version}:tm{old_provider.id}", actor)
        if new_provider is not None and event_enabled(settings, "confirmation"):
            _to_provider(appointment, new_provider, "confirmation", due,
                         f"appt:{appointment.id}:confirmation:v{version}:tm{new_provider.id}", actor)
    elif new_provider is not None and event_enabled(settings, "change") and not any(
            k in EVENT_KINDS and a == "provider" for k, a, _ in pending):
        _to_provider(appointment, new_provider, "change", due,
                     f"appt:{appointment.id}:change:v{version}:tm{new_provider.id}", actor)


def on_status_changed(appointment: Appointment, actor=None, old=None, new=None, **_) -> None:
    if new == S.canceled:
        _canceled(appointment, actor)
    elif new == S.rebooked:
        outbox.withdraw(appointment.id, reason="rebooked")
    elif new == S.no_show:
        outbox.withdraw(appointment.id, reason="no-show", kind_prefix="reminder_")
        settings = notification_settings()
        if event_enabled(settings, "no_show"):
            version = appointment.version
            now = utcnow()
            _to_client(appointment, "no_show", now, f"appt:{appointment.id}:no_show:v{version}:client")
            provider = provider_of(appointment)
            if provider is not None:
                _to_provider(appointment, provider, "no_show", now,
                             f"appt:{appointment.id}:no_show:v{version}:tm{provider.id}", actor)


def _canceled(appointment: Appointment, actor) -> None:
    withdrawn = outbox.withdraw(appointment.id, reason="canceled")
    # Canceled inside the new-booking delay: they were never told, so they hear nothing.
    unheard = {audience for _, kind, audience in withdrawn if kind == "confirmation"}
    settings = notification_settings()
    if not event_enabled(settings, "cancellation"):
        return
    now = utcnow()
    if "client" not in unheard:
        _to_client(appointment, "cancellation", now, f"appt:{appointment.id}:cancellation:client")
    provider = provider_of(appointment)
    if provider is not None and "provider" not in unheard:
        _to_provider(appointment, provider, "cancellation", now,
                     f"appt:{appointment.id}:cancellation:tm{provider.id}", actor)


def _plan_reminders(appointment: Appointment, now) -> None:
    settings = notification_settings()
    if not settings.reminders_enabled or appointment.status not in (S.booked, S.confirmed):
        return
    offsets = reminder_offsets(appointment.location_id, appointment.session_type_id)
    zone = appointment.location.timezone
    for number, offset, due in reminder_schedule(appointment.starts_at, zone, offsets, now):
        _to_client(appointment, f"reminder_{number}", due,
                   f"appt:{appointment.id}:reminder_{number}:v{appointment.version}:client",
                   offset_minutes=offset)


def _to_client(appointment: Appointment, kind: str, due, key: str, offset_minutes: int | None = None) -> None:
    """By email, by text or both, as the client chose and consented (consent.routes);
    a text due in the location's quiet hours waits for their end (a reminder that would
    then arrive after the start is not sent by text)."""
    client = appointment.case.client
    if not appointment.notify:
        return
    fields = dict(client_id=client.id, appointment_id=appointment.id, location_id=appointment.location_id,
                  audience="client", appointment_starts_at=appointment.starts_at, offset_minutes=offset_minutes)
    text_settings = None
    if (client.message_channel or "email") != "email":
        text_settings = consent.text_settings(appointment.location_id)
    for channel, address in consent.routes(client, kind, text_settings):
        if channel == consent.EMAIL:
            outbox.queue_email(kind, address, {}, key, due_at=due, **fields)
            continue
        text_due = quiet.next_allowed(due, appointment.location.timezone, text_settings.quiet_start,
                                      text_settings.quiet_end)
        if kind.startswith("reminder") and text_due >= appointment.starts_at:
            continue
        outbox.queue(channel, kind, address, {}, f"{key}:{channel}", due_at=text_due, **fields)


def _to_provider(appointment: Appointment, provider: TeamMember, kind: str, due, key: str, actor) -> None:
    settings = notification_settings()
    if not settings.providers_enabled or not provider_wants(provider, kind):
        return
    if actor is not None and getattr(actor, "id", None) == provider.user_id:
        return  # they did it themselves: no need to tell them
    email = provider.user.email if provider.user else None
    if not email:
        return
    outbox.queue_email(kind, email, {}, key, team_member_id=provider.id, appointment_id=appointment.id,
                       due_at=due, location_id=appointment.location_id, audience="provider",
                       appointment_starts_at=appointment.starts_at)


def _provider_among(calendar_ids: list[int]) -> TeamMember | None:
    if not calendar_ids:
        return None
    calendar = db.session.scalar(select(Calendar).where(
        Calendar.id.in_(calendar_ids), Calendar.kind == CalendarKind.provider))
    return calendar.team_member if calendar is not None else None


def _client_was_told(appointment_id: int) -> bool:
    """Whether the client heard of this appointment: something was sent to them, or it
    predates any confirmation (booked before messages were on)."""
    rows = db.session.execute(select(Message.kind, Message.state).where(
        Message.appointment_id == appointment_id, Message.audience == "client")).all()
    if any(state == MessageState.sent for _, state in rows):
        return True
    return not any(kind == "confirmation" for kind, _ in rows)


def connect() -> None:
    """Subscribe to the domain events (called once by ``create_app``; blinker ignores a repeat)."""
    events.appointment_booked.connect(on_booked)
    events.appointment_moved.connect(on_moved)
    events.appointment_status_changed.connect(on_status_changed)
