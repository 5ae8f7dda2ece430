"""Who may get text messages, by which channel, and recording consent and opt-outs.

One place for the rule: a client gets a text only if they want texts (``message_channel``
"sms" or "both"), have a mobile number, gave consent and did not opt out since, and
their location sends this kind of message by text. Whoever cannot get a text gets the
email instead (if they have an address), so a reminder is never lost to a missing
consent. The planner asks ``routes()``; delivery asks ``may_text()`` again at send time,
so a STOP counts for every message not yet sent.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from app import audit
from app.extensions import db
from app.i18n.formatting import day_medium
from app.models import Client, LocationTextSettings
from app.timeutil import utcnow

EMAIL, SMS, WHATSAPP = "email", "sms", "whatsapp"
TEXT_CHANNELS = (SMS, WHATSAPP)
PREFERENCES = {"email": _l("Email"), "sms": _l("Text message"), "both": _l("Email and text")}
SOURCES = {"staff": _l("Recorded by staff"), "online": _l("Online booking checkbox"), "import": _l("Imported"),
           "reply": _l("Replied START")}
TEXT_KINDS = ("confirmation", "change", "cancellation", "no_show", "reminder")
# One reminder of the plan alone may go by text ("reminder_2": the 2 h one, say).
REMINDER_NUMBERS = tuple(f"reminder_{n}" for n in range(1, 6))


def has_consent(client: Client | None) -> bool:
    if client is None or client.text_consent_at is None:
        return False
    return client.text_opted_out_at is None or client.text_opted_out_at < client.text_consent_at


def refusal(client: Client | None) -> str | None:
    """Why ``client`` may not get a text now (None: they may)."""
    if client is None:
        return "The client no longer exists."
    if client.text_opted_out_at is not None and not has_consent(client):
        return "The client opted out of text messages."
    if not has_consent(client):
        return "The client has not agreed to text messages."
    return None


def text_kind(kind: str) -> str:
    return "reminder" if kind.startswith("reminder") else kind


def kinds_of(settings: LocationTextSettings) -> set[str]:
    return {k.strip() for k in (settings.text_kinds or "").split(",") if k.strip()}


def sends_by_text(settings: LocationTextSettings, kind: str) -> bool:
    kinds = kinds_of(settings)
    return kind in kinds or text_kind(kind) in kinds


def text_settings(location_id: int | None) -> LocationTextSettings | None:
    if location_id is None:
        return None
    return db.session.scalar(select(LocationTextSettings).where(LocationTextSettings.location_id == location_id))


def text_route(client: Client, settings: LocationTextSettings | None) -> tuple[str, str] | None:
    """(channel, number) if the client may get texts from a location with ``settings``."""
    if (client.message_channel or EMAIL) not in ("sms", "both") or not client.phone or not has_consent(client):
        return None
    if settings is None:
        return None
    return (WHATSAPP if settings.whatsapp_enabled else SMS, client.phone)


def routes(client: Client, kind: str, settings: LocationTextSettings | None) -> list[tuple[str, str]]:
    """(channel, address) pairs a client message of ``kind`` goes to."""
    route = text_route(client, settings)
    texts = [route] if route is not None and sends_by_text(settings, kind) else []
    preference = client.message_channel or EMAIL
    emails = [(EMAIL, client.email)] if client.email and (preference != "sms" or not texts) else []
    return emails + texts


def give_consent(client: Client, source: str, *, at: datetime | None = None, actor_id: int | None = None) -> None:
    """Record consent (audited through the Client row's own audit). The channel
    preference is the caller's to set: consent alone sends no text to an email-only client."""
    if source not in SOURCES:
        raise ValueError(f"Unknown consent source {source!r}")
    client.text_consent_at = at or utcnow()
    client.text_consent_source = source


def withdraw_consent(client: Client, *, at: datetime | None = None) -> None:
    client.text_opted_out_at = at or utcnow()


def opt_out_number(phone: str, *, reason: str) -> list[int]:
    """STOP from ``phone`` (or the provider saying they opted out): every client with
    that number stops getting texts now. Returns their ids."""
    return _by_number(phone, {"text_opted_out_at": utcnow()}, "text_opt_out", reason)


def opt_in_number(phone: str) -> list[int]:
    """START from ``phone``: consent again, given by the reply itself."""
    return _by_number(phone, {"text_consent_at": utcnow(), "text_consent_source": "reply"}, "text_opt_in",
                      "replied START")


def _by_number(phone: str, values: dict, action: str, reason: str) -> list[int]:
    ids = db.session.execute(update(Client).where(Client.phone == phone).values(**values).returning(Client.id),
                             execution_options={"synchronize_session": False}).scalars().all()
    for client_id in ids:
        audit.record(db.session, entity=_ClientRef(client_id), action=action, after={"reason": reason})
        loaded = db.session.identity_map.get(identity_key(Client, client_id))
        if loaded is not None:
            db.session.expire(loaded)
    return ids


class _ClientRef:
    def __init__(self, client_id: int) -> None:
        self.id = client_id


_ClientRef.__name__ = "Client"


def describe(client: Client) -> str:
    """One line for staff: how the client hears from us and where their consent stands."""
    preference = PREFERENCES.get(client.message_channel or EMAIL, PREFERENCES[EMAIL])
    if has_consent(client):
        source = SOURCES.get(client.text_consent_source or "", client.text_consent_source or "")
        state = gettext("texts agreed %(day)s (%(source)s)", day=day_medium(client.text_consent_at),
                        source=str(source).lower())
    elif client.text_opted_out_at is not None:
        state = gettext("texts refused %(day)s (STOP)", day=day_medium(client.text_opted_out_at))
    else:
        state = gettext("no consent to texts")
    return f"{preference} · {state}"
