"""CSV: the encoding is chosen from the first megabyte: a UTF-8 BOM gives ``utf-8-sig``;
else a strict UTF-8 decode that succeeds gives ``utf-8``; else ``cp1252`` (what Excel
writes on Windows) if it decodes; else ``latin-1`` (which decodes anything). The rest of
the file is decoded with ``errors="replace"``, so a byte further on that does not fit
gives that row a problem instead of stopping the import. The delimiter (``,`` ``;`` tab
``|``) is sniffed from the first lines, or else the one most frequent in the header line
wins. Blank lines are skipped; cells are stripped.

(Named ``csv_reader`` so that it never stands for the standard library's ``csv``.)
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TextIO

from django.utils.translation import gettext as _

from clientela.integrations.imports.readers.base import (
    REPLACEMENT,
    ImportFileError,
    Row,
    Table,
    cell_error,
    check_cell,
    check_columns,
    empty_error,
    limited_count,
    no_data_error,
    ragged,
    undecodable,
)

DELIMITERS = ",;\t|"


def _no_header_names_error() -> ImportFileError:
    return ImportFileError(
        _(
            "The first row has no column names. Put a header row with a name for each "
            "column at the top of the file."
        ),
        line=1,
    )


def detect_encoding(head: bytes, *, complete: bool) -> str:
    """UTF-8 (with or without BOM) if the sample decodes strictly, else cp1252, else
    latin-1. ``complete`` says the sample is the whole file (else it may end inside a
    character, which is not an error)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(text: str) -> str:
    """The sniffer's choice if the header line holds it, else the delimiter that the
    header line (outside quotes) holds most often, else a comma (one column)."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    header = re.sub(r'"[^"]*"', "", lines[0])
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and sniffed in header:
        return sniffed
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvTable(Table):
    format = "csv"

    def __init__(self, path: Path, headers: list[str], encoding: str, delimiter: str) -> None:
        super().__init__(path, headers)
        self.encoding = encoding
        self.delimiter = delimiter

    @classmethod
    def open(cls, path: Path, encoding: str, delimiter: str) -> CsvTable:
        table = cls(path, [], encoding, delimiter)
        records = table._records()
        try:
            header = next(records, None)
            if header is None:
                raise empty_error()
            check_columns(len(header[1]))
            table.headers = header[1]
            if not any(table.headers):
                raise _no_header_names_error()
            if next(records, None) is None:
                raise no_data_error()
        finally:
            records.close()
        return table

    def _lines(self, stream: TextIO, bad: list[bool]) -> Iterator[str]:
        for line in stream:
            if REPLACEMENT in line:
                bad[0] = True
            yield line

    def _records(self) -> Generator[tuple[int, list[str], bool], None, None]:
        """Each non-blank CSV record: the line it starts on, its stripped cells, and
        whether a byte in it could not be decoded."""
        bad = [False]
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as stream:
            source = stream if self.encoding == "latin-1" else self._lines(stream, bad)
            reader = csv.reader(source, delimiter=self.delimiter, strict=False)
            start = 1
            try:
                for raw in reader:
                    end = reader.line_num
                    cells = [c.strip() for c in raw]
                    check_cell(max(map(len, cells), default=0), start)
                    flagged = bad[0]
                    bad[0] = False
                    # A first row of bare delimiters is a header without names.
                    if any(cells) or (start == 1 and len(cells) > 1):
                        yield start, cells, flagged
                    start = end + 1
            except csv.Error as error:
                # A cell longer than the csv module reads, within one line (across
                # lines it is most likely a quote that never closes).
                if "field limit" in str(error) and reader.line_num <= start:
                    raise ImportFileError(cell_error(start)) from None
                raise ImportFileError(
                    _(
                        "Line %(line)s: this row cannot be read (%(error)s); a quoted cell "
                        'probably never ends (a closing " is missing). Fix it and import '
                        "again."
                    )
                    % {"line": start, "error": error},
                    line=start,
                ) from None

    def rows(self, start: int = 0) -> Iterator[Row]:
        width = len(self.headers)
        records = self._records()
        next(records)  # the header
        for index, (number, cells, flagged) in enumerate(records):
            if index < start:
                continue
            problems: list[tuple[int | None, str]] = []
            if len(cells) != width:
                if len(cells) > width and not any(cells[width:]):
                    cells = cells[:width]  # trailing delimiters: nothing lost
                else:
                    problems.append((None, ragged(len(cells), width)))
                    cells = cells[:width] + [""] * (width - len(cells))
            if flagged:
                problems.append((None, undecodable(self.encoding)))
            yield Row(number, cells, problems)

    def count_rows(self) -> int:
        records = self._records()
        next(records)  # the header
        return limited_count(records)
