"""What every import reader shares: the ``Table`` of text cells it opens and the ``Row``
objects it yields, ``ImportFileError`` for a file that cannot be read at all, the size
limit, and the messages of the problems more than one format finds."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

#: What a byte that does not fit the file's encoding becomes (``errors="replace"``).
REPLACEMENT = "\ufffd"


class ImportFileError(ValueError):
    """The file cannot be read at all; ``message`` (translated, for the user) says why and
    what to do, ``line`` where it went wrong when known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Row:
    """One data row: ``number`` as the user sees it (CSV line, sheet row, or the line of
    the contact's ``BEGIN:VCARD``), exactly one cell per header."""

    number: int
    cells: list[str]
    problems: list[tuple[int | None, str]] = field(default_factory=list)


class Table:
    """An opened import file. ``rows()`` may still raise ``ImportFileError`` part-way
    through when the rest of the file cannot be read (a CSV quote that never closes)."""

    format: str = ""
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""

    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path = path
        self.headers = headers

    def rows(self, start: int = 0) -> Iterator[Row]:
        """The data rows, skipping the first ``start`` (to resume an import)."""
        raise NotImplementedError

    def count_rows(self) -> int:
        """How many data rows ``rows()`` yields (reads the file once more)."""
        raise NotImplementedError


def _size_text(size: float) -> str:
    if size >= 1024**3:
        return _("%(n).1f GB") % {"n": size / 1024**3}
    if size >= 1024**2:
        return _("%(n).1f MB") % {"n": size / 1024**2}
    return _("%(n).1f KB") % {"n": size / 1024}


def ragged(count: int, width: int) -> str:
    return _("This row has %(n)s columns; the header has %(width)s.") % {
        "n": count,
        "width": width,
    }


def undecodable(encoding: str) -> str:
    return _(
        "Some characters of this row could not be read as %(encoding)s and show as �; "
        "save the file as CSV UTF-8 to keep them."
    ) % {"encoding": encoding}


def empty_error() -> ImportFileError:
    return ImportFileError(
        _("The file is empty. Choose a file with a header row and at least one row of data.")
    )


def no_data_error() -> ImportFileError:
    return ImportFileError(_("The file has a header row but no data rows: nothing to import."))


def binary_error() -> ImportFileError:
    return ImportFileError(
        _(
            "This is not a text file (it holds binary data: a picture, a PDF or a ZIP "
            "renamed?). Save your data as CSV (UTF-8), Excel .xlsx or vCard (.vcf) and "
            "import that."
        )
    )


def checked_size(path: Path) -> int:
    """The file's size in bytes; ImportFileError if it is empty or over the limit."""
    return checked_bytes(os.stat(path).st_size)


def checked_bytes(size: int) -> int:
    """``size`` (of a file, or of an upload not stored yet); ImportFileError if it is
    0 or over the limit."""
    limit = settings.CLIENTELA_MAX_IMPORT_MB * 1024 * 1024
    if size > limit:
        raise ImportFileError(
            _(
                "The file is %(size)s; the largest import is %(limit)s "
                "(CLIENTELA_MAX_IMPORT_MB). Split it into smaller files."
            )
            % {"size": _size_text(size), "limit": _size_text(limit)}
        )
    if size == 0:
        raise empty_error()
    return size


# --- the limits of what a file may hold (settings, read when a file is opened) -------------


def check_columns(count: int) -> None:
    """ImportFileError when a header has more columns than ``CLIENTELA_IMPORT_MAX_COLUMNS``."""
    limit = settings.CLIENTELA_IMPORT_MAX_COLUMNS
    if count > limit:
        raise ImportFileError(
            _(
                "The file has %(n)s columns; an import takes at most %(limit)s "
                "(CLIENTELA_IMPORT_MAX_COLUMNS). Remove the columns you do not need."
            )
            % {"n": count, "limit": limit},
            line=1,
        )


def check_cell(length: int, line: int) -> None:
    """ImportFileError when a cell holds more than ``CLIENTELA_IMPORT_MAX_CELL`` characters."""
    limit = settings.CLIENTELA_IMPORT_MAX_CELL
    if length > limit:
        raise ImportFileError(cell_error(line))


def cell_error(line: int) -> str:
    return _(
        "Line %(line)s: a cell holds more than %(limit)s characters "
        "(CLIENTELA_IMPORT_MAX_CELL). Shorten it and import again."
    ) % {"line": line, "limit": settings.CLIENTELA_IMPORT_MAX_CELL}


def limited_count(items: Iterable[object]) -> int:
    """How many ``items``, stopping with ImportFileError past ``CLIENTELA_IMPORT_MAX_ROWS``."""
    limit = settings.CLIENTELA_IMPORT_MAX_ROWS
    count = 0
    for _item in items:
        count += 1
        if count > limit:
            raise ImportFileError(
                _(
                    "The file has more than %(limit)s rows (CLIENTELA_IMPORT_MAX_ROWS). "
                    "Split it into smaller files."
                )
                % {"limit": limit}
            )
    return count


def unpacked_size(path: Path) -> int:
    """The uncompressed size of a zip file (an .xlsx) from its directory, without
    unpacking anything; ``-1`` when it is no zip file."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return -1


def check_unpacked(path: Path) -> None:
    """ImportFileError when an .xlsx unpacks to more than ``CLIENTELA_IMPORT_MAX_XLSX_MB``
    (checked before the workbook is parsed: a small file can hold a huge sheet)."""
    limit = settings.CLIENTELA_IMPORT_MAX_XLSX_MB * 1024 * 1024
    size = unpacked_size(path)
    if size > limit:
        raise ImportFileError(
            _(
                "This Excel file unpacks to %(size)s; the largest an import reads is "
                "%(limit)s (CLIENTELA_IMPORT_MAX_XLSX_MB). Split it into smaller files or "
                "save it as CSV."
            )
            % {"size": _size_text(size), "limit": _size_text(limit)}
        )
