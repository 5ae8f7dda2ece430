"""The app served on a free local port for browser and real-HTTP tests.

A test's database is emptied when it ends, with the sequences restarted at 1. A request
still running in the server's threads at that moment (a browser page that clicked a
moment before the test's last assertion, or that kept polling) could commit after the
cleanup, leaving rows behind under ids the next test hands out again: a charge from an
earlier test showing up on the next test's case. So the server is stopped in two steps:
new requests are refused (also those that arrive on a connection the browser kept open),
then the ones already running are waited for, before the database fixture cleans up.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

DRAIN_SECONDS = 30


class _Drainable:
    """WSGI wrapper that counts the requests in progress and can refuse new ones."""

    def __init__(self, app):
        self.app = app
        self.closing = False
        self.running = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            if self.closing:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Connection", "close")])
                return [b"the test is over"]
            self.running += 1
        try:
            return ClosingIterator(self.app(environ, start_response), [self._finished])
        except BaseException:
            self._finished()
            raise

    def _finished(self) -> None:
        with self.idle:
            self.running -= 1
            self.idle.notify_all()

    def drain(self) -> None:
        with self.idle:
            self.closing = True
            if not self.idle.wait_for(lambda: self.running == 0, timeout=DRAIN_SECONDS):
                raise RuntimeError(f"{self.running} request(s) still running {DRAIN_SECONDS} s after the test ended")


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` in a thread; yield its base address; on exit, refuse new requests
    and wait for the running ones."""
    drainable = _Drainable(app)
    server = make_server("127.0.0.1", 0, drainable, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        drainable.drain()
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
