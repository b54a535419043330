"""What an import pass counts (``Counts``: rows created, updated, skipped, failed, cells
left out, consents granted and withdrawn) and the sentence that says it (``summary``),
shared by the runner, the order import, the pages and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientela.integrations.imports.convert import Converted


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    rows: int = 0
    #: Rows written with cells left out, and how many cells.
    partial: int = 0
    cells: int = 0
    #: Consents the written rows grant and withdraw (``imports.consents``).
    consents_granted: int = 0
    consents_withdrawn: int = 0

    def add(self, other: Counts) -> None:
        for name in (
            "created",
            "updated",
            "skipped",
            "failed",
            "rows",
            "partial",
            "cells",
            "consents_granted",
            "consents_withdrawn",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def written(self, item: Converted) -> None:
        """Count a row written, with the cells it left out."""
        if item.left_out:
            self.partial += 1
            self.cells += len(item.left_out)

    def summary(self, *, dry_run: bool) -> str:
        """ "4 rows will be imported, 1 with 2 cells left out, 0 will fail." """
        return summary(
            self.created + self.updated, self.partial, self.cells, self.failed, dry_run=dry_run
        )

    def line(self) -> str:
        return _("created %(c)s, updated %(u)s, skipped %(s)s, failed %(f)s") % {
            "c": self.created,
            "u": self.updated,
            "s": self.skipped,
            "f": self.failed,
        }


def summary(written: int, partial: int, cells: int, failed: int, *, dry_run: bool) -> str:
    """What an import writes in one sentence: the rows written, how many of them with
    cells left out (and how many cells), the rows that fail."""
    if dry_run:
        rows = ngettext("%(n)s row will be imported", "%(n)s rows will be imported", written) % {
            "n": written
        }
        fail = ngettext("%(n)s will fail", "%(n)s will fail", failed) % {"n": failed}
    else:
        rows = ngettext("%(n)s row imported", "%(n)s rows imported", written) % {"n": written}
        fail = ngettext("%(n)s failed", "%(n)s failed", failed) % {"n": failed}
    left = ngettext(
        "%(rows)s with %(n)s cell left out", "%(rows)s with %(n)s cells left out", cells
    ) % {"rows": partial, "n": cells}
    return _("%(rows)s, %(left)s, %(fail)s.") % {"rows": rows, "left": left, "fail": fail}
