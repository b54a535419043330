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
import re
from typing import Any

# The writing halves live with the kinds' export columns (``core.exports``); the
# readers here and in ``imports`` take them from this module, beside their inverses.
from clientela.core.exports import custom_text, join_lines, join_tags

__all__ = [
    "custom_text",
    "join_lines",
    "join_tags",
    "neutralize",
    "split_lines",
    "split_tags",
    "unneutralize",
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: A phone number in E.164 (+34612904550) and a birthday without a year (Google's
#: ``--05-21``): a spreadsheet reads them as numbers at worst, runs nothing, and Google
#: and Outlook would keep a ``'`` before them as part of the value.
_PLAIN = re.compile(r"\+[1-9]\d{5,14}|--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


def neutralize(value: Any) -> str:
    """A cell's text, with a ``'`` before anything a spreadsheet would run (not before a
    phone number in E.164 nor a birthday without a year, which run nothing)."""
    text = "" if value is None else str(value)
    if _PLAIN.fullmatch(text):
        return text
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


def split_lines(cell: str) -> list[list[str]]:
    """``join_lines`` read back (blank lines skipped)."""
    return [row for row in csv.reader(io.StringIO(cell)) if any(v.strip() for v in row)]


def split_tags(cell: str, separator: str = ",") -> list[str]:
    if not cell.strip():
        return []
    row = next(csv.reader(io.StringIO(cell), delimiter=separator, skipinitialspace=True))
    return [name for name in row if name.strip()]
