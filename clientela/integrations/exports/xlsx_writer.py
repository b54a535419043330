"""XLSX: the tabular columns in one sheet, written by openpyxl in write-only mode (rows
go to a temporary file as they come, strings inline, so memory stays flat whatever the
row count), then streamed from that file.

Every text cell is written as a string, never as a formula, even when it starts with
``=`` (openpyxl would otherwise take ``=HYPERLINK(…)`` for a formula), so a payload
stays inert text and the value survives unchanged for a re-import."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

from clientela.core.kinds import RecordKind
from clientela.integrations.exports.records import table_rows

BLOCK = 64 * 1024
_INVALID_SHEET_CHARS = str.maketrans("", "", "[]:*?/\\")


def _cell(sheet: Any, value: Any, font: Font | None = None) -> Cell:
    if isinstance(value, int) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        # Control characters are not allowed in XLSX text (openpyxl refuses them).
        text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # text, even when it looks like a formula
    if font is not None:
        cell.font = font
    return cell


def write_xlsx(kind: RecordKind, *, user: Any, filters: Any = None) -> Iterator[bytes]:
    with tempfile.TemporaryFile(suffix=".xlsx") as file:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(kind.plural).translate(_INVALID_SHEET_CHARS)[:31])
        rows = table_rows(kind, user=user, filters=filters)
        bold = Font(bold=True)
        sheet.append([_cell(sheet, label, bold) for label in next(rows)])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
        workbook.save(file)
        file.seek(0)
        while block := file.read(BLOCK):
            yield block
