"""Local stand-ins for the providers' HTTP APIs: they record what they receive.

``ProviderStub`` is the server every stub shares: a threaded HTTP server on a free port,
an optional delay before answering, a ``plan`` of the next non-success answers, every
request kept (under a lock) so tests and the benchmark count what arrived and detect
duplicates by our message id. A provider subclass says how it answers (``answer``) and
where our message id travels (``message_id``).

``SendGridStub``: ``POST /v3/mail/send`` answers 202 with an ``X-Message-Id`` (like
SendGrid); ``plan`` holds statuses (429, 500, 400...). The Twilio stub is in
``twilio_stub.py``.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ProviderStub:
    SUCCESS = 200

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[dict] = []
        self.plan: deque = deque()
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0  # requests being answered at once
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with stub.lock:
                    stub.in_flight += 1
                    stub.most_in_flight = max(stub.most_in_flight, stub.in_flight)
                if stub.delay:
                    time.sleep(stub.delay)
                with stub.lock:
                    stub.in_flight -= 1
                    record, status, headers, payload = stub.answer(self.path, dict(self.headers), raw)
                    stub.requests.append({"path": self.path, "status": status, "at": time.time(), **record})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, headers: dict, raw: bytes) -> tuple[dict, int, dict, bytes]:
        """(what to keep of the request, status, response headers, response body); called
        under the lock."""
        raise NotImplementedError

    def message_id(self, request: dict) -> int:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["status"] == self.SUCCESS]

    def message_ids(self) -> list[int]:
        return [self.message_id(r) for r in self.accepted()]

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids()).values() if n > 1)


class SendGridStub(ProviderStub):
    SUCCESS = 202

    def answer(self, path, headers, raw):
        status = self.plan.popleft() if self.plan else self.SUCCESS
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if status == self.SUCCESS:
            return {"headers": headers, "body": body}, status, {"X-Message-Id": uuid.uuid4().hex[:22]}, b""
        error = json.dumps({"errors": [{"message": f"stub {status}"}]}).encode()
        return {"headers": headers, "body": body}, status, {}, error

    def message_id(self, request):
        return int(request["body"].get("custom_args", {}).get("plinth_message_id", 0))
