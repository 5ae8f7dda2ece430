"""A local stand-in for Twilio's Messages API: records what it receives.

``POST /2010-04-01/Accounts/<sid>/Messages.json`` answers 201 with a message SID (like
Twilio), after an optional delay. ``plan`` makes the next answers errors: each entry is
(HTTP status, Twilio error code or None). Every request is kept with its form fields,
so tests and the benchmark count what arrived and detect duplicates by the message id
in the status callback URL.
"""
from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "stub-auth-token-0123456789abcdef"


class TwilioStub:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[dict] = []
        self.plan: deque[tuple[int, int | None]] = deque()
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if stub.delay:
                    time.sleep(stub.delay)
                auth = base64.b64decode(self.headers.get("Authorization", "Basic ").split()[-1] or b"").decode()
                with stub.lock:
                    status, code = stub.plan.popleft() if stub.plan else (201, None)
                    if auth != f"{ACCOUNT_SID}:{AUTH_TOKEN}":
                        status, code = 401, 20003
                    sid = "SM" + uuid.uuid4().hex
                    stub.requests.append({"path": self.path, "form": form, "status": status, "sid": sid,
                                          "at": time.time()})
                if status == 201:
                    payload = {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From"),
                               "body": form.get("Body"), "num_segments": "1", "account_sid": ACCOUNT_SID}
                else:
                    payload = {"code": code, "message": f"stub error {code}", "status": status,
                               "more_info": f"https://www.twilio.com/docs/errors/{code}"}
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "TwilioStub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["status"] == 201]

    def message_ids(self) -> list[int]:
        """Our message ids, from the status callback URL each text carried."""
        ids = []
        for request in self.accepted():
            query = parse_qs(urlparse(request["form"].get("StatusCallback", "")).query)
            ids.append(int(query.get("m", ["0"])[0]))
        return ids

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids()).values() if n > 1)
