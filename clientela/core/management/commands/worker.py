"""``clientela worker``: run background tasks with whichever ``django_tasks`` backend
settings name: the database worker by default, an RQ worker on Redis at scale. A busy
or lost database does not stop it: each step is tried again (``core.worker``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.health import background_health
from clientela.core.registry import run_worker_startup_hooks
from clientela.core.worker import until_done


class Command(BaseCommand):
    help = "Run the background task worker (stops on Ctrl-C / SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name", default="*", help="queues to process, comma-separated ('*' = all)"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument(
            "--status",
            action="store_true",
            help="show the health of background work (recurring jobs, queue), then exit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("status"):
            self._status()
            return
        # Tasks keep the default "system" interface: the worker runs them on behalf of
        # whoever queued them, not as a command-line change.
        backend = settings.TASKS["default"]["BACKEND"]
        # Recurring jobs and catch-up runs the domain apps registered (core names none).
        until_done(run_worker_startup_hooks, what="worker start-up")
        if backend.startswith("django_tasks_db."):
            extra = ["--batch"] if options["batch"] else []
            until_done(
                lambda: call_command(
                    "db_worker",
                    "--queue-name",
                    options["queue_name"],
                    "--interval",
                    str(options["interval"]),
                    *extra,
                    verbosity=options["verbosity"],
                ),
                what="worker",
            )
        elif backend.startswith("django_tasks_rq."):
            queues = settings.TASKS["default"].get("QUEUES", ["default"])
            extra = ["--burst"] if options["batch"] else []
            # With its scheduler: jobs queued with ``run_after`` (reminders, the hourly
            # birthday run, the daily quote expiry) wait in RQ's scheduled registry and
            # only the scheduler moves them to the queue when they are due.
            call_command(
                "rqworker",
                *queues,
                "--job-class",
                "django_tasks_rq.Job",
                "--with-scheduler",
                *extra,
            )
        else:
            raise CommandError(
                _("No worker needed or known for the task backend %(backend)s.")
                % {"backend": backend}
            )

    def _status(self) -> None:
        """The health of background work; exits 1 when a recurring job is overdue."""
        health = background_health()
        if not health.known:
            self.stdout.write(_("The task backend cannot be asked what it has run."))
            return
        for item in health.jobs:
            when = _when(item.last_run) if item.last_run else _("never")
            flag = _("OVERDUE") if item.overdue else _("ok")
            self.stdout.write(
                _("%(job)s: last run %(when)s, every %(period)s, %(flag)s")
                % {"job": item.job.label, "when": when, "period": item.job.period, "flag": flag}
            )
        oldest = _when(health.oldest_waiting) if health.oldest_waiting else _("none")
        self.stdout.write(
            _("Tasks waiting to run: %(n)s; the oldest waits since %(when)s")
            % {"n": health.waiting, "when": oldest}
        )
        if any(item.overdue for item in health.jobs):
            raise CommandError(_("A recurring job is overdue: is a worker running?"))


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z")
