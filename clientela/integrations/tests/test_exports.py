"""Each export format read back: a person with two e-mails, two phones, addresses, tags,
custom fields and an organization comes out whole (enough to re-import), formulas are
defused, and an export holds only what the user may see."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from clientela.contacts.models import Person
from clientela.contacts.schemas import person_data
from clientela.contacts.selectors import person_get_with_details
from clientela.contacts.services import PhoneInput
from clientela.integrations.exports import FORMATS, KINDS, records
from clientela.integrations.exports.cells import neutralize, split_lines, split_tags, unneutralize
from clientela.integrations.tests.conftest import NOTES
from clientela.integrations.tests.test_import_services import import_file
from clientela.integrations.tests.vcard_reader import read_cards, split_unescaped, unescape

pytestmark = pytest.mark.django_db

PEOPLE, ORGANIZATIONS = KINDS["people"], KINDS["organizations"]
PAYLOAD = '=HYPERLINK("http://evil.example","click")'


def export(fmt: str, user: Any, kind: Any = PEOPLE, **options: Any) -> bytes:
    chunks = FORMATS[fmt].write(kind, user=user, **options)
    return b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in chunks)


def csv_dicts(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheet programs need
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_dicts(data: bytes) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = [str(name) for name in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def api_body(user: Any, person: Any) -> dict[str, Any]:
    return person_data(person_get_with_details(user=user, pk=person.pk))


def check_table_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """A CSV/XLSX row holds everything the API shows that an import needs."""

    def cell(key: str) -> str:
        return unneutralize(str(row[key] or ""))

    assert cell("id") == str(expected["id"])
    assert (cell("first name"), cell("last name")) == ("Ana María", "O'Neil; Núñez, Jr.")
    assert cell("birthday") == "1985-04-12"
    assert cell("external id") == "crm-42"
    assert cell("notes").replace("\r\n", "\n") == NOTES
    assert (cell("preferred language"), cell("preferred channel")) == ("es", "email")
    assert split_lines(cell("e-mails")) == [
        ["ana@example.com", "work"],
        ["ana.home@example.org", "personal"],
    ]
    assert split_lines(cell("phones")) == [["+34612345678", "mobile"], ["+34911234567", "work"]]
    assert split_lines(cell("addresses")) == [
        ["Calle Mayor 1, 2º", "28013", "Madrid", "Madrid", "ES", "work"],
        ["Apartado 7", "41001", "Sevilla", "", "ES", "billing"],
    ]
    assert split_lines(cell("relationships")) == [["customer", "2020-01-15"]]
    assert split_lines(cell("organizations")) == [["Acme; Sons, Ltd", "Buyer"]]
    assert split_tags(cell("tags")) == expected["tags"] == ["Gold, Plus", "VIP"]
    assert (cell("cf_vip_level"), cell("cf_newsletter")) == ("gold", "yes")
    assert (cell("owner"), cell("team")) == ("nora_north", "North")
    # The primary e-mail and phone, as in the first CSV export.
    assert (cell("e-mail"), cell("phone")) == ("ana@example.com", "+34612345678")


def test_csv_holds_every_detail(rep_north: Any, rich_person: Any) -> None:
    rows = csv_dicts(export("csv", rep_north))
    assert len(rows) == 1
    check_table_row(rows[0], api_body(rep_north, rich_person))


def test_csv_keeps_the_first_exports_columns_in_order(rep_north: Any, rich_person: Any) -> None:
    data = export("csv", rep_north).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(data)))
    assert header[:12] == [
        "id",
        "first name",
        "last name",
        "e-mail",
        "phone",
        "city",
        "country",
        "birthday",
        "tags",
        "owner",
        "team",
        "external id",
    ]
    assert sorted(header[-2:]) == ["cf_newsletter", "cf_vip_level"]


def test_xlsx_holds_every_detail(rep_north: Any, rich_person: Any) -> None:
    data = export("xlsx", rep_north)
    assert data.startswith(b"PK")
    rows = xlsx_dicts(data)
    assert len(rows) == 1
    check_table_row(rows[0], api_body(rep_north, rich_person))
    # In XLSX nothing needs neutralizing: the text is stored as it is.
    assert rows[0]["phone"] == "+34612345678"


def test_json_is_the_api_body_of_each_record(rep_north: Any, rich_person: Any) -> None:
    body = json.loads(export("json", rep_north))
    assert body == [api_body(rep_north, rich_person)]
    assert [e["address"] for e in body[0]["emails"]] == ["ana@example.com", "ana.home@example.org"]
    assert body[0]["custom"] == {"vip_level": "gold", "newsletter": True}


def test_json_of_nothing_is_an_empty_array(rep_north: Any) -> None:
    assert json.loads(export("json", rep_north)) == []


def test_vcard_is_valid_4_0_with_every_detail(rep_north: Any, rich_person: Any) -> None:
    data = export("vcf", rep_north)
    (card,) = read_cards(data)  # CRLF, folded at 75 octets, checked by the reader
    assert card.one("VERSION").raw == "4.0"
    assert card.one("FN").text == "Ana María O'Neil; Núñez, Jr."
    assert card.one("N").components() == ["O'Neil; Núñez, Jr.", "Ana María", "", "", ""]
    # Escaped on the wire: the semicolon and comma of the last name.
    assert card.one("N").raw.startswith("O'Neil\\; Núñez\\, Jr.;")
    assert card.one("BDAY").raw == "19850412"
    emails = card.all("EMAIL")
    assert [(e.text, e.params.get("TYPE"), e.params.get("PREF")) for e in emails] == [
        ("ana@example.com", "work", "1"),
        ("ana.home@example.org", "home", None),
    ]
    phones = card.all("TEL")
    assert [p.raw for p in phones] == ["tel:+34612345678", "tel:+34911234567"]
    assert [p.params["TYPE"] for p in phones] == ["cell,voice", "work,voice"]
    assert phones[0].params["VALUE"] == "uri"
    assert phones[0].params["PREF"] == "1"
    adr = card.all("ADR")
    assert adr[0].components() == ["", "", "Calle Mayor 1, 2º", "Madrid", "Madrid", "28013", "ES"]
    assert adr[0].params["TYPE"] == "work"
    assert adr[0].params["PREF"] == "1"
    assert adr[1].params["X-KIND"] == "billing"
    assert "TYPE" not in adr[1].params
    assert card.one("ORG").components() == ["Acme; Sons, Ltd"]
    assert card.one("TITLE").text == "Buyer"
    assert card.one("NOTE").text == NOTES
    assert "\\n" in card.one("NOTE").raw
    assert "\\\\invierno" in card.one("NOTE").raw
    categories = [unescape(c) for c in split_unescaped(card.one("CATEGORIES").raw, ",")]
    assert categories == ["Gold, Plus", "VIP"]
    assert card.one("UID").raw.startswith("urn:uuid:")
    assert card.one("LANG").raw == "es"
    assert card.one("X-CLIENTELA-EXTERNAL-ID").text == "crm-42"
    assert card.one("X-CLIENTELA-ID").raw == str(rich_person.pk)
    assert card.one("X-CLIENTELA-RELATIONSHIP").components() == ["customer", "2020-01-15"]
    custom = {p.params["X-KEY"]: p.text for p in card.all("X-CLIENTELA-CUSTOM")}
    assert custom == {"vip_level": "gold", "newsletter": "yes"}
    # The long note was folded, and never inside a UTF-8 character.
    assert b"\r\n " in data
    assert max(len(line) for line in data.split(b"\r\n")) <= 75


def test_birthday_without_a_year_in_every_format(rep_north: Any, person_factory: Any) -> None:
    """Written the way each format's own programs write it: Google's ``--05-21`` in
    CSV/XLSX/JSON (the API's form), vCard 4's ``--0521``."""
    person_factory(rep_north, first_name="Kate", birthday="--05-21")
    (row,) = csv_dicts(export("csv", rep_north))
    # Written plain, as Google writes and reads it: "--05-21" runs nothing in a
    # spreadsheet (a "'" would become part of the birthday in Google or Outlook).
    assert row["birthday"] == neutralize("--05-21") == "--05-21"
    (xrow,) = xlsx_dicts(export("xlsx", rep_north))
    assert xrow["birthday"] == "--05-21"
    (body,) = json.loads(export("json", rep_north))
    assert body["birthday"] == "--05-21"
    (card,) = read_cards(export("vcf", rep_north))
    assert card.one("BDAY").raw == "--0521"


def test_vcard_folding_never_splits_a_character(rep_north: Any, person_factory: Any) -> None:
    person_factory(rep_north, first_name="ñ" * 100, last_name="☕" * 60)
    (card,) = read_cards(export("vcf", rep_north))  # each line decodes on its own
    assert card.one("FN").text == "ñ" * 100 + " " + "☕" * 60


def test_organizations_as_vcards_are_org_kind(rep_north: Any, organization_factory: Any) -> None:
    organization_factory(rep_north, name="Acme", website="https://acme.example", industry="Tools")
    (card,) = read_cards(export("vcf", rep_north, ORGANIZATIONS))
    assert card.one("KIND").raw == "org"
    assert card.one("FN").text == card.one("ORG").text == "Acme"
    assert card.one("URL").text == "https://acme.example"


def test_organization_table_columns(rep_north: Any, organization_factory: Any) -> None:
    organization_factory(rep_north, name="Acme", industry="Tools", external_id="sf-9")
    (row,) = csv_dicts(export("csv", rep_north, ORGANIZATIONS))
    assert (row["name"], row["industry"], row["external id"]) == ("Acme", "Tools", "sf-9")


def test_csv_neutralizes_formulas(rep_north: Any, organization_factory: Any) -> None:
    organization_factory(rep_north, name=PAYLOAD, notes="@SUM(1+1)")
    (row,) = csv_dicts(export("csv", rep_north, ORGANIZATIONS))
    assert row["name"] == "'" + PAYLOAD
    assert row["notes"] == "'@SUM(1+1)"
    assert unneutralize(row["name"]) == PAYLOAD


def test_xlsx_writes_formula_text_as_text(rep_north: Any, organization_factory: Any) -> None:
    organization_factory(rep_north, name=PAYLOAD, notes="=1+1\x07 bell")
    data = export("xlsx", rep_north, ORGANIZATIONS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml
    workbook = load_workbook(io.BytesIO(data))
    name_cell = workbook.worksheets[0]["B2"]
    assert name_cell.value == PAYLOAD
    assert name_cell.data_type == "s"
    (row,) = xlsx_dicts(data)
    assert row["notes"] == "=1+1 bell"  # control characters, illegal in XLSX, dropped


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_holds_only_what_the_user_may_see(
    fmt: str, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person_factory(rep_north, last_name="Northman")
    person_factory(rep_south, last_name="Southman")
    north, south = export(fmt, rep_north), export(fmt, rep_south)
    if fmt == "xlsx":
        north_names = [r["last name"] for r in xlsx_dicts(north)]
        south_names = [r["last name"] for r in xlsx_dicts(south)]
    elif fmt == "csv":
        north_names = [r["last name"] for r in csv_dicts(north)]
        south_names = [r["last name"] for r in csv_dicts(south)]
    elif fmt == "json":
        north_names = [r["last_name"] for r in json.loads(north)]
        south_names = [r["last_name"] for r in json.loads(south)]
    else:
        north_names = [c.one("N").components()[0] for c in read_cards(north)]
        south_names = [c.one("N").components()[0] for c in read_cards(south)]
    assert north_names == ["Northman"]
    assert south_names == ["Southman"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_records_are_read_in_chunks_across_boundaries(
    fmt: str, monkeypatch: Any, rep_north: Any, person_factory: Any
) -> None:
    monkeypatch.setattr(records, "CHUNK", 2)
    for n in range(5):
        person_factory(rep_north, last_name=f"P{n}")
    data = export(fmt, rep_north)
    names = (
        [r["last_name"] for r in json.loads(data)]
        if fmt == "json"
        else [r["last name"] for r in csv_dicts(data)]
    )
    assert names == ["P0", "P1", "P2", "P3", "P4"]


def test_writers_are_lazy(rep_north: Any, person_factory: Any) -> None:
    """A writer reads nothing before it is asked for its first chunk (it streams)."""
    person_factory(rep_north)
    with CaptureQueriesContext(connection) as queries:
        chunks = cast(Iterator[str], FORMATS["json"].write(PEOPLE, user=rep_north))  # text
    assert len(queries) == 0
    assert "".join(chunks).startswith("[")


@pytest.mark.parametrize("text", ["=1+1", "'=1+1", "''=cmd", "'plain", "plain", "-5", "'"])
def test_neutralized_text_comes_back_exactly(text: str) -> None:
    # Hypothesis found a note "'=…" that lost its quote on the way back.
    assert unneutralize(neutralize(text)) == text
    assert not neutralize(text).lstrip("'").startswith(("=", "+", "-", "@")) or neutralize(
        text
    ).startswith("'")


@pytest.mark.parametrize("text", ["+34612904550", "'+34612904550", "+1 415", "+12345"])
def test_e164_phones_are_written_plain_and_read_back(text: str) -> None:
    # A phone in E.164 runs nothing in a spreadsheet: no quote, which Google and Outlook
    # would keep as part of the number. Anything else starting with "+" keeps its quote.
    written = neutralize(text)
    assert (written == text) is (text == "+34612904550")
    assert unneutralize(written) == text


def test_csv_phone_column_goes_back_unchanged_beside_a_neutralized_formula(
    rep_north: Any, person_factory: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the uploaded file of the import
    person_factory(
        rep_north, last_name="Vidal", notes=PAYLOAD, phones=[PhoneInput("+34 612 904 550")]
    )
    data = export("csv", rep_north)
    (row,) = csv_dicts(data)
    assert row["phone"] == "+34612904550"
    assert row["notes"] == "'" + PAYLOAD
    # Clientela itself reads the file back to the same values.
    Person.objects.all().delete()
    import_file(rep_north, data, "people.csv", on_exact="create")
    again = Person.objects.get(last_name="Vidal")
    assert (again.phone, again.notes) == ("+34612904550", PAYLOAD)
