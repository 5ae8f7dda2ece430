"""The clinic's notification choices, read by the planner and re-read at send time."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.messaging.offsets import InvalidOffsets, parse_offsets
from app.models import NotificationSettings, ReminderPlan

# Which TeamMember preference and which settings switch govern each event kind.
PROVIDER_PREFERENCE = {
    "confirmation": "notify_new_booking", "change": "notify_rescheduled",
    "cancellation": "notify_canceled", "no_show": "notify_no_show",
}
EVENT_SWITCH = {
    "confirmation": "confirmation_enabled", "change": "change_enabled",
    "cancellation": "cancellation_enabled", "no_show": "no_show_enabled",
}


def notification_settings() -> NotificationSettings:
    """The settings row, created with defaults (everything off) on first use."""
    from app.models.settings import singleton

    return singleton(NotificationSettings)


def event_enabled(settings: NotificationSettings, kind: str) -> bool:
    if kind.startswith("reminder"):
        return bool(settings.reminders_enabled)
    switch = EVENT_SWITCH.get(kind)
    return True if switch is None else bool(getattr(settings, switch))


def provider_wants(team_member, kind: str) -> bool:
    preference = PROVIDER_PREFERENCE.get(kind)
    return bool(team_member.active) and (preference is None or bool(getattr(team_member, preference)))


def reminder_offsets(location_id: int, session_type_id: int | None) -> list[int]:
    """The session type's plan at that location if there is one, else the location's.
    One query for both candidates."""
    plans = db.session.scalars(select(ReminderPlan).where(
        ReminderPlan.location_id == location_id,
        (ReminderPlan.session_type_id == session_type_id) | ReminderPlan.session_type_id.is_(None),
    )).all()
    chosen = next((p for p in plans if p.session_type_id is not None), None) or \
        next((p for p in plans if p.session_type_id is None), None)
    if chosen is None:
        return []
    try:
        return parse_offsets(chosen.offsets)
    except InvalidOffsets:  # saved through the screen it is always valid; never crash a booking
        return []
