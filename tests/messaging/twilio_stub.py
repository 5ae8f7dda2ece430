"""A local stand-in for Twilio's Messages API (on ``ProviderStub``, ``stub.py``).

``POST /2010-04-01/Accounts/<sid>/Messages.json`` answers 201 with a message SID (like
Twilio). ``plan`` makes the next answers errors: each entry is (HTTP status, Twilio error
code or None); a wrong account or token is a 401 (20003). Our message id travels in the
status callback URL.
"""
from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import parse_qs, urlparse

from tests.messaging.stub import ProviderStub

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "stub-auth-token-0123456789abcdef"


class TwilioStub(ProviderStub):
    SUCCESS = 201

    def answer(self, path, headers, raw):
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        auth = base64.b64decode(headers.get("Authorization", "Basic ").split()[-1] or b"").decode()
        status, code = self.plan.popleft() if self.plan else (self.SUCCESS, None)
        if auth != f"{ACCOUNT_SID}:{AUTH_TOKEN}":
            status, code = 401, 20003
        sid = "SM" + uuid.uuid4().hex
        if status == self.SUCCESS:
            payload = {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From"),
                       "body": form.get("Body"), "num_segments": "1", "account_sid": ACCOUNT_SID}
        else:
            payload = {"code": code, "message": f"stub error {code}", "status": status,
                       "more_info": f"https://www.twilio.com/docs/errors/{code}"}
        return {"form": form, "sid": sid}, status, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    def message_id(self, request):
        query = parse_qs(urlparse(request["form"].get("StatusCallback", "")).query)
        return int(query.get("m", ["0"])[0])
