"""``clientela import FILE --user NAME [--kind people|organizations|orders] [--mapping NAME]
[--on-duplicate skip|update|create] [--consent-basis BASIS --consent-wording TEXT]
[--dry-run]``: the same import as the web page, in
the terminal, with a progress bar on standard error and, as the last line of standard
output, ``created N, updated N, skipped N, failed N``.

The file is checked first (the dry run); rows that would fail are listed with their line
and column and skipped by the import. ``--resume JOB`` continues an import that was
stopped (a killed process), at its checkpoint. Exit status: 0 when every row went in
(or was a duplicate skipped on purpose), 1 when some rows failed, 2 when the file
cannot be imported at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from clientela.core.errors import NotFound
from clientela.core.management.base import ClientelaCommand, active_user, describe
from clientela.integrations import selectors, services
from clientela.integrations.imports.readers import ImportFileError
from clientela.integrations.imports.runner import Counts
from clientela.integrations.models import ImportJob, ImportKind, ImportStatus, OnDuplicate
from clientela.marketing.choices import LegalBasis


class Command(ClientelaCommand):
    help = (
        "Import people or organizations from a CSV, XLSX or vCard file, or orders from a "
        "CSV or XLSX file with one row per order line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the CSV, XLSX or vCard file")
        parser.add_argument("--user", required=True, help="import as this user")
        parser.add_argument(
            "--kind", choices=ImportKind.values, help="default: guessed from the columns"
        )
        parser.add_argument("--mapping", help="a saved column mapping's name")
        parser.add_argument(
            "--on-duplicate",
            choices=OnDuplicate.values,
            help="what to do with a row matching a record already there "
            "(default: update on the same e-mail/phone/external id, skip on a similar name)",
        )
        parser.add_argument(
            "--consent-basis",
            choices=LegalBasis.values,
            help="the legal basis of the consent columns (Consent: <purpose> (<channel>))",
        )
        parser.add_argument(
            "--consent-wording",
            help="the exact words these people agreed to (required with the basis consent)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--resume", type=int, metavar="JOB", help="continue import JOB")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["user"])
        self.show_progress = not options["no_progress"]
        if options["resume"]:
            self._resume(user, options["resume"])
            return
        if not options["file"]:
            raise CommandError(_("Give the file to import (or --resume JOB)."))
        job = self._upload(user, Path(options["file"]), options.get("kind") or "")
        mapping = job.mapping
        if options.get("mapping"):
            try:
                saved = selectors.mapping_get(kind=job.kind, name=options["mapping"])
            except NotFound:
                raise CommandError(
                    _("There is no saved mapping “%(name)s” for %(kind)s.")
                    % {"name": options["mapping"], "kind": job.kind}
                ) from None
            mapping = services.mapping_apply(saved, job.headers, job.kind)
        policy = options.get("on_duplicate")
        job = services.import_configure(
            actor=user,
            job=job,
            kind=job.kind,
            mapping=mapping,
            on_exact=policy or OnDuplicate.UPDATE,
            on_similar=policy or OnDuplicate.SKIP,
            consent_terms={
                "legal_basis": options.get("consent_basis") or "",
                "wording": options.get("consent_wording") or "",
            },
        )
        self._describe(job)
        with self._bar(job, _("checking")) as bar, self._unreadable():
            counts = services.import_check_run(job=job, progress=bar.update)
        if options["dry_run"]:
            self._report(selectors.import_issues(job=job, dry_run=True))
            self._finish(counts, job)
            return
        # Run here, not queued: a worker must not take the same job.
        job = services.import_start(actor=user, job=job, queue=False)
        self._run(job)

    @contextmanager
    def _unreadable(self) -> Iterator[None]:
        """A file that turns out unreadable part-way: its message, exit status 2."""
        try:
            yield
        except ImportFileError as exc:
            where = _("line %(row)s: ") % {"row": exc.line} if exc.line else ""
            self.stderr.write(where + exc.message)
            raise SystemExit(2) from None
        except ValidationError as exc:
            if "file" not in getattr(exc, "error_dict", {}):
                raise
            self.stderr.write(describe(exc))
            raise SystemExit(2) from None

    def _upload(self, user: Any, path: Path, kind: str) -> ImportJob:
        if not path.is_file():
            self.stderr.write(_("There is no file “%(path)s”.") % {"path": path})
            raise SystemExit(2)
        try:
            with path.open("rb") as handle:
                return services.import_upload(
                    actor=user, upload=File(handle), filename=path.name, kind=kind, read_now=True
                )
        except ValidationError as exc:
            self.stderr.write(describe(exc))
            raise SystemExit(2) from None

    def _describe(self, job: ImportJob) -> None:
        mapped = [f"{h} → {t}" for h, t in zip(job.headers, job.mapping, strict=True) if t]
        ignored = [h for h, t in zip(job.headers, job.mapping, strict=True) if not t]
        self.stderr.write(
            ngettext(
                "Import #%(id)s: %(rows)s row of %(kind)s from %(file)s",
                "Import #%(id)s: %(rows)s rows of %(kind)s from %(file)s",
                job.rows_total,
            )
            % {"id": job.pk, "rows": job.rows_total, "kind": job.kind, "file": job.filename}
        )
        self.stderr.write(_("Columns: %(list)s") % {"list": "; ".join(mapped)})
        if ignored:
            self.stderr.write(_("Ignored columns: %(list)s") % {"list": "; ".join(ignored)})

    def _bar(self, job: ImportJob, label: str) -> Any:
        return tqdm(
            total=job.rows_total,
            initial=0,
            desc=label,
            unit=_("rows"),
            # The wrapped stream itself: OutputWrapper.write would end every redraw
            # with a new line.
            file=cast(TextIO, self.stderr._out),
            disable=not self.show_progress,
            mininterval=0.5,
        )

    def _report(self, issues: Any, limit: int = 50) -> None:
        shown = 0
        total = issues.count()
        for issue in issues[:limit]:
            where = _("line %(row)s") % {"row": issue.row}
            if issue.column:
                where += f", {issue.column}"
            value = f" “{issue.value}”" if issue.value else ""
            self.stderr.write(f"{where}{value}: {issue.message}")
            shown += 1
        if total > shown:
            self.stderr.write(
                _("… and %(n)s more (see the import page for the whole report).")
                % {"n": total - shown}
            )

    def _run(self, job: ImportJob) -> None:
        job.refresh_from_db()
        with self._bar(job, _("importing")) as bar, self._unreadable():
            bar.update(job.rows_done)
            counts = services.import_run(job=job, progress=bar.update)
        if counts is None:
            raise CommandError(
                _("Import #%(id)s is being run by another process.") % {"id": job.pk}
            )
        job.refresh_from_db()
        self._report(selectors.import_issues(job=job, dry_run=False).filter(kind="error"))
        # The counts of this run (a resumed import: the rows after the checkpoint); the
        # exit status says whether any row of the whole import failed.
        self.stdout.write(counts.summary(dry_run=False))
        self.stdout.write(counts.line())
        if job.failed:
            raise SystemExit(1)

    def _resume(self, user: Any, pk: int) -> None:
        job = selectors.import_get(user=user, pk=pk)
        if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.FAILED):
            raise CommandError(
                _("Import #%(id)s is %(status)s; only a stopped import can be resumed.")
                % {"id": job.pk, "status": job.get_status_display()}
            )
        self._run(services.import_resume(actor=user, job=job, queue=False, force=True))

    def _finish(self, counts: Counts, job: ImportJob) -> None:
        self.stdout.write(counts.summary(dry_run=job.status == ImportStatus.CHECKED))
        self.stdout.write(counts.line())
        if counts.failed:
            raise SystemExit(1)
