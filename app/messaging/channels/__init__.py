"""Channels by name. Callers ask for ``channel_for(message.channel)`` and never know
whether it is SendGrid, Twilio (SMS, WhatsApp) or a file."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.messaging.channels.base import (  # noqa: F401  (the channel vocabulary)
    Channel,
    DeliveryError,
    Envelope,
    PermanentFailure,
    Sent,
    TemporaryFailure,
)

EMAIL = "email"
TEXT_CHANNELS = ("sms", "whatsapp")


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def channel_for(name: str) -> Channel:
    if name == EMAIL:
        key = current_app.config.get("SENDGRID_API_KEY")
        if key:
            from app.messaging.channels.sendgrid import SendGridChannel

            return SendGridChannel(key, current_app.config["SENDGRID_API_HOST"])
        from app.messaging.channels.files import FileChannel

        return FileChannel(outbox_dir())
    if name in TEXT_CHANNELS:
        config = current_app.config
        if config.get("TWILIO_ACCOUNT_SID"):
            from app.messaging.channels.twilio import TwilioChannel

            callback = config["PUBLIC_BASE_URL"].rstrip("/") + "/webhooks/twilio/status"
            return TwilioChannel(name, config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
                                 config["TWILIO_API_BASE"], callback)
        from app.messaging.channels.textfiles import TextFileChannel

        return TextFileChannel(name, outbox_dir())
    raise PermanentFailure(f"No channel {name!r} is set up.")
