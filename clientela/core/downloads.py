"""CSV downloads of figures (reports, analyses): one writer for every app, so a cell
that a spreadsheet would run as a formula never leaves as one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

#: A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A text cell a spreadsheet will not run as a formula (a leading apostrophe)."""
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def csv_response(filename: str, header: list[Any], rows: Iterable[list[Any]]) -> HttpResponse:
    """A CSV download of ``rows`` under ``header`` (pass text cells through
    ``csv_cell``; numbers are written as they are)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
