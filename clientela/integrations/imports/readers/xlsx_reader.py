"""XLSX: the first sheet that holds anything; its first non-empty row is the header.
Dates become ``YYYY-MM-DD``, whole numbers lose their ``.0`` (a phone stored as a number
stays ``34612345678``). Formulas are never evaluated: the cell is left empty with a
problem. The workbook is opened read-only, so rows are streamed."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

from clientela.integrations.imports.readers.base import (
    ImportFileError,
    Row,
    Table,
    check_cell,
    check_columns,
    check_unpacked,
    empty_error,
    limited_count,
    no_data_error,
    ragged,
)


def _xlsx_text(value: Any) -> str:
    """A cell's value as the text the user sees (ISO dates, no ``.0`` nor exponent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text
    return str(value).strip()


def _formula_problem(text: str) -> str:
    return _("This cell holds a formula (%(formula)s); save the sheet with values only.") % {
        "formula": text
    }


class XlsxTable(Table):
    format = "xlsx"

    def __init__(self, path: Path, headers: list[str], sheet: str, header_row: int) -> None:
        super().__init__(path, headers)
        self.sheet = sheet
        self.header_row = header_row

    @staticmethod
    def _workbook(path: Path) -> Any:
        check_unpacked(path)
        try:
            return openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise ImportFileError(
                _(
                    "This Excel file is damaged or is not really an .xlsx workbook "
                    "(%(error)s). Open it in Excel or LibreOffice, save it again as .xlsx "
                    "and import that."
                )
                % {"error": error.__class__.__name__}
            ) from None

    @classmethod
    def open(cls, path: Path) -> XlsxTable:
        workbook = cls._workbook(path)
        try:
            for sheet in workbook.worksheets:
                found = cls._header(sheet)
                if found is None:
                    continue
                number, cells = found
                check_columns(len(cells))
                table = cls(path, cells, sheet.title, number)
                if next(table._cells(sheet), None) is None:
                    raise no_data_error()
                return table
        finally:
            workbook.close()
        raise empty_error()

    @staticmethod
    def _header(sheet: Any) -> tuple[int, list[str]] | None:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_text(getattr(v, "text", v)) for v in row]
            if any(cells):
                while cells and not cells[-1]:
                    cells.pop()
                return number, cells
        return None

    def _cells(self, sheet: Any) -> Iterator[tuple[int, list[Any]]]:
        """Each non-empty row after the header: its number and its cells."""
        rows = sheet.iter_rows(min_row=self.header_row + 1)
        for number, row in enumerate(rows, start=self.header_row + 1):
            if any(getattr(c, "value", None) not in (None, "") for c in row):
                yield number, list(row)

    def rows(self, start: int = 0) -> Iterator[Row]:
        width = len(self.headers)
        workbook = self._workbook(self.path)
        try:
            for index, (number, row) in enumerate(self._cells(workbook[self.sheet])):
                if index < start:
                    continue
                cells: list[str] = []
                problems: list[tuple[int | None, str]] = []
                for column, cell in enumerate(row):
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", "") == "f":
                        formula = str(getattr(value, "text", value))
                        if column < width:
                            problems.append((column, _formula_problem(formula)))
                        cells.append("")
                    else:
                        cells.append(_xlsx_text(value))
                        check_cell(len(cells[-1]), number)
                if len(cells) > width:
                    if any(cells[width:]):
                        count = max(i for i, c in enumerate(cells) if c) + 1
                        problems.insert(0, (None, ragged(count, width)))
                    cells = cells[:width]
                cells += [""] * (width - len(cells))
                yield Row(number, cells, problems)
        finally:
            workbook.close()

    def count_rows(self) -> int:
        workbook = self._workbook(self.path)
        try:
            return limited_count(self._cells(workbook[self.sheet]))
        finally:
            workbook.close()
