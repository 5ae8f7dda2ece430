"""The file channel: each email becomes an ``.eml`` under ``instance/outbox/``.

Used when there is no ``SENDGRID_API_KEY`` (development, the demo), so every message
can be opened in a mail program exactly as it would have been sent.
"""
from __future__ import annotations

import os
import re
import uuid
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from app.messaging.channels.base import Envelope, PermanentFailure, Sent, TemporaryFailure


# Python 3.11's header folding drops the space between two encoded words it splits a
# subject into ("« Échelle numérique »" read back as "« Échellenumérique »"); headers of up
# to RFC 5322's 998 characters are written on one line, so nothing is folded.
WRITE_POLICY = policy.default.clone(max_line_length=998)


class FileChannel:
    name = "email"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, envelope: Envelope) -> Sent:
        if "@" not in envelope.to or "\n" in envelope.to:
            raise PermanentFailure(f"Not an email address: {envelope.to!r}")
        message = to_mime(envelope)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{envelope.metadata.get('plinth_message_id', 'x')}-{uuid.uuid4().hex[:8]}"
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            tmp = self.directory / f".{name}.tmp"
            tmp.write_bytes(message.as_bytes(policy=WRITE_POLICY))
            os.replace(tmp, self.directory / f"{name}.eml")  # complete files only
        except OSError as exc:
            raise TemporaryFailure(f"Could not write the outbox file: {exc}") from None
        return Sent(provider_message_id=message["Message-ID"].strip("<>"))


def to_mime(envelope: Envelope) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((envelope.from_name, envelope.from_address))
    message["To"] = envelope.to
    message["Subject"] = envelope.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="plinth.local")
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    for key, value in envelope.metadata.items():
        message[f"X-Plinth-{key.replace('_', '-')}"] = str(value)
    message.set_content(envelope.text)
    if envelope.html:
        message.add_alternative(envelope.html, subtype="html")
    for filename, mimetype, content in envelope.attachments:
        maintype, _, rest = mimetype.partition("/")
        subtype, *params = [p.strip() for p in rest.split(";")]
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename, params=extra)
    return message
