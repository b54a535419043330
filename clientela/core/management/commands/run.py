"""``clientela run``: the web server and the task worker together, for a laptop or a
demo (``make demo`` ends with it). Prints the URL and the demo logins; Ctrl-C stops
both. Production runs ``clientela serve`` and ``clientela worker`` as separate services.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from clientela.core.demo import demo_logins

STARTUP_SECONDS = 60


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _answers(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - probing only
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Command(BaseCommand):
    help = "Run the web server and the task worker until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(_("--port must be between 1 and 65535."))
        if not _port_free(host, port):
            raise CommandError(
                _("Port %(port)s on %(host)s is already in use; choose another with --port.")
                % {"port": port, "host": host}
            )
        cli = [sys.executable, "-m", "clientela.cli"]
        web_cmd = [
            *cli,
            "serve",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(max(1, options["workers"])),
            "--no-access-log",
        ]
        # Own sessions: Ctrl-C reaches only this process, which then stops the children
        # in order instead of all three racing to shut down.
        web = subprocess.Popen(web_cmd, start_new_session=True)  # noqa: S603
        worker = subprocess.Popen([*cli, "worker"], start_new_session=True)  # noqa: S603
        children = [web, worker]
        previous = signal.signal(signal.SIGTERM, _raise_stop)
        try:
            self._wait_until_up(web, host, port)
            self._banner(host, port)
            while all(p.poll() is None for p in children):
                time.sleep(0.5)
            failed = next(p for p in children if p.poll() is not None)
            name = _("web server") if failed is web else _("task worker")
            raise CommandError(
                _("The %(name)s stopped (exit code %(code)s); stopping everything.")
                % {"name": name, "code": failed.returncode}
            )
        except (KeyboardInterrupt, _Stop):
            self.stdout.write(_("Stopping…"))
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut this short
            _stop(children)
            signal.signal(signal.SIGTERM, previous)

    def _wait_until_up(self, web: subprocess.Popen[bytes], host: str, port: int) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(host, port):
            if web.poll() is not None:
                raise CommandError(
                    _("The web server did not start (exit code %(code)s).")
                    % {"code": web.returncode}
                )
            if time.monotonic() > deadline:
                raise CommandError(_("The web server did not answer within a minute."))
            time.sleep(0.2)

    def _banner(self, host: str, port: int) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        if ":" in shown:
            shown = f"[{shown}]"
        out = self.stdout
        out.write("")
        out.write(
            self.style.SUCCESS(
                _("Clientela is running at http://%(host)s:%(port)s/")
                % {"host": shown, "port": port}
            )
        )
        logins = demo_logins()
        if logins:
            out.write(_("Demo logins (user / password):"))
            width = max(len(u) for u, _p, _d in logins)
            for username, password, description in logins:
                out.write(f"  {username:<{width}} / {password}   ({description})")
        else:
            out.write(
                _(
                    "No demo users yet: load them with `clientela demo`, or add one with "
                    "`clientela createuser`."
                )
            )
        out.write(_("The task worker is running too. Press Ctrl-C to stop both."))
        out.flush()
