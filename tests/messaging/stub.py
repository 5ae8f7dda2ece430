"""A local stand-in for SendGrid's v3 mail API: records what it receives.

``POST /v3/mail/send`` answers 202 with an ``X-Message-Id`` (like SendGrid), after an
optional delay; ``plan`` makes the next answers something else (429, 500, 400...). Every
request is kept, with its JSON body, so tests and the benchmark count what arrived and
detect duplicates by the ``plinth_message_id`` custom argument.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SendGridStub:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[dict] = []
        self.plan: deque[int] = deque()
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0  # requests being answered at once
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with stub.lock:
                    stub.in_flight += 1
                    stub.most_in_flight = max(stub.most_in_flight, stub.in_flight)
                if stub.delay:
                    time.sleep(stub.delay)
                with stub.lock:
                    stub.in_flight -= 1
                    status = stub.plan.popleft() if stub.plan else 202
                    try:
                        body = json.loads(raw or b"{}")
                    except ValueError:
                        body = {}
                    stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "status": status, "at": time.time()})
                payload = b"" if status == 202 else json.dumps({"errors": [{"message": f"stub {status}"}]}).encode()
                self.send_response(status)
                if status == 202:
                    self.send_header("X-Message-Id", uuid.uuid4().hex[:22])
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "SendGridStub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["status"] == 202]

    def message_ids(self) -> list[int]:
        return [int(r["body"].get("custom_args", {}).get("plinth_message_id", 0)) for r in self.accepted()]

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids()).values() if n > 1)
