"""Read an import file (CSV, XLSX or vCard) as a table of text cells, one row at a time.

Nothing here knows about Django models: a ``Table`` has ``headers`` and yields ``Row``
objects whose ``cells`` are plain strings, with the ``problems`` found while reading (a
cell that could not be decoded, a formula, a ragged row…), so the converter can report
them with the row number the user sees. Files are streamed: a row is read when it is
asked for, never the whole file.

* **CSV** — the encoding is chosen from the first megabyte: a UTF-8 BOM gives
  ``utf-8-sig``; else a strict UTF-8 decode that succeeds gives ``utf-8``; else
  ``cp1252`` (what Excel writes on Windows) if it decodes; else ``latin-1`` (which
  decodes anything). The rest of the file is decoded with ``errors="replace"``, so a
  byte further on that does not fit gives that row a problem instead of stopping the
  import. The delimiter (``,`` ``;`` tab ``|``) is sniffed from the first lines, or else
  the one most frequent in the header line wins. Blank lines are skipped; cells are
  stripped.
* **XLSX** — the first sheet that holds anything; its first non-empty row is the header.
  Dates become ``YYYY-MM-DD``, whole numbers lose their ``.0`` (a phone stored as a
  number stays ``34612345678``). Formulas are never evaluated: the cell is left empty
  with a problem.
* **vCard** 2.1/3.0/4.0 — split on ``BEGIN:VCARD``/``END:VCARD`` lines here, each card
  parsed by vobject, so memory holds one contact. The table has fixed headers that are
  the column keys of Clientela's own export (``VCARD_PEOPLE_HEADERS``, or
  ``VCARD_ORGANIZATION_HEADERS`` when the first card is ``KIND:org``), multi-valued
  cells in the formats of ``exports/cells.py``. ``PHOTO``, ``LOGO``, ``SOUND`` and
  ``KEY`` are dropped while reading (they can be megabytes of base64 and Clientela has
  nowhere to keep them).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.utils.translation import gettext as _

from clientela.integrations.exports.cells import join_lines, join_tags

SAMPLE_BYTES = 1024 * 1024
DELIMITERS = ",;\t|"
CSV_EXTENSIONS = {".csv", ".txt", ".tsv", ".tab"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
VCF_EXTENSIONS = {".vcf", ".vcard"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected .xlsx)
_ZIP = b"PK\x03\x04"
_BINARY_MAGIC = (_ZIP, _OLE2, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"

VCARD_PEOPLE_HEADERS = [
    "id",
    "first_name",
    "last_name",
    "emails",
    "phones",
    "addresses",
    "organizations",
    "job_title",
    "birthday",
    "notes",
    "tags",
    "website",
    "external_id",
    "preferred_language",
    "preferred_channel",
    "owner",
    "relationships",
]
VCARD_ORGANIZATION_HEADERS = [
    "id",
    "name",
    "website",
    "emails",
    "phones",
    "addresses",
    "notes",
    "tags",
    "external_id",
    "owner",
    "relationships",
]


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


def _ragged(count: int, width: int) -> str:
    return _("This row has %(n)s columns; the header has %(width)s.") % {
        "n": count,
        "width": width,
    }


def _undecodable(encoding: str) -> str:
    return _(
        "Some characters of this row could not be read as %(encoding)s and show as �; "
        "save the file as CSV UTF-8 to keep them."
    ) % {"encoding": encoding}


def _empty_error() -> ImportFileError:
    return ImportFileError(
        _("The file is empty. Choose a file with a header row and at least one row of data.")
    )


def _no_data_error() -> ImportFileError:
    return ImportFileError(_("The file has a header row but no data rows: nothing to import."))


def _binary_error() -> ImportFileError:
    return ImportFileError(
        _(
            "This is not a text file (it holds binary data: a picture, a PDF or a ZIP "
            "renamed?). Save your data as CSV (UTF-8), Excel .xlsx or vCard (.vcf) and "
            "import that."
        )
    )


def _no_header_names_error() -> ImportFileError:
    return ImportFileError(
        _(
            "The first row has no column names. Put a header row with a name for each "
            "column at the top of the file."
        ),
        line=1,
    )


def open_table(path: str | Path, *, filename: str = "") -> Table:
    """Open an import file; format from the file name's extension, else sniffed from the
    content; raises ImportFileError for files that cannot be imported at all."""
    path = Path(path)
    size = os.stat(path).st_size
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
        raise _empty_error()
    with open(path, "rb") as stream:
        head = stream.read(SAMPLE_BYTES)
    extension = Path(filename or path.name).suffix.lower()
    if extension == ".xls" or head.startswith(_OLE2):
        raise ImportFileError(
            _(
                "This is an old Excel workbook (.xls) or a password-protected one. Open it "
                "in Excel or LibreOffice, save it as .xlsx or CSV without a password, and "
                "import that."
            )
        )
    if extension in XLSX_EXTENSIONS or (
        extension not in CSV_EXTENSIONS | VCF_EXTENSIONS and head.startswith(_ZIP)
    ):
        return _XlsxTable.open(path)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(_("This file is UTF-16 text. Save it as CSV UTF-8 and import that."))
    encoding = _detect_encoding(head, complete=size <= len(head))
    text = head.decode(encoding, errors="replace")
    if not text.strip():
        raise _empty_error()
    if _looks_binary(head, text, encoding):
        raise _binary_error()
    first_line = next(line for line in text.splitlines() if line.strip())
    if extension in VCF_EXTENSIONS or (
        extension not in CSV_EXTENSIONS and first_line.strip().upper() == "BEGIN:VCARD"
    ):
        return _VcardTable.open(path, encoding)
    if extension not in CSV_EXTENSIONS and not any(d in first_line for d in DELIMITERS):
        raise ImportFileError(
            _(
                "Clientela cannot tell what kind of file this is. Import a CSV, an Excel "
                ".xlsx or a vCard (.vcf) file."
            )
        )
    return _CsvTable.open(path, encoding, _detect_delimiter(text))


def _detect_encoding(head: bytes, *, complete: bool) -> str:
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


def _looks_binary(head: bytes, text: str, encoding: str) -> bool:
    if b"\x00" in head or head.startswith(_BINARY_MAGIC):
        return True
    controls = len(_CONTROL.findall(text))
    if encoding == "latin-1":  # C1 controls: what random bytes become in Latin-1
        controls += sum(1 for c in text if "\x80" <= c <= "\x9f")
    return controls > max(2, len(text) // 100)


def _detect_delimiter(text: str) -> str:
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


# --- CSV ---------------------------------------------------------------------------


class _CsvTable(Table):
    format = "csv"

    def __init__(self, path: Path, headers: list[str], encoding: str, delimiter: str) -> None:
        super().__init__(path, headers)
        self.encoding = encoding
        self.delimiter = delimiter

    @classmethod
    def open(cls, path: Path, encoding: str, delimiter: str) -> _CsvTable:
        table = cls(path, [], encoding, delimiter)
        records = table._records()
        try:
            header = next(records, None)
            if header is None:
                raise _empty_error()
            table.headers = header[1]
            if not any(table.headers):
                raise _no_header_names_error()
            if next(records, None) is None:
                raise _no_data_error()
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
                    flagged = bad[0]
                    bad[0] = False
                    # A first row of bare delimiters is a header without names.
                    if any(cells) or (start == 1 and len(cells) > 1):
                        yield start, cells, flagged
                    start = end + 1
            except csv.Error as error:
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
                    problems.append((None, _ragged(len(cells), width)))
                    cells = cells[:width] + [""] * (width - len(cells))
            if flagged:
                problems.append((None, _undecodable(self.encoding)))
            yield Row(number, cells, problems)

    def count_rows(self) -> int:
        return sum(1 for _record in self._records()) - 1


# --- XLSX --------------------------------------------------------------------------


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


class _XlsxTable(Table):
    format = "xlsx"

    def __init__(self, path: Path, headers: list[str], sheet: str, header_row: int) -> None:
        super().__init__(path, headers)
        self.sheet = sheet
        self.header_row = header_row

    @staticmethod
    def _workbook(path: Path) -> Any:
        import openpyxl

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
    def open(cls, path: Path) -> _XlsxTable:
        workbook = cls._workbook(path)
        try:
            for sheet in workbook.worksheets:
                found = cls._header(sheet)
                if found is None:
                    continue
                number, cells = found
                table = cls(path, cells, sheet.title, number)
                if next(table._cells(sheet), None) is None:
                    raise _no_data_error()
                return table
        finally:
            workbook.close()
        raise _empty_error()

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
                if len(cells) > width:
                    if any(cells[width:]):
                        count = max(i for i, c in enumerate(cells) if c) + 1
                        problems.insert(0, (None, _ragged(count, width)))
                    cells = cells[:width]
                cells += [""] * (width - len(cells))
                yield Row(number, cells, problems)
        finally:
            workbook.close()

    def count_rows(self) -> int:
        workbook = self._workbook(self.path)
        try:
            return sum(1 for _row in self._cells(workbook[self.sheet]))
        finally:
            workbook.close()


# --- vCard -------------------------------------------------------------------------

_SKIPPED_PROPERTIES = ("PHOTO", "LOGO", "SOUND", "KEY")
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?[;:]")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(T.*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


def _property_name(line: str) -> str:
    name = re.split(r"[;:]", line, maxsplit=1)[0]
    return name.rsplit(".", 1)[-1].upper()


@dataclass
class _Card:
    number: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    flagged: bool = False
    ended: bool = True


class _VcardTable(Table):
    format = "vcf"

    def __init__(self, path: Path, headers: list[str], encoding: str) -> None:
        super().__init__(path, headers)
        self.file_encoding = encoding
        self.organizations = headers is VCARD_ORGANIZATION_HEADERS

    @classmethod
    def open(cls, path: Path, encoding: str) -> _VcardTable:
        with open(path, encoding=encoding, errors="replace") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                if line.strip().upper() != "BEGIN:VCARD":
                    raise ImportFileError(
                        _(
                            "Line %(line)s: a vCard file starts with BEGIN:VCARD, this one "
                            "does not. Export the contacts again as vCard (.vcf)."
                        )
                        % {"line": number},
                        line=number,
                    )
                break
        table = cls(path, VCARD_PEOPLE_HEADERS, encoding)
        first = next(table._cards(), None)
        if first is None:
            raise _no_data_error()
        if any(re.match(r"^KIND:\s*org", text, re.I) for _n, text in first.lines):
            table = cls(path, VCARD_ORGANIZATION_HEADERS, encoding)
        return table

    def _cards(self) -> Iterator[_Card]:
        """Each contact's physical lines, with the big binary properties left out."""
        card: _Card | None = None
        skipping = False
        with open(self.path, encoding=self.file_encoding, errors="replace") as stream:
            for number, raw in enumerate(stream, start=1):
                line = raw.rstrip("\r\n")
                marker = line.strip().upper()
                if marker == "BEGIN:VCARD":
                    if card is not None:
                        card.ended = False
                        yield card
                    card, skipping = _Card(number), False
                    continue
                if card is None:
                    continue  # text between contacts
                if marker == "END:VCARD":
                    yield card
                    card = None
                    continue
                if skipping and (not line.strip() or line[:1] in " \t"):
                    continue
                skipping = _property_name(line) in _SKIPPED_PROPERTIES
                if skipping:
                    continue
                if REPLACEMENT in line:
                    card.flagged = True
                card.lines.append((number, line))
        if card is not None:
            card.ended = False
            yield card

    def count_rows(self) -> int:
        with open(self.path, encoding=self.file_encoding, errors="replace") as stream:
            return sum(1 for line in stream if line.strip().upper() == "BEGIN:VCARD")

    def rows(self, start: int = 0) -> Iterator[Row]:
        for index, card in enumerate(self._cards()):
            if index >= start:
                yield self._row(card)

    def _row(self, card: _Card) -> Row:
        empty = [""] * len(self.headers)
        if not card.ended:
            message = _("This contact has no END:VCARD line; it is skipped.")
            return Row(card.number, empty, [(None, message)])
        logical: list[str] = []
        for number, line in card.lines:
            if line[:1] in " \t" and logical:
                logical[-1] += line[1:]
            elif (
                logical
                and logical[-1].endswith("=")
                and "QUOTED-PRINTABLE" in (logical[-1].split(":", 1)[0].upper())
            ):
                logical[-1] = logical[-1][:-1] + line  # quoted-printable soft line break
            elif not line.strip():
                continue
            elif not _CONTENT_LINE.match(line):
                message = _(
                    "Line %(line)s: this line of the contact cannot be read (a long line "
                    "folded without a leading space?); the contact is skipped. Fix the line "
                    "or export the contact again."
                ) % {"line": number}
                return Row(card.number, empty, [(None, message)])
            else:
                logical.append(line)
        import vobject

        text = "\r\n".join(["BEGIN:VCARD", *logical, "END:VCARD"]) + "\r\n"
        try:
            parsed = vobject.readOne(text, allowQP=True)
            values, cell_problems = _card_values(parsed, organizations=self.organizations)
        except Exception as error:  # vobject raises many kinds on a malformed card
            message = _("This contact cannot be read (%(error)s); it is skipped.") % {
                "error": error
            }
            return Row(card.number, empty, [(None, message)])
        problems: list[tuple[int | None, str]] = [
            (self.headers.index(key), message) for key, message in cell_problems
        ]
        if card.flagged:
            problems.append((None, _undecodable(self.file_encoding)))
        return Row(card.number, [values.get(h, "") for h in self.headers], problems)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value if _text(v))
    return str(value or "").strip()


def _types(prop: Any, labels: dict[str, str]) -> set[str]:
    """The lowercased TYPE values (``TYPE=a,b``, repeated ``TYPE=``, 2.1 bare
    parameters), ``pref`` when preferred, and words of an iOS ``X-ABLabel``."""
    found: set[str] = set()
    for value in prop.params.get("TYPE", []):
        found.update(v.strip().strip('"').lower() for v in value.split(","))
    found.update(p.lower() for p in prop.singletonparams)
    if prop.params.get("PREF"):
        found.add("pref")
    label = labels.get(prop.group or "", "")
    found.update(re.findall(r"[a-z]+", label.lower()))
    return found


def _ordered(props: list[Any], labels: dict[str, str]) -> list[tuple[Any, set[str]]]:
    typed = [(p, _types(p, labels)) for p in props]
    return sorted(typed, key=lambda pt: "pref" not in pt[1])


def _email_kind(types: set[str]) -> str:
    if "work" in types:
        return "work"
    if types & {"home", "personal"}:
        return "personal"
    return "other"


def _phone_kind(types: set[str]) -> str:
    if "fax" in types:
        return "fax"
    if types & {"cell", "mobile", "iphone", "movil", "móvil"}:
        return "mobile"
    if "work" in types:
        return "work"
    if "home" in types:
        return "home"
    return "other"


def _phone_number(value: str) -> str:
    if value.lower().startswith("tel:"):
        value = value[4:]
        number, _sep, rest = value.partition(";")
        extension = re.search(r"ext=([^;]+)", rest)
        return f"{number} ext. {extension.group(1)}" if extension else number
    return value


def _unquoted(text: str) -> str:
    """A category as written, without the quotes some phones put around it (a quote
    inside or at one end is part of the name)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].strip()
    return text


def _birthday(value: str) -> tuple[str, str | None]:
    """The ISO date of a BDAY, or "" with the problem."""
    text = value.strip()
    if _NO_YEAR.match(text):
        return text, None  # the converter keeps the contact and notes the birthday left out
    match = _DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()[:3])).isoformat(), None
        except ValueError:
            return "", _("The birthday %(value)s is not a valid date.") % {"value": text}
    return text, None  # another form: the converter parses (or rejects) it


def _card_values(card: Any, *, organizations: bool) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A parsed vCard as the cells of Clientela's export columns, and cell problems."""
    by_name: dict[str, list[Any]] = {}
    labels: dict[str, str] = {}
    for prop in card.getChildren():
        by_name.setdefault(prop.name.upper(), []).append(prop)
        if prop.name.upper() == "X-ABLABEL" and prop.group:
            labels[prop.group] = str(prop.value)

    def first(name: str) -> str:
        props = _ordered(by_name.get(name, []), labels)
        return _text(props[0][0].value) if props else ""

    values: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    values["emails"] = join_lines(
        (_text(p.value), _email_kind(t))
        for p, t in _ordered(by_name.get("EMAIL", []), labels)
        if _text(p.value)
    )
    values["phones"] = join_lines(
        (_phone_number(_text(p.value)), _phone_kind(t))
        for p, t in _ordered(by_name.get("TEL", []), labels)
        if _text(p.value)
    )
    addresses = []
    for prop, types in _ordered(by_name.get("ADR", []), labels):
        a = prop.value
        street = ", ".join(s for s in (_text(a.box), _text(a.extended), _text(a.street)) if s)
        kind = _text(prop.params.get("X-KIND", [""])[0]).lower()
        kind = kind or ("work" if "work" in types else "home" if "home" in types else "other")
        parts = (street, _text(a.code), _text(a.city), _text(a.region), _text(a.country))
        if any(parts):
            addresses.append((*parts, kind))
    values["addresses"] = join_lines(addresses)
    tags: list[str] = []
    for prop in by_name.get("CATEGORIES", []):
        raw = prop.value if isinstance(prop.value, list) else str(prop.value).split(",")
        tags += [tag for tag in (_unquoted(t) for t in raw) if tag]
    values["tags"] = join_tags(tags)
    values["notes"] = "\n\n".join(_text(p.value) for p in by_name.get("NOTE", []) if p.value)
    values["website"] = first("URL")
    values["id"] = first("X-CLIENTELA-ID")
    values["owner"] = first("X-CLIENTELA-OWNER")
    values["preferred_channel"] = first("X-CLIENTELA-CHANNEL")
    values["preferred_language"] = first("LANG")
    # Clientela's own UID is derived from its id: only another program's UID is an
    # external id.
    values["external_id"] = first("X-CLIENTELA-EXTERNAL-ID") or (
        "" if values["id"] else first("UID")
    )
    values["relationships"] = join_lines(
        [part.replace("\\;", ";") for part in re.split(r"(?<!\\);", str(p.value))]
        for p in by_name.get("X-CLIENTELA-RELATIONSHIP", [])
    )
    org_names = [
        (_text(p.value[0] if isinstance(p.value, list) else p.value))
        for p, _t in _ordered(by_name.get("ORG", []), labels)
    ]
    org_names = [n for n in org_names if n]
    if organizations:
        values["name"] = first("FN") or (org_names[0] if org_names else "")
        return values, problems
    name = by_name.get("N", [None])[0]
    given = _text([name.value.given, name.value.additional]) if name else ""
    family = _text(name.value.family) if name else ""
    if not (given or family):
        words = first("FN").split()  # no N: the last word is taken as the family name
        given, family = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (first("FN"), "")
    values["first_name"], values["last_name"] = given, family
    title = first("TITLE")
    if org_names:
        values["organizations"] = join_lines(
            [(org_names[0], title), *((n, "") for n in org_names[1:])]
        )
    else:
        values["job_title"] = title
    bday = first("BDAY")
    if bday:
        values["birthday"], problem = _birthday(bday)
        if problem:
            problems.append(("birthday", problem))
    return values, problems
