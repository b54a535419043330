"""``clientela serve``: the production web server (gunicorn on ``clientela.wsgi``).

Static files are served by WhiteNoise from STATIC_ROOT, which ``serve`` fills with
``collectstatic`` before starting (skip with ``--no-collectstatic`` when a deploy step
already ran it, e.g. with several ``serve`` processes sharing one data directory).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from clientela.env import env_host, env_int


def gunicorn_argv(
    *, host: str, port: int, workers: int, threads: int, timeout: int, access_log: bool
) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "clientela.wsgi:application",
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "20",
        "--error-logfile",
        "-",
        # gunicorn's highest request-line limit (its default is 4,094 bytes): the API's
        # longest allowed query fits (MAX_QUERY_BYTES), and a longer one than that
        # reaching Django is refused by LongQueryMiddleware in the API's JSON.
        "--limit-request-line",
        "8190",
    ]
    if access_log:
        argv += ["--access-logfile", "-"]
    if _gunicorn_has_control_socket():
        # Newer gunicorns open a control socket at one fixed path per user; several
        # `serve` processes on a host would fight over it, and we do not use it.
        argv.append("--no-control-socket")
    return argv


def _gunicorn_has_control_socket() -> bool:
    # gunicorn reads WEB_CONCURRENCY as it is imported: only once the command has checked it.
    from gunicorn import config  # noqa: PLC0415

    return any(getattr(s, "name", "") == "control_socket_disable" for s in config.KNOWN_SETTINGS)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
    if number < 1:
        raise CommandError(_("“%(value)s” must be at least 1.") % {"value": value})
    return number


class Command(BaseCommand):
    help = "Run the production web server (gunicorn)."
    requires_system_checks: tuple[str, ...] = ()  # gunicorn's workers load the app and run them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help="address to listen on (default: $CLIENTELA_HOST)")
        parser.add_argument("--port", help="port (default: $CLIENTELA_PORT or 8000)")
        parser.add_argument("--workers", help="worker processes (default: $WEB_CONCURRENCY or 2)")
        parser.add_argument("--threads", default="1", help="threads per worker (default 1)")
        parser.add_argument(
            "--timeout", default="30", help="seconds before a stuck request is killed"
        )
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--no-access-log", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        # An option given wins; otherwise its variable, read (and checked) only then.
        if options["port"] is None:
            port = env_int("CLIENTELA_PORT", 8000, minimum=1, maximum=65535)
        else:
            port = _positive(str(options["port"]))
            if port > 65535:
                raise CommandError(_("--port must be between 1 and 65535."))
        # Checked even when --workers replaces it: gunicorn reads it too, as it loads its
        # configuration (here, and in the process it becomes), and fails with a traceback.
        workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
        if options["workers"] is not None:
            workers = _positive(str(options["workers"]))
        host = options["host"] or env_host("CLIENTELA_HOST", "127.0.0.1")
        argv = gunicorn_argv(
            host=host,
            port=port,
            workers=workers,
            threads=_positive(str(options["threads"])),
            timeout=_positive(str(options["timeout"])),
            access_log=not options["no_access_log"],
        )
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        sys.stdout.flush()
        sys.stderr.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
        # Replace this process so signals from a supervisor (systemd, Docker, `run`)
        # reach gunicorn's master directly.
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter and fixed arguments
