"""The import readers: every format, encoding and delimiter, and every whole-file error."""

from __future__ import annotations

import datetime
import os
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from clientela.contacts.kinds import ORGANIZATIONS, PEOPLE
from clientela.integrations.exports.cells import split_lines, split_tags
from clientela.integrations.exports.vcard_writer import card
from clientela.integrations.imports.readers import (
    VCARD_ORGANIZATION_HEADERS,
    VCARD_PEOPLE_HEADERS,
    ImportFileError,
    open_table,
)

DATA = Path(__file__).parent / "data" / "import"


def cells_of(table: Any) -> list[dict[str, str]]:
    return [dict(zip(table.headers, row.cells, strict=True)) for row in table.rows()]


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "count"),
    [
        ("google_contacts.csv", "utf-8", ",", 3),
        ("google_contacts_es.csv", "utf-8", ",", 2),
        ("outlook.csv", "cp1252", ",", 2),
        ("outlook_es.csv", "cp1252", ";", 2),
        ("hubspot_contacts.csv", "utf-8", ",", 2),
        ("hubspot_companies.csv", "utf-8", ",", 2),
        ("salesforce_contacts.csv", "utf-8", ",", 2),
        ("latin1.csv", "latin-1", ",", 3),
        ("utf8_bom.csv", "utf-8-sig", ";", 1),
        ("mixed_dates.csv", "utf-8", ",", 5),
    ],
)
def test_csv_encoding_delimiter_and_count_are_detected(
    name: str, encoding: str, delimiter: str, count: int
) -> None:
    table = open_table(DATA / name)
    assert (table.format, table.encoding, table.delimiter) == ("csv", encoding, delimiter)
    assert table.count_rows() == count == len(list(table.rows()))
    assert all(len(row.cells) == len(table.headers) for row in table.rows())


def test_outlook_windows_1252_accents_and_full_header() -> None:
    table = open_table(DATA / "outlook.csv")
    assert len(table.headers) == 92
    assert table.headers[:3] == ["Title", "First Name", "Middle Name"]
    first = cells_of(table)[0]
    assert (first["First Name"], first["Last Name"], first["Company"]) == (
        "José",
        "Muñoz",
        "Café Ñandú",
    )
    assert first["Birthday"] == "4/12/1985"


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    table = open_table(DATA / "utf8_bom.csv")
    assert table.headers == ["first_name", "last_name", "city"]
    assert cells_of(table) == [{"first_name": "Zoë", "last_name": "Ødegård", "city": "Tromsø"}]


def test_google_multi_values_and_quoted_newlines_are_kept_verbatim() -> None:
    rows = list(open_table(DATA / "google_contacts.csv").rows())
    headers = open_table(DATA / "google_contacts.csv").headers
    alice = dict(zip(headers, rows[0].cells, strict=True))
    assert alice["E-mail 1 - Value"] == "alice@acme.example ::: alice.w@acme.example"
    assert alice["Labels"] == "* myContacts ::: VIP"
    assert alice["Address 1 - Formatted"] == "1 Market St\nSan Francisco, CA 94105\nUS"
    # The quoted cell spans three lines: the next row starts on line 5.
    assert [r.number for r in rows] == [2, 5, 6]
    assert alice["Middle Name"] == ""


def test_ragged_rows_are_padded_and_flagged() -> None:
    table = open_table(DATA / "ragged.csv")
    rows = list(table.rows())
    assert [r.number for r in rows] == [2, 3, 4, 5]
    assert rows[0].problems == []
    assert rows[1].cells == ["Bea", "Soto", "bea@example.com", "", ""]
    assert rows[1].problems == [(None, "This row has 3 columns; the header has 5.")]
    assert rows[2].cells == ["Carl", "Berg", "carl@example.com", "+46700000000", "Uppsala"]
    assert rows[2].problems == [(None, "This row has 7 columns; the header has 5.")]
    assert rows[3].problems == []  # only empty trailing cells: nothing lost


def test_rows_start_skips_data_rows_and_keeps_numbers() -> None:
    table = open_table(DATA / "ragged.csv")
    assert [r.number for r in table.rows(start=2)] == [4, 5]
    assert list(table.rows(start=10)) == []


def test_blank_lines_skipped_and_cells_stripped(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(
        b"\r\n first_name , email \r\n\r\n  Ana ,  ana@example.com \r\n,\r\n\r\nBo,b@x.io\r\n"
    )
    table = open_table(path)
    assert table.headers == ["first_name", "email"]
    assert [(r.number, r.cells) for r in table.rows()] == [
        (4, ["Ana", "ana@example.com"]),
        (7, ["Bo", "b@x.io"]),
    ]
    assert table.count_rows() == 2


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), ("|", "pipe"), (";", "semi")])
def test_every_delimiter_is_detected(tmp_path: Path, delimiter: str, name: str) -> None:
    path = tmp_path / f"{name}.csv"
    lines = [["first_name", "last_name", "notes"], ["Ana", "Ruiz", "a, b, c"], ["Bo", "Li", ""]]
    path.write_text("\n".join(delimiter.join(line) for line in lines) + "\n", encoding="utf-8")
    table = open_table(path)
    assert table.delimiter == delimiter
    assert next(table.rows()).cells == ["Ana", "Ruiz", "a, b, c"]


def test_an_undecodable_byte_later_in_the_file_flags_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    good = "".join(f"Persona {i},Núñez,Madrid\n" for i in range(60000))  # > 1 MB sample
    path.write_bytes(b"name,last,city\n" + good.encode() + b"Jos\xe9,Bad,Le\xf3n\nZoe,Ok,Rome\n")
    table = open_table(path)
    assert table.encoding == "utf-8"
    rows = list(table.rows(start=60000))
    assert rows[0].cells[0] == "Jos\ufffd"
    assert rows[0].problems
    assert rows[0].problems[0][0] is None
    assert "utf-8" in rows[0].problems[0][1]
    assert rows[1].problems == []


def test_formula_like_csv_cells_are_plain_text() -> None:
    rows = cells_of(open_table(DATA / "formula_injection.csv"))
    assert rows[0]["notes"] == '=HYPERLINK("http://evil.example","click")'
    assert rows[0]["company"] == "+SUM(1)"
    assert rows[1]["first_name"] == "@cmd"
    assert rows[1]["notes"] == "'=1+1"  # unneutralize is the converter's job


def test_mixed_dates_are_kept_as_text() -> None:
    rows = cells_of(open_table(DATA / "mixed_dates.csv"))
    assert [r["birthday"] for r in rows] == [
        "1985-04-12",
        "12/04/1985",
        "04/12/1985",
        "12.4.1985",
        "April 12, 1985",
    ]


def test_unclosed_quote_raises_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('a,b\n1,2\n3,"never closed\n' + "x,y\n" * 10 + "z" * 200000 + "\n")
    table = open_table(path)
    with pytest.raises(ImportFileError) as error:
        list(table.rows())
    assert error.value.line == 3
    assert "Line 3" in error.value.message


def test_a_million_rows_stream_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("first_name,last_name,email\n")
        row = "Ana,Núñez,ana@example.com\n"
        for _ in range(100):
            stream.write(row * 10000)
    table = open_table(path)
    tracemalloc.start()
    try:
        count = sum(1 for _row in table.rows())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1_000_000
    assert peak < 5 * 1024 * 1024  # the file is 27 MB


# --- whole-file errors ---------------------------------------------------------------


def error_of(path: Path, **kwargs: Any) -> ImportFileError:
    with pytest.raises(ImportFileError) as error:
        open_table(path, **kwargs)
    return error.value


def test_empty_files_are_refused(tmp_path: Path) -> None:
    assert "The file is empty" in error_of(DATA / "empty.csv").message
    blank = tmp_path / "blank.csv"
    blank.write_text("\n  \n\r\n")
    assert "The file is empty" in error_of(blank).message


def test_header_without_data_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("first_name,last_name\n\n")
    assert error_of(path).message == (
        "The file has a header row but no data rows: nothing to import."
    )


def test_header_without_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "noheader.csv"
    path.write_text(",,\nAna,Ruiz,x\n")
    error = error_of(path)
    assert "no column names" in error.message
    assert error.line == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ((DATA / "garbage.csv").read_bytes(), "garbage.csv"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>", "report.csv"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "archive.csv"),
    ],
)
def test_binary_files_are_refused(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert "This is not a text file" in error_of(path).message


def test_too_big_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as stream:
        os.truncate(stream.fileno(), 2 * 1024**3)  # sparse: takes no disk space
    assert error_of(path).message == (
        "The file is 2.0 GB; the largest import is 1.0 GB (CLIENTELA_MAX_IMPORT_MB). "
        "Split it into smaller files."
    )


def test_limit_follows_the_setting(tmp_path: Path, settings: Any) -> None:
    settings.CLIENTELA_MAX_IMPORT_MB = 1
    path = tmp_path / "two.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 600000)
    assert "2.3 MB; the largest import is 1.0 MB" in error_of(path).message


def test_old_xls_and_unknown_files_are_refused(tmp_path: Path) -> None:
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "old Excel workbook (.xls)" in error_of(xls).message
    renamed = tmp_path / "upload.bin"
    renamed.write_bytes(xls.read_bytes())
    assert "save it as .xlsx or CSV" in error_of(renamed).message
    unknown = tmp_path / "readme"
    unknown.write_text("Just some prose without any columns\nat all\n")
    assert "cannot tell what kind of file" in error_of(unknown).message


def test_corrupt_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "damaged" in error_of(path).message


def test_sniffed_formats_without_an_extension(tmp_path: Path) -> None:
    csv_path = tmp_path / "upload1"
    csv_path.write_text("first_name;email\nAna;a@x.io\n")
    assert open_table(csv_path).format == "csv"
    vcf = tmp_path / "upload2"
    vcf.write_bytes((DATA / "vcard4.vcf").read_bytes())
    assert open_table(vcf).format == "vcf"
    # The upload's own name wins over the stored file's.
    assert open_table(csv_path, filename="contacts.csv").delimiter == ";"


# --- XLSX ----------------------------------------------------------------------------


@pytest.fixture
def spreadsheet(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    empty = workbook.worksheets[0]
    empty.title = "Empty"
    sheet = workbook.create_sheet("Contacts")
    sheet.append([])
    sheet.append(["First name", "Phone", "Birthday", "Total", "Notes", None])
    sheet.append(["Ana", 34612345678, datetime.date(1985, 4, 12), "=SUM(A1:A3)", "=not a formula"])
    sheet["E3"].data_type = "s"
    sheet.append([])
    sheet.append(["Bo", 12.5, datetime.datetime(2020, 1, 2, 3, 4), 7.0, None, "extra"])  # noqa: DTZ001
    sheet.append(["Cy", 1e-05, None, True])
    path = tmp_path / "spreadsheet.xlsx"
    workbook.save(path)
    return path


def test_xlsx_first_non_empty_sheet_and_row_are_the_header(spreadsheet: Path) -> None:
    table = open_table(spreadsheet)
    assert (table.format, table.encoding, table.delimiter) == ("xlsx", "", "")
    assert table.headers == ["First name", "Phone", "Birthday", "Total", "Notes"]
    assert table.count_rows() == 3
    assert [r.number for r in table.rows()] == [3, 5, 6]
    assert [r.number for r in table.rows(start=1)] == [5, 6]


def test_xlsx_values_become_text_and_formulas_are_flagged(spreadsheet: Path) -> None:
    ana, bo, cy = open_table(spreadsheet).rows()
    assert ana.cells == ["Ana", "34612345678", "1985-04-12", "", "=not a formula"]
    assert ana.problems == [
        (3, "This cell holds a formula (=SUM(A1:A3)); save the sheet with values only.")
    ]
    assert bo.cells == ["Bo", "12.5", "2020-01-02 03:04:00", "7", ""]
    assert bo.problems == [(None, "This row has 6 columns; the header has 5.")]
    assert cy.cells == ["Cy", "0.00001", "", "yes", ""]


def test_xlsx_with_only_a_header_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.worksheets[0].append(["first_name", "email"])
    path = tmp_path / "header.xlsx"
    workbook.save(path)
    assert "no data rows" in error_of(path).message
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    assert "The file is empty" in error_of(empty).message


# --- vCard ---------------------------------------------------------------------------


def test_iphone_vcard_three() -> None:
    table = open_table(DATA / "iphone.vcf")
    assert (table.format, table.headers) == ("vcf", VCARD_PEOPLE_HEADERS)
    johnny, kate = table.rows()
    assert johnny.number == 1
    assert johnny.problems == []
    cells = dict(zip(table.headers, johnny.cells, strict=True))
    assert (cells["first_name"], cells["last_name"]) == ("Johnny", "Appleseed")
    assert split_lines(cells["emails"]) == [
        ["johnny@orchard.example", "other"],
        ["j.appleseed@work.example", "work"],
    ]
    assert split_lines(cells["phones"]) == [
        ["+1 (408) 555-0123", "mobile"],
        ["+1 408 555 0199", "work"],
        ["+1 408 555 0100", "fax"],
    ]
    assert split_lines(cells["addresses"]) == [
        ["1 Orchard Way", "95014", "Cupertino", "CA", "United States", "home"]
    ]
    assert split_lines(cells["organizations"]) == [["Apple Orchards Inc.", "Head Gardener"]]
    assert cells["birthday"] == "1985-04-12"
    assert cells["notes"].startswith("A very long note that iOS folds at seventy-five octets, so")
    assert split_tags(cells["tags"]) == ["Friends", "Garden Club"]
    assert cells["website"] == "https://orchard.example"
    assert cells["external_id"] == "7F2A3B4C-1111-2222-3333-444455556666"
    assert not any("/9j" in c or len(c) > 500 for c in johnny.cells)  # the photo is gone
    # No N: FN is split; a birthday without a year is passed on as written (the
    # converter keeps the contact and notes the birthday left out).
    kate_cells = dict(zip(table.headers, kate.cells, strict=True))
    assert (kate_cells["first_name"], kate_cells["last_name"]) == ("Kate", "Bell")
    assert kate_cells["birthday"] == "--04-20"
    assert kate.problems == []


def test_android_quoted_printable_is_decoded() -> None:
    table = open_table(DATA / "android.vcf")
    maria, pablo = cells_of(table)
    assert (maria["first_name"], maria["last_name"]) == ("María José", "Núñez")
    assert split_lines(maria["addresses"]) == [
        ["Calle Mayor 1", "29001", "Málaga", "", "España", "home"]
    ]
    assert split_lines(maria["organizations"]) == [["Talleres Peña", ""]]
    assert split_lines(maria["phones"]) == [["+34612345678", "mobile"], ["+34911234567", "work"]]
    assert split_lines(maria["emails"]) == [["mariajose@example.es", "personal"]]
    assert pablo["birthday"] == "1990-01-01"
    assert [r.number for r in table.rows()] == [1, 16]


def test_android_quoted_printable_soft_line_break_without_n(tmp_path: Path) -> None:
    text = (
        (DATA / "android.vcf")
        .read_bytes()
        .replace(
            b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:N=C3=BA=C3=B1ez;Mar=C3=ADa=20Jos=C3=A9;;;\r\n",
            b"",
        )
    )
    path = tmp_path / "fn.vcf"
    path.write_bytes(text)
    first = cells_of(open_table(path))[0]
    assert first["first_name"] == "María José Núñez de la Peña y"
    assert first["last_name"] == "Cañete"


def test_vcard_four_uri_phones_kinds_and_pref_order() -> None:
    table = open_table(DATA / "vcard4.vcf")
    ana = cells_of(table)[0]
    assert split_lines(ana["phones"]) == [
        ["+34612345678", "mobile"],
        ["+34911234567 ext. 12", "work"],
    ]
    assert split_lines(ana["emails"]) == [
        ["ana@example.com", "work"],
        ["ana.home@example.org", "personal"],
        ["ana.other@example.net", "other"],
    ]
    assert split_lines(ana["addresses"]) == [
        ["Calle Mayor 1, 2º", "28013", "Madrid", "Madrid", "ES", "work"],
        ["Apartado 7", "41001", "Sevilla", "", "ES", "billing"],
    ]
    assert split_lines(ana["organizations"]) == [["Acme; Sons, Ltd", "Buyer"]]
    assert split_tags(ana["tags"]) == ["VIP", "Gold, Plus"]
    assert ana["notes"] == "Line one\nLine two"
    assert ana["preferred_language"] == "es"
    assert ana["external_id"] == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert table.count_rows() == 2


def test_broken_folding_and_missing_end_are_row_problems() -> None:
    table = open_table(DATA / "broken_folding.vcf")
    rows = list(table.rows())
    assert [r.number for r in rows] == [1, 7, 14, 20]
    assert table.count_rows() == 4
    assert rows[0].problems == []
    assert rows[2].problems == []
    assert rows[1].cells == [""] * len(table.headers)
    assert rows[1].problems[0][0] is None
    assert rows[1].problems[0][1].startswith("Line 12:")
    assert rows[3].problems == [(None, "This contact has no END:VCARD line; it is skipped.")]
    assert [r.number for r in table.rows(start=2)] == [14, 20]


def test_not_a_vcard_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.vcf"
    path.write_text("\nhello there\nBEGIN:VCARD\nEND:VCARD\n")
    error = error_of(path)
    assert error.line == 2
    assert error.message.startswith("Line 2:")
    nothing = tmp_path / "begin.vcf"
    nothing.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:x\n")
    assert open_table(nothing).count_rows() == 1  # one row, with the missing END problem


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 7,
        "first_name": "Ana María",
        "last_name": "O'Neil; Núñez, Jr.",
        "name": "Acme; Sons, Ltd",
        "website": "https://acme.example",
        "email": "ana@example.com",
        "birthday": "1985-04-12",
        "preferred_language": "es",
        "preferred_channel": "email",
        "organizations": [
            {"organization_name": "Acme; Sons, Ltd", "job_title": "Buyer", "is_primary": True}
        ],
        "emails": [
            {"address": "ana@example.com", "kind": "work", "is_primary": True},
            {"address": "ana.home@example.org", "kind": "personal"},
        ],
        "phones": [
            {"number": "+34612345678", "kind": "mobile", "is_primary": True},
            {"number": "+34911234567", "kind": "other"},
        ],
        "addresses": [
            {
                "street": "Calle Mayor 1, 2º",
                "postal_code": "28013",
                "city": "Madrid",
                "region": "Madrid",
                "country": "ES",
                "kind": "shipping",
                "is_primary": True,
            }
        ],
        "tags": ["VIP", "Gold, Plus"],
        "notes": "Prefiere mañanas; habla español.\nSegunda línea ☕ " + "x" * 100,
        "updated_at": "2024-05-01T10:00:00+00:00",
        "external_id": "crm-42",
        "owner": {"username": "rep_north"},
        "team": {"name": "North"},
        "relationships": [{"kind": "customer", "since": "2020-01-15"}],
        "custom": {},
    }
    return base | overrides


def test_clientela_vcard_export_reimports_as_its_own_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.vcf"
    path.write_text(card(PEOPLE, record()) + card(PEOPLE, record(id=8, external_id="")), newline="")
    first, second = cells_of(open_table(path))
    assert first["id"] == "7"
    assert first["owner"] == "rep_north"
    assert (first["first_name"], first["last_name"]) == ("Ana María", "O'Neil; Núñez, Jr.")
    assert split_lines(first["emails"]) == [
        ["ana@example.com", "work"],
        ["ana.home@example.org", "personal"],
    ]
    assert split_lines(first["phones"]) == [["+34612345678", "mobile"], ["+34911234567", "other"]]
    assert split_lines(first["addresses"]) == [
        ["Calle Mayor 1, 2º", "28013", "Madrid", "Madrid", "ES", "shipping"]
    ]
    assert split_lines(first["organizations"]) == [["Acme; Sons, Ltd", "Buyer"]]
    assert split_lines(first["relationships"]) == [["customer", "2020-01-15"]]
    assert split_tags(first["tags"]) == ["VIP", "Gold, Plus"]
    assert first["notes"] == record()["notes"]
    assert (first["birthday"], first["preferred_language"]) == ("1985-04-12", "es")
    assert first["preferred_channel"] == "email"
    assert first["external_id"] == "crm-42"
    assert second["external_id"] == ""  # Clientela's own UID is not an external id


def test_clientela_organization_vcards_give_an_organization_table(tmp_path: Path) -> None:
    path = tmp_path / "orgs.vcf"
    path.write_text(card(ORGANIZATIONS, record()), newline="")
    table = open_table(path)
    assert table.headers == VCARD_ORGANIZATION_HEADERS
    org = cells_of(table)[0]
    assert (org["name"], org["website"], org["external_id"]) == (
        "Acme; Sons, Ltd",
        "https://acme.example",
        "crm-42",
    )
