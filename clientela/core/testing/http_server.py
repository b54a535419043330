"""A real HTTP server on loopback for the tests of code that calls out over HTTP (the
SMS provider backend, outgoing webhooks): the standard library's ``http.server``
in a thread, on a free port of 127.0.0.1. It records each request and answers with the
replies a test queued (by default ``200 {}``); a reply with ``hang=True`` answers only
once the test ends, so a client's timeout can be seen without a timed assert.

Use the ``http_server`` fixture (import ``http_server_fixture`` into the test module)::

    def test_x(http_server: LoopbackHttpServer) -> None:
        http_server.reply(201, {"sid": "SM1"})
        httpx.post(http_server.url + "/path", data={"a": "1"})
        assert http_server.requests[0].form == {"a": ["1"]}
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

#: The longest a hanging reply waits for the test to end (a safety net only).
HANG_SECONDS = 30.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str
    hang: bool
    headers: tuple[tuple[str, str], ...] = ()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout) leaves a broken pipe behind: expected.
        pass


class LoopbackHttpServer:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(
        self,
        status: int,
        body: Any = None,
        *,
        hang: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue the answer to the next request: ``body`` a dict or list (sent as
        JSON), text or bytes (sent as they are); ``headers`` added to the answer."""
        if isinstance(body, bytes):
            data, content_type = body, "application/octet-stream"
        elif isinstance(body, str):
            data, content_type = body.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(body or {}).encode(), "application/json"
        extra = tuple((headers or {}).items())
        with self._lock:
            self._replies.append(Reply(status, data, content_type, hang, extra))

    def _next_reply(self) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return Reply(200, b"{}", "application/json", hang=False)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(
                    method=self.command,
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with server._lock:
                    server.requests.append(received)
                reply = server._next_reply()
                if reply.hang:
                    server.released.wait(HANG_SECONDS)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the tests read self.requests, not a log

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture(name="http_server")
def http_server_fixture() -> Iterator[LoopbackHttpServer]:
    server = LoopbackHttpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
