"""The demo clinic's notification setup: confirmations, changes, cancellations and
no-show notices on (3-minute new-booking delay), reminders 24 h and 2 h before at every
location. The demo has no SendGrid key, so booking in it writes ``.eml`` files under
``instance/outbox/``. Its seeded appointments are laid out directly, not booked, so
they start with no messages; what staff book, move or cancel in the demo does.

Texts: each location sends confirmations, changes, cancellations and reminders by text
from its own phone number, quiet 21:00–08:00; every third client with a mobile number
prefers texts (every sixth: email and text) and agreed when imported. Without Twilio
credentials their texts are written as ``.sms.txt`` files beside the emails."""
from __future__ import annotations

from datetime import time

from sqlalchemy import select

from app.extensions import db
from app.messaging import consent, templates
from app.messaging.settings import notification_settings
from app.models import Client, Location, LocationTextSettings, ReminderPlan


def seed(locations: list[Location]) -> None:
    settings = notification_settings()
    settings.confirmation_enabled = settings.change_enabled = settings.cancellation_enabled = True
    settings.no_show_enabled = settings.reminders_enabled = settings.providers_enabled = True
    settings.new_booking_delay_minutes = 3
    for location in locations:
        db.session.add(ReminderPlan(location=location, offsets="24h, 2h"))
    for location in locations:
        db.session.add(LocationTextSettings(
            location=location, sender_number=location.phone or "+14165550100", quiet_start=time(21),
            quiet_end=time(8), text_kinds="confirmation,change,cancellation,reminder"))
    clients = db.session.scalars(select(Client).where(Client.phone.is_not(None)).order_by(Client.id)).all()
    for n, client in enumerate(clients):
        if n % 3 == 0:
            consent.give_consent(client, "import")
            client.message_channel = "both" if n % 6 == 0 else "sms"
    templates.ensure_rows()
    db.session.flush()
