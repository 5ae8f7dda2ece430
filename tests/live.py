"""The app served on a free local port for browser and real-HTTP tests.

A test's database is emptied when it ends, with the sequences restarted at 1. A request
still running in the server's threads at that moment (a browser page that clicked a
moment before the test's last assertion, or that kept polling) could commit after the
cleanup, leaving rows behind under ids the next test hands out again: a charge from an
earlier test showing up on the next test's case. So the server is stopped in two steps:
new requests are refused (also those that arrive on a connection the browser kept open),
the test's own transaction is rolled back (a request may be waiting on a lock it holds),
then the ones already running are waited for, before the database fixture cleans up.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

DRAIN_SECONDS = 30


class _Drainable:
    """WSGI wrapper that counts the requests in progress and can refuse new ones.

    A request counts until the app returns its response: Flask has then run the view
    and its teardown (commit, session removed); no Plinth response streams. (Werkzeug's
    server may skip the response's close() when the browser drops the connection, so
    the count does not wait for it.)"""

    def __init__(self, app):
        self.app = app
        self.closing = False
        self.running: list[str] = []
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        request = f'{environ.get("REQUEST_METHOD")} {environ.get("PATH_INFO")}'
        with self.idle:
            if self.closing:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Connection", "close")])
                return [b"the test is over"]
            self.running.append(request)
        try:
            return self.app(environ, start_response)
        finally:
            with self.idle:
                self.running.remove(request)
                self.idle.notify_all()

    def refuse(self) -> None:
        with self.idle:
            self.closing = True

    def drain(self) -> None:
        with self.idle:
            if not self.idle.wait_for(lambda: not self.running, timeout=DRAIN_SECONDS):
                raise RuntimeError(f"still running {DRAIN_SECONDS} s after the test ended: {', '.join(self.running)}")


@contextmanager
def serving(app, release=lambda: None) -> Iterator[str]:
    """Serve ``app`` in a thread; yield its base address; on exit, refuse new requests,
    call ``release`` (end the test's transaction) and wait for the running ones."""
    drainable = _Drainable(app)
    server = make_server("127.0.0.1", 0, drainable, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        drainable.refuse()
        release()
        drainable.drain()
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
