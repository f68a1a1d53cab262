"""Tiny HTTP servers on 127.0.0.1 for the error paths of the remote store: each answers every
request with a handler of the test's and records what it received."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    """What one test server received: (method, path, headers) per request."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    @property
    def headers(self) -> list[dict[str, str]]:
        return [headers for _, _, headers in self.requests]


Handler = Callable[[BaseHTTPRequestHandler, Seen], None]
StartServer = Callable[[Handler], tuple[str, Seen]]


def answer(status: int, body: bytes = b"", content_type: str = "text/plain", **headers: str):
    """A handler answering ``status`` with ``body``; ``Location_x="…"`` sends ``Location-x``."""

    def handle(request: BaseHTTPRequestHandler, seen: Seen) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            request.send_header(name.replace("_", "-"), value)
        request.end_headers()
        request.wfile.write(body)

    return handle


@contextmanager
def fake_servers() -> Iterator[StartServer]:
    """``start(handler)`` starts a server and returns its base URL and what it has seen; all
    are stopped on exit."""
    servers: list[ThreadingHTTPServer] = []

    def start(handler: Handler) -> tuple[str, Seen]:
        seen = Seen()

        class Recording(BaseHTTPRequestHandler):
            def _any(self) -> None:
                seen.requests.append((self.command, self.path, dict(self.headers)))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                handler(self, seen)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, format: str, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
        servers.append(httpd)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{httpd.server_address[1]}", seen

    try:
        yield start
    finally:
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()
