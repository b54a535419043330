"""How a record's multi-valued details fit in one spreadsheet cell (CSV and XLSX), and
back, so an export can be re-imported without loss.

* e-mails ``address,kind``; phones ``number,kind``; addresses
  ``street,postal code,city,region,country,kind``; relationships ``kind,since``;
  a person's organizations ``name,job title``: one per line, each line a CSV row, the
  primary one first;
* tags: ``VIP, Gold`` (a tag holding a comma, a semicolon or a quote is quoted,
  CSV-style);
* custom fields: one ``cf_<key>`` column each; yes/no fields as ``yes`` / ``no``.

CSV cells that a spreadsheet would run as a formula get a leading ``'`` (``neutralize``;
OWASP "CSV injection"); ``unneutralize`` takes it off again on the way in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> str:
    """A cell's text, with a ``'`` before anything a spreadsheet would run."""
    text = "" if value is None else str(value)
    # A text that already looks neutralized ('=…, ''=…) gets one more quote, so that
    # ``unneutralize`` gives back exactly what the user typed.
    if text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return text


def unneutralize(text: str) -> str:
    """The value ``neutralize`` was given (for a text it changed)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def join_lines(rows: Iterable[Iterable[Any]]) -> str:
    """Rows of values as one cell: one CSV line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def split_lines(cell: str) -> list[list[str]]:
    """``join_lines`` read back (blank lines skipped)."""
    return [row for row in csv.reader(io.StringIO(cell)) if any(v.strip() for v in row)]


def join_tags(names: Iterable[str]) -> str:
    quoted = []
    for name in names:
        if any(c in name for c in ',;"\n') or name != name.strip():
            name = '"' + name.replace('"', '""') + '"'
        quoted.append(name)
    return ", ".join(quoted)


def split_tags(cell: str, separator: str = ",") -> list[str]:
    if not cell.strip():
        return []
    row = next(csv.reader(io.StringIO(cell), delimiter=separator, skipinitialspace=True))
    return [name for name in row if name.strip()]


def custom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
