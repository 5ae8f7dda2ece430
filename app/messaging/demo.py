"""The demo clinic's notification setup: confirmations, changes, cancellations and
no-show notices on (3-minute new-booking delay), reminders 24 h and 2 h before at every
location. The demo has no SendGrid key, so booking in it writes ``.eml`` files under
``instance/outbox/``. Its seeded appointments are laid out directly, not booked, so
they start with no messages; what staff book, move or cancel in the demo does."""
from __future__ import annotations

from app.extensions import db
from app.messaging import templates
from app.messaging.settings import notification_settings
from app.models import Location, ReminderPlan


def seed(locations: list[Location]) -> None:
    settings = notification_settings()
    settings.confirmation_enabled = settings.change_enabled = settings.cancellation_enabled = True
    settings.no_show_enabled = settings.reminders_enabled = settings.providers_enabled = True
    settings.new_booking_delay_minutes = 3
    for location in locations:
        db.session.add(ReminderPlan(location=location, offsets="24h, 2h"))
    templates.ensure_rows()
    db.session.flush()
