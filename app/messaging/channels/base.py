"""What every channel takes and answers, so callers never know which one sends.

A channel gets an ``Envelope`` and either returns a ``Sent`` (with the provider's id for
the message, if any) or raises ``TemporaryFailure`` (try again later: network trouble,
429, 5xx) or ``PermanentFailure`` (sending again will not help: other 4xx, a bad
address). An SMS channel joins by implementing ``send`` for the fields it uses
(``to``, ``text``) and registering itself in ``app.messaging.channels``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Envelope:
    to: str
    subject: str
    text: str
    html: str | None = None
    from_address: str = ""
    from_name: str = ""
    reply_to: str | None = None
    # BCP 47 tag of the words inside ("pt-PT"): mail clients pick spelling, hyphenation and
    # screen-reader voice from Content-Language.
    language: str | None = None
    # (filename, mimetype, content)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    # Identifiers only (message id, kind): providers keep these, so never clinical detail.
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Sent:
    provider_message_id: str | None = None
    status_code: int | None = None


class DeliveryError(Exception):
    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class TemporaryFailure(DeliveryError):
    """Worth retrying later."""


class PermanentFailure(DeliveryError):
    """Retrying will not help; the message is marked failed with this error."""


class Channel(Protocol):
    name: str

    def send(self, envelope: Envelope) -> Sent: ...


def classify_status(status_code: int) -> type[DeliveryError]:
    """429 and 5xx are the provider's trouble (retry); other 4xx are ours (do not)."""
    if status_code == 429 or status_code >= 500:
        return TemporaryFailure
    return PermanentFailure
