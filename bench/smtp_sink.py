#!/usr/bin/env python
"""A counting SMTP server for the benchmarks, run in processes of its own (as a real
mail server is): ``python bench/smtp_sink.py PORT COUNT_FILE [--processes N]
[--aiosmtpd]`` accepts every message on 127.0.0.1:PORT and appends a line to COUNT_FILE
for each: the time it was taken (``time.time()``) and its recipients (so a benchmark can
tell that every recipient got one message, once, and when); it stops on SIGTERM.

By default it is a minimal SMTP server on asyncio (``SinkProtocol``): EHLO/HELO, MAIL,
RCPT, DATA with dot-stuffed content, RSET, NOOP, QUIT, and PIPELINING (RFC 2920), which
it advertises. A message counts when its final "." has arrived: the line is written
before the "250" answer, and a connection that breaks inside DATA counts nothing, as a
real server keeps nothing of a message it did not acknowledge. It does little else, so
that a benchmark measures the client; ``--aiosmtpd`` runs aiosmtpd (the server the
tests use) with a trivial handler instead, for comparison. ``--processes N`` starts N
servers on the same port (``SO_REUSEPORT``: the kernel spreads the connections).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
import time
from typing import IO, Any

_TERMINATOR = b"\r\n.\r\n"


class SinkProtocol(asyncio.Protocol):
    """One SMTP session."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.buffer = b""
        self.in_data = False
        self.chunks: list[bytes] = []
        self.tail = b""
        self.recipients: list[str] = []
        self.sender = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        replies: list[bytes] = []
        while data:
            if self.in_data:
                data = self._content(data, replies)
                continue
            self.buffer += data
            data = b""
            while not self.in_data:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                replies.append(self._command(line))
                if self.in_data:
                    data, self.buffer = self.buffer, b""
                    # The content may start with the final "." at once (no body).
                    self.tail = b"\r\n"
        if replies:
            self.transport.write(b"".join(replies))

    def _content(self, data: bytes, replies: list[bytes]) -> bytes:
        """Take message content; what follows the final "." is returned (commands)."""
        joined = self.tail + data
        end = joined.find(_TERMINATOR)
        if end < 0:
            self.chunks.append(data)
            self.tail = joined[-4:]
            return b""
        self.in_data, self.chunks, self.tail = False, [], b""
        self.out.write(f"{time.time():.4f} {' '.join(self.recipients)}\n")
        self.recipients, self.sender = [], False
        replies.append(b"250 OK queued\r\n")
        return joined[end + len(_TERMINATOR) :]

    def _command(self, line: bytes) -> bytes:
        verb = line[:4].upper()
        if verb == b"EHLO":
            return b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n"
        if verb == b"HELO":
            return b"250 sink\r\n"
        if verb == b"MAIL":
            self.sender, self.recipients = True, []
            return b"250 OK\r\n"
        if verb == b"RCPT":
            if not self.sender:
                return b"503 MAIL first\r\n"
            start, stop = line.find(b"<"), line.find(b">")
            self.recipients.append(line[start + 1 : stop].decode("utf-8", "replace"))
            return b"250 OK\r\n"
        if verb == b"DATA":
            if not self.recipients:
                return b"503 RCPT first\r\n"
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"RSET":
            self.sender, self.recipients = False, []
            return b"250 OK\r\n"
        if verb == b"NOOP":
            return b"250 OK\r\n"
        if verb == b"QUIT":
            self.transport.close()
            return b"221 Bye\r\n"
        return b"500 Unknown command\r\n"


def serve(port: int, path: str, ready: bool) -> None:
    """One server process: asyncio until SIGTERM."""
    # Line-buffered: each message's line is in the file when the server answers it.
    out = open(path, "a", buffering=1)  # noqa: SIM115 - open until SIGTERM
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(
            lambda: SinkProtocol(out), "127.0.0.1", port, reuse_port=True, backlog=128
        )
    )
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    if ready:
        print("ready", flush=True)
    loop.run_forever()
    server.close()
    out.close()


class _AiosmtpdCounter:
    def __init__(self, path: str) -> None:
        self.out = open(path, "a", buffering=1)  # noqa: SIM115 - open until SIGTERM

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.out.write(f"{time.time():.4f} {' '.join(envelope.rcpt_tos)}\n")
        return "250 OK"


def serve_aiosmtpd(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    handler = _AiosmtpdCounter(path)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    handler.out.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("path")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--aiosmtpd", action="store_true")
    args = parser.parse_args()
    if args.aiosmtpd:
        serve_aiosmtpd(args.port, args.path)
        return
    children = []
    for _ in range(args.processes - 1):
        pid = os.fork()
        if pid == 0:
            serve(args.port, args.path, ready=False)
            os._exit(0)
        children.append(pid)

    def stop_children(*_args: Any) -> None:
        for pid in children:
            os.kill(pid, signal.SIGTERM)

    try:
        serve(args.port, args.path, ready=True)
    finally:
        stop_children()
        for pid in children:
            os.waitpid(pid, 0)
    sys.exit(0)


if __name__ == "__main__":
    main()
