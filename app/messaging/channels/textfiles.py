"""The text file channel: each SMS / WhatsApp message becomes a ``.sms.txt`` under
``instance/outbox/`` when Twilio is not configured (development, the demo), so what
patients would receive can be read exactly as it would have been sent."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from app.messaging.channels.base import Envelope, PermanentFailure, Sent, TemporaryFailure
from app.messaging.segments import count


class TextFileChannel:
    def __init__(self, name: str, directory: str | Path) -> None:
        self.name = name
        self.directory = Path(directory)

    def send(self, envelope: Envelope) -> Sent:
        if not re.fullmatch(r"\+[1-9]\d{6,14}", envelope.to or ""):
            raise PermanentFailure(f"Not a phone number in E.164: {envelope.to!r}")
        sid = f"FILE{uuid.uuid4().hex[:28]}"
        cost = count(envelope.text)
        lines = [f"Channel: {self.name}", f"From: {envelope.from_address}", f"To: {envelope.to}",
                 f"Sid: {sid}", f"Segments: {cost.segments} ({cost.encoding})"]
        lines += [f"X-Plinth-{k.replace('_', '-')}: {v}" for k, v in envelope.metadata.items()]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{envelope.metadata.get('plinth_message_id', 'x')}-{sid[4:12]}")
            tmp = self.directory / f".{name}.tmp"
            tmp.write_text("\n".join(lines) + "\n\n" + envelope.text, encoding="utf-8")
            os.replace(tmp, self.directory / f"{name}.sms.txt")
        except OSError as exc:
            raise TemporaryFailure(f"Could not write the outbox file: {exc}") from None
        return Sent(provider_message_id=sid)
