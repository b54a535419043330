"""Backends for development: ``console`` prints each message, ``file`` writes each
batch to a file of its own in a directory (as Django's file-based e-mail backend)."""

from __future__ import annotations

import datetime
import sys
import threading
import uuid
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured

from clientela.core.sms.backends.base import BaseSmsBackend
from clientela.core.sms.encoding import segments
from clientela.core.sms.message import SmsMessage, SmsResult

_RULE = "-" * 72


def describe(message: SmsMessage, provider_id: str) -> str:
    """A message as the development backends show it."""
    length = segments(message.body)
    lines = [
        f"To: {message.to}",
        f"From: {message.sender}",
        f"Reference: {message.reference}",
        f"Id: {provider_id}",
        f"Length: {length.encoding}, {length.characters} characters, "
        f"{length.segments} segment(s) of {length.per_segment}",
        "",
        message.body,
        _RULE,
    ]
    return "\n".join(lines) + "\n"


class ConsoleBackend(BaseSmsBackend):
    name = "console"

    def __init__(self, *, stream: IO[str] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.stream = stream
        self._lock = threading.RLock()

    def _out(self) -> IO[str]:
        # Read when writing, not when built: tests and the shell swap sys.stdout.
        return self.stream or sys.stdout

    def send_one(self, message: SmsMessage) -> SmsResult:
        provider_id = f"{self.name}-{uuid.uuid4().hex}"
        with self._lock:
            out = self._out()
            out.write(describe(message, provider_id))
            out.flush()
        return SmsResult(message, provider_id=provider_id)


class FileBackend(ConsoleBackend):
    """Each ``send_messages`` call (or each ``open``/``close``) writes one file
    ``<timestamp>-<id>.log`` in ``path``."""

    name = "file"

    def __init__(self, *, path: str = "", **options: Any) -> None:
        super().__init__(**options)
        if not path:
            raise ImproperlyConfigured("The file SMS backend needs a directory (file:///path)")
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ImproperlyConfigured(
                f"The file SMS backend cannot use the directory {path}: {exc}"
            ) from None
        if not self.path.is_dir():
            raise ImproperlyConfigured(f"The file SMS backend's path {path} is not a directory")
        self._file: IO[str] | None = None

    def open(self) -> bool:
        if self._file is not None:
            return False
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        self._file = (self.path / f"{stamp}-{uuid.uuid4().hex[:12]}.log").open(
            "a", encoding="utf-8"
        )
        return True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _out(self) -> IO[str]:
        assert self._file is not None  # send_messages opens it
        return self._file
