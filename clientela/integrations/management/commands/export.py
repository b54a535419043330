"""``clientela export people|organizations|leads|deals|tasks|… --user NAME --format
csv|xlsx|vcf|json``: what that user may see, streamed to standard output or to
``--output FILE``. Every exportable kind (``RecordKind.exportable``) is offered; vCard
only for people and organizations.

``--filters`` takes a list page's query string (``"tag=3&city=Madrid&sort=-name"``);
unlike the page, a bad value there is an error, not silently left out.
XLSX is binary: it needs ``--output`` (or a pipe) and is refused on a terminal.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.http import QueryDict
from django.utils.translation import gettext as _

from clientela.core.management.base import ClientelaCommand, active_user
from clientela.integrations.exports import FORMATS, KINDS, parse_filters


class Command(ClientelaCommand):
    help = "Export the records of one kind a user may see (CSV, XLSX, JSON; vCard for contacts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what to export")
        parser.add_argument("--user", required=True, help="export what this user may see")
        parser.add_argument("--format", dest="fmt", choices=list(FORMATS), default="csv")
        parser.add_argument("--output", "-o", help="write to this file (default: stdout)")
        parser.add_argument(
            "--filters",
            default="",
            help='the list filters as a query string, e.g. "tag=3&city=Madrid&sort=-name"',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind, fmt = KINDS[options["kind"]], FORMATS[options["fmt"]]
        user = active_user(options["user"])
        if not fmt.offers(kind):
            raise CommandError(
                _("%(kind)s cannot be exported as %(format)s.")
                % {"kind": kind.plural, "format": fmt.key.upper()}
            )
        filters, errors = parse_filters(kind, QueryDict(options["filters"]))
        if errors:
            raise CommandError(
                "--filters: "
                + "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
            )
        output = options["output"]
        if output:
            self._to_file(output, fmt.write(kind, user=user, filters=filters))
            return
        if fmt.binary and self.stdout.isatty():
            raise CommandError(
                _(
                    "%(format)s is a binary format: give --output FILE, or redirect the "
                    "output to a file."
                )
                % {"format": fmt.key.upper()}
            )
        # No BOM on a pipe: it is for spreadsheet programs opening a file.
        extra: dict[str, Any] = {"bom": False} if fmt.key == "csv" else {}
        self._to_stdout(fmt.write(kind, user=user, filters=filters, **extra))

    def _to_file(self, path: str, chunks: Any) -> None:
        try:
            with open(path, "wb") as file:
                for chunk in chunks:
                    file.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        except OSError as exc:
            raise CommandError(
                _("Cannot write “%(path)s”: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None

    def _to_stdout(self, chunks: Any) -> None:
        out = getattr(self.stdout, "_out", sys.stdout)
        binary = getattr(out, "buffer", None)
        for chunk in chunks:
            if isinstance(chunk, bytes):
                if binary is None:
                    raise CommandError(_("Standard output cannot take binary data; use --output."))
                binary.write(chunk)
            else:
                out.write(chunk)
        out.flush()
