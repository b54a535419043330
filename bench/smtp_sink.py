#!/usr/bin/env python
"""A counting SMTP server for the benchmarks, run in a process of its own (as a real
mail server is): ``python bench/smtp_sink.py PORT COUNT_FILE`` accepts every message on
127.0.0.1:PORT and appends a line to COUNT_FILE for each, its recipient (so a benchmark
can tell that every recipient got one message, once); it stops on SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller


class _Counter:
    def __init__(self, path: str) -> None:
        # Line-buffered: each message's line is in the file when the server answers it.
        self.out = open(path, "a", buffering=1)  # noqa: SIM115 - open until SIGTERM

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.out.write(" ".join(envelope.rcpt_tos) + "\n")
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    handler = _Counter(path)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    handler.out.close()


if __name__ == "__main__":
    main()
