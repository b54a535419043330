"""A widget's data as a file: CSV (UTF-8 with a BOM, for spreadsheets) or XLSX
(openpyxl, as the record exports write it). The figures are few (a widget's rows), so
both are built in memory. Text never becomes a formula: CSV cells that a spreadsheet
would run are prefixed with an apostrophe, XLSX text cells are typed as strings."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from clientela.core.dashboards import WidgetData

_SHEET_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, int | Decimal | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def widget_csv(data: WidgetData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_cell(c) for c in data.columns])
    for row in data.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def widget_xlsx(data: WidgetData, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title.translate(_SHEET_FORBIDDEN)[:31] or "Data"
    sheet.append([str(c) for c in data.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(data.rows, start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
                cell = sheet.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                cell.data_type = "s"
            else:
                sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
