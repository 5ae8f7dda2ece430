"""SMS and WhatsApp through Twilio's Messages API with the official client.

``TWILIO_API_BASE`` points the client elsewhere (tests and the benchmark use a local
stub). Each text asks Twilio to report its delivery to ``/webhooks/twilio/status``
(app.messaging.twilio_webhook), which finds the message by the SID returned here.

Twilio's error codes decide what a failure means: the number is invalid, not a mobile,
or its owner opted out (21610) — sending again will not help, so ``PermanentFailure``;
429, 5xx and network trouble are ``TemporaryFailure`` (retried with the outbox backoff).
"""
from __future__ import annotations

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app.messaging.channels.base import Envelope, PermanentFailure, Sent, TemporaryFailure, classify_status

TIMEOUT_SECONDS = 15
# The recipient opted out with the carrier or Twilio (STOP sent to Twilio directly).
OPTED_OUT_CODES = {21610}
# Never worth retrying, whatever the HTTP status says.
PERMANENT_CODES = {
    21211: "invalid 'To' number", 21214: "'To' number cannot be reached", 21217: "not a valid phone number",
    21408: "no permission to send to that region", 21606: "the sender cannot send SMS",
    21610: "the recipient opted out (STOP)", 21612: "this route cannot reach the number",
    21614: "'To' number is not a mobile number", 63003: "not a WhatsApp number",
    63016: "outside WhatsApp's 24-hour window (needs an approved template)",
}


class TextRefused(PermanentFailure):
    """A permanent failure naming Twilio's code (the delivery job reacts to opt-outs)."""

    def __init__(self, message: str, status_code: int | None, code: int | None) -> None:
        super().__init__(message, status_code)
        self.code = code

    @property
    def opted_out(self) -> bool:
        return self.code in OPTED_OUT_CODES


class TwilioChannel:
    def __init__(self, name: str, account_sid: str, auth_token: str, api_base: str,
                 status_callback: str | None) -> None:
        self.name = name  # "sms" or "whatsapp"
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS))
        self.client.api.base_url = api_base.rstrip("/")
        self.status_callback = status_callback

    def send(self, envelope: Envelope) -> Sent:
        to, sender = envelope.to, envelope.from_address
        if not sender:
            raise PermanentFailure("No sender number is set for this location (Messages → Text settings).")
        if self.name == "whatsapp":
            to, sender = f"whatsapp:{to}", f"whatsapp:{sender}"
        extra = {}
        if self.status_callback:
            # Our id rides along: a callback can arrive before the SID is recorded.
            extra["status_callback"] = f"{self.status_callback}?m={envelope.metadata.get('plinth_message_id', '')}"
        try:
            message = self.client.messages.create(to=to, from_=sender, body=envelope.text, **extra)
        except TwilioRestException as exc:
            code = exc.code if isinstance(exc.code, int) else None
            reason = PERMANENT_CODES.get(code) if code is not None else None
            text = f"Twilio answered {exc.status}" + (f" (error {code}: {reason or exc.msg})" if code else
                                                        f": {str(exc.msg)[:300]}")
            if reason is not None:
                raise TextRefused(text, exc.status, code) from None
            error = classify_status(exc.status)
            if error is PermanentFailure:
                raise TextRefused(text, exc.status, code) from None
            raise error(text, exc.status) from None
        except (TwilioException, OSError) as exc:  # requests' errors are OSErrors
            raise TemporaryFailure(f"Twilio unreachable: {exc}") from None
        return Sent(provider_message_id=message.sid, status_code=201)
