"""Read an import file (CSV, XLSX or vCard) as a table of text cells, one row at a time.

Nothing here knows about Django models: a ``Table`` has ``headers`` and yields ``Row``
objects whose ``cells`` are plain strings, with the ``problems`` found while reading (a
cell that could not be decoded, a formula, a ragged row…), so the converter can report
them with the row number the user sees. Files are streamed: a row is read when it is
asked for, never the whole file.

``open_table`` tells the format from the file name's extension, else from the content,
and opens it with the reader of that format: ``csv_reader`` (encoding and delimiter
detected), ``xlsx_reader`` (openpyxl, read-only) or ``vcard_reader`` (vobject, one card
at a time). ``base`` holds what they share.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from django.utils.translation import gettext as _

from clientela.integrations.imports.readers.base import (
    REPLACEMENT,
    ImportFileError,
    Row,
    Table,
    binary_error,
    checked_bytes,
    checked_size,
    empty_error,
    unpacked_size,
)
from clientela.integrations.imports.readers.csv_reader import (
    DELIMITERS,
    CsvTable,
    detect_delimiter,
    detect_encoding,
)
from clientela.integrations.imports.readers.vcard_reader import (
    VCARD_ORGANIZATION_HEADERS,
    VCARD_PEOPLE_HEADERS,
    VcardTable,
)
from clientela.integrations.imports.readers.xlsx_reader import XlsxTable

SAMPLE_BYTES = 1024 * 1024
CSV_EXTENSIONS = {".csv", ".txt", ".tsv", ".tab"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
VCF_EXTENSIONS = {".vcf", ".vcard"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected .xlsx)
_ZIP = b"PK\x03\x04"
_BINARY_MAGIC = (_ZIP, _OLE2, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def open_table(path: str | Path, *, filename: str = "") -> Table:
    """Open an import file; format from the file name's extension, else sniffed from the
    content; raises ImportFileError for files that cannot be imported at all."""
    path = Path(path)
    size = checked_size(path)
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
        return XlsxTable.open(path)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(_("This file is UTF-16 text. Save it as CSV UTF-8 and import that."))
    encoding = detect_encoding(head, complete=size <= len(head))
    text = head.decode(encoding, errors="replace")
    if not text.strip():
        raise empty_error()
    if _looks_binary(head, text, encoding):
        raise binary_error()
    first_line = next(line for line in text.splitlines() if line.strip())
    if extension in VCF_EXTENSIONS or (
        extension not in CSV_EXTENSIONS and first_line.strip().upper() == "BEGIN:VCARD"
    ):
        return VcardTable.open(path, encoding)
    if extension not in CSV_EXTENSIONS and not any(d in first_line for d in DELIMITERS):
        raise ImportFileError(
            _(
                "Clientela cannot tell what kind of file this is. Import a CSV, an Excel "
                ".xlsx or a vCard (.vcf) file."
            )
        )
    return CsvTable.open(path, encoding, detect_delimiter(text))


def work_size(path: str | Path) -> int:
    """What reading the file means, in bytes: an .xlsx's uncompressed size (from its zip
    directory), any other file's size."""
    unpacked = unpacked_size(Path(path))
    return unpacked if unpacked >= 0 else os.stat(path).st_size


def _looks_binary(head: bytes, text: str, encoding: str) -> bool:
    if b"\x00" in head or head.startswith(_BINARY_MAGIC):
        return True
    controls = len(_CONTROL.findall(text))
    if encoding == "latin-1":  # C1 controls: what random bytes become in Latin-1
        controls += sum(1 for c in text if "\x80" <= c <= "\x9f")
    return controls > max(2, len(text) // 100)


__all__ = [
    "CSV_EXTENSIONS",
    "DELIMITERS",
    "REPLACEMENT",
    "SAMPLE_BYTES",
    "VCARD_ORGANIZATION_HEADERS",
    "VCARD_PEOPLE_HEADERS",
    "VCF_EXTENSIONS",
    "XLSX_EXTENSIONS",
    "ImportFileError",
    "Row",
    "Table",
    "checked_bytes",
    "checked_size",
    "open_table",
    "work_size",
]
