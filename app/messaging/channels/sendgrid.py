"""Email through SendGrid's v3 API with the official client.

``SENDGRID_API_HOST`` points the client elsewhere (tests and the benchmark use a local
stub). Metadata goes out as ``custom_args``, which SendGrid echoes in its webhook
events: that is how an event finds its message.
"""
from __future__ import annotations

import base64
import socket
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment,
    Content,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    Header,
    Mail,
    ReplyTo,
    To,
)

from app.messaging.channels.base import Envelope, Sent, TemporaryFailure, classify_status

TIMEOUT_SECONDS = 15


class SendGridChannel:
    name = "email"

    def __init__(self, api_key: str, host: str) -> None:
        self.client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        # The client waits forever by default; a hung connection must become a retry.
        self.client.client.timeout = TIMEOUT_SECONDS

    def send(self, envelope: Envelope) -> Sent:
        try:
            response = self.client.send(build_mail(envelope))
        except HTTPError as exc:
            body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body)
            error = classify_status(exc.status_code)
            raise error(f"SendGrid answered {exc.status_code}: {body[:500]}", exc.status_code) from None
        except (URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
            raise TemporaryFailure(f"SendGrid unreachable: {exc}") from None
        headers = response.headers or {}
        message_id = headers.get("X-Message-Id") or headers.get("x-message-id")
        return Sent(provider_message_id=message_id, status_code=response.status_code)


def build_mail(envelope: Envelope) -> Mail:
    mail = Mail(
        from_email=From(envelope.from_address, envelope.from_name or None),
        to_emails=To(envelope.to),
        subject=envelope.subject,
        plain_text_content=Content("text/plain", envelope.text),
        html_content=Content("text/html", envelope.html) if envelope.html else None,
    )
    if envelope.reply_to:
        mail.reply_to = ReplyTo(envelope.reply_to)
    if envelope.language:
        mail.add_header(Header("Content-Language", envelope.language))
    for filename, mimetype, content in envelope.attachments:
        mail.add_attachment(Attachment(
            FileContent(base64.b64encode(content).decode("ascii")), FileName(filename),
            FileType(mimetype.split(";")[0]), Disposition("attachment")))
    for key, value in envelope.metadata.items():
        mail.add_custom_arg(CustomArg(key, str(value)))
    return mail
