"""Rows into service data (dates, countries, names, multi-valued cells) and bad input of
every kind: a clear message, the row/column/value named, nothing written, nothing
escaping as an exception."""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from clientela.contacts.models import Person
from clientela.integrations import selectors, services
from clientela.integrations.exports import FORMATS, KINDS
from clientela.integrations.imports.convert import Converter, country_code, split_full_name
from clientela.integrations.imports.dates import date_order, parse_birthday, parse_date
from clientela.integrations.models import ImportJob
from clientela.integrations.tests.test_import_services import (
    DATA,
    _media,
    counts,
    csv_file,
    import_file,
    issues,
    upload,
)

__all__ = ["_media"]

D = datetime.date


# --- pure conversion ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("1985-04-12", "dmy", D(1985, 4, 12)),
        ("19850412", "dmy", D(1985, 4, 12)),
        ("12/04/1985", "dmy", D(1985, 4, 12)),
        ("12/04/1985", "mdy", D(1985, 12, 4)),
        ("4/25/1990", "dmy", D(1990, 4, 25)),  # a second number over 12: month first
        ("25/4/1990", "mdy", D(1990, 4, 25)),
        ("12.4.85", "dmy", D(1985, 4, 12)),
        ("April 12, 1985", "dmy", D(1985, 4, 12)),
        ("12 de abril de 1985", "dmy", D(1985, 4, 12)),
        ("12 abr. 1985", "dmy", D(1985, 4, 12)),
        ("1985-04-12T10:00:00", "dmy", D(1985, 4, 12)),
    ],
)
def test_parse_date_reads_what_spreadsheets_write(text: str, order: str, expected: D) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--04-12", "A date without a year cannot be stored; add the year."),
        ("--0412", "A date without a year cannot be stored; add the year."),
        ("31/02/1990", "This date does not exist."),
        ("soon", "Not a date we can read; write it as YYYY-MM-DD."),
        ("12 13 1985", "Not a date we can read; write it as YYYY-MM-DD."),
    ],
)
def test_parse_date_errors_say_what_to_do(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("1985-04-12", "dmy"),
        ("19850412", "dmy"),
        ("12/04/1985", "dmy"),
        ("12/04/1985", "mdy"),
        ("12.4.85", "dmy"),
        ("1985-04-12T10:00:00", "dmy"),
        ("April 12, 1985", "mdy"),
        ("12 de abril de 1985", "dmy"),
    ],
)
def test_birthdays_with_a_year_read_as_dates(text: str, order: str) -> None:
    born = parse_date(text, order)
    birthday = parse_birthday(text, order)
    assert (birthday.year, birthday.month, birthday.day) == (born.year, born.month, born.day)


def test_a_birthday_that_does_not_exist_says_so() -> None:
    with pytest.raises(ValueError, match=r"^This date does not exist\.$"):
        parse_birthday("31/02/1990")


def test_date_order_follows_the_unambiguous_values() -> None:
    assert date_order(["12/04/1985", "25/04/1990"]) == "dmy"
    assert date_order(["12/04/1985", "4/25/1990", "1/30/2000"]) == "mdy"
    assert date_order(["01/02/2000", "1985-04-12"]) == "dmy"


def test_country_names_and_codes() -> None:
    assert country_code("España") == "ES"
    assert country_code("spain") == "ES"
    assert country_code("es") == "ES"
    assert country_code("United States") == "US"
    assert country_code("EE. UU.") == "US"
    assert country_code("Alemania") == "DE"
    assert country_code("Atlantis") is None


def test_full_names_split() -> None:
    assert split_full_name("Ana García López") == ("Ana", "García López")
    assert split_full_name("García,  Ana") == ("Ana", "García")
    assert split_full_name("Cher") == ("", "Cher")


def test_converter_gathers_emails_phones_and_unneutralizes() -> None:
    headers = ["Name", "Work", "Home", "Mobile", "Notes", "Tags"]
    mapping = ["full_name", "email", "email_personal", "phone_mobile", "notes", "tags"]
    out = Converter(kind="people", headers=headers, mapping=mapping).convert(
        2,
        [
            "Ana Ruiz",
            "a@x.es ::: b@x.es",
            "A@X.ES",
            "+34 612 34 56 78",
            '\'=HYPERLINK("x")',
            'vip, "Gold, Plus"',
        ],
    )
    assert out.ok
    assert (out.data["first_name"], out.data["last_name"]) == ("Ana", "Ruiz")
    assert [(e.address, e.kind, e.is_primary) for e in out.data["emails"]] == [
        ("a@x.es", "work", True),
        ("b@x.es", "work", False),
    ]
    assert out.data["notes"] == '=HYPERLINK("x")'
    assert out.data["tags"] == ["vip", "Gold, Plus"]


def test_converter_column_of_names_the_column_holding_the_bad_value() -> None:
    headers = ["Work phone", "Home phone"]
    converter = Converter(kind="people", headers=headers, mapping=["phone_work", "phone_home"])
    cells = ["+34 612 34 56 78", "915"]
    assert converter.column_of("phones", cells, "“915” is not a valid phone number.") == (
        "Home phone"
    )
    assert converter.column_of("phones") == "Work phone"


# --- bad input: files -------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def file_error(user: Any, source: Path | bytes, filename: str = "") -> str:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        upload(user, source, filename)
    assert counts() == before
    assert ImportJob.objects.count() == 0
    [message] = caught.value.message_dict["file"]
    return message


def test_empty_file(rep_north: Any) -> None:
    assert file_error(rep_north, DATA / "empty.csv").startswith("The file is empty.")
    assert file_error(rep_north, b"", "empty.csv").startswith("The file is empty.")


def test_header_only_file(rep_north: Any) -> None:
    assert "no data rows" in file_error(rep_north, b"first_name,last_name\n", "h.csv")


def test_binary_garbage(rep_north: Any) -> None:
    assert file_error(rep_north, DATA / "garbage.csv").startswith("This is not a text file")
    assert file_error(rep_north, os.urandom(4096), "random.csv").startswith(
        "This is not a text file"
    )


def test_file_over_the_limit(rep_north: Any, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"first_name,last_name\nAna,Ruiz\n")
    os.truncate(path, 2 * 1024**3)  # sparse: no disk used
    message = file_error(rep_north, path)
    assert message.startswith("The file is 2.0 GB; the largest import is 1.0 GB")


def test_ragged_rows_are_reported_and_the_others_imported(rep_north: Any) -> None:
    # The city has no country column in this file: leave it out of the mapping.
    job = import_file(rep_north, DATA / "ragged.csv", mapping={"city": ""})
    assert issues(job) == [
        (3, "", "", "This row has 3 columns; the header has 5."),
        (4, "", "", "This row has 7 columns; the header has 5."),
    ]
    assert sorted(Person.objects.values_list("first_name", flat=True)) == ["Ana", "Dan"]


def test_xlsx_formula_cells_are_left_out_and_reported_not_evaluated(
    rep_north: Any, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["first_name", "last_name", "email"])
    sheet.append(["Ana", "Ruiz", "ana@example.com"])
    sheet.append(["Bea", '=HYPERLINK("http://evil.example","x")', "bea@example.com"])
    sheet.append(["Carl", "Berg", '=A2&"@example.com"'])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    job = import_file(rep_north, path)
    assert issues(job) == []  # no row is lost for a formula in one cell
    notes = [
        (i.row, i.column, i.message)
        for i in selectors.import_issues(job=job, dry_run=False).filter(kind="note")
    ]
    assert [(r, c) for r, c, _m in notes] == [(3, "last_name"), (4, "email")]
    assert all(m.startswith("Left out: ") and "formula" in m for _r, _c, m in notes)
    assert (job.created, job.partial, job.cells_left_out) == (3, 2, 2)
    people = {p.first_name: p for p in Person.objects.all()}
    assert people["Bea"].last_name == ""
    assert people["Bea"].email == "bea@example.com"
    assert people["Carl"].email == ""  # the formula was never evaluated


def test_vcard_with_broken_folding_skips_only_the_broken_cards(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "broken_folding.vcf")
    found = issues(job)
    assert [r for r, _c, _v, _m in found] == [7, 20]
    assert "folded without a leading space" in found[0][3]
    assert "END:VCARD" in found[1][3]
    assert sorted(Person.objects.values_list("last_name", flat=True)) == ["Good", "Third"]


def test_mixed_dates_day_first_detected(rep_north: Any) -> None:
    rows = [
        ["first_name", "last_name", "birthday"],
        ["A", "Iso", "1985-04-12"],
        ["B", "Dmy", "12/04/1985"],
        ["C", "Words", "April 12, 1985"],
        ["D", "Es", "12 de abril de 1985"],
        ["E", "NoYear", "--04-12"],
        ["F", "Day", "25/12/1970"],
    ]
    job = import_file(rep_north, csv_file(rows))
    assert job.preview["order"] == "dmy"
    assert _born() == {
        "Iso": "1985-04-12",
        "Dmy": "1985-04-12",
        "Words": "1985-04-12",
        "Es": "1985-04-12",
        "Day": "1970-12-25",
        "NoYear": "--04-12",
    }
    # A birthday without a year is kept as it is: no issue, no note.
    assert issues(job) == []
    assert not job.issues.filter(kind="note").exists()


def _born() -> dict[str, str | None]:
    return {p.last_name: str(p.birthday) if p.birthday else None for p in Person.objects.all()}


def test_birthdays_without_a_year_in_every_written_form(rep_north: Any) -> None:
    rows = [
        ["first_name", "last_name", "birthday"],
        ["A", "Google", "--05-21"],
        ["B", "VCard4", "--0521"],
        ["C", "Sheet", "21/05"],
        ["D", "Spanish", "21 de mayo"],
        ["E", "English", "May 21"],
        ["F", "Leap", "29/02"],
        ["G", "Impossible", "31/04"],
    ]
    job = import_file(rep_north, csv_file(rows))
    assert _born() == {
        "Google": "--05-21",
        "VCard4": "--05-21",
        "Sheet": "--05-21",
        "Spanish": "--05-21",
        "English": "--05-21",
        "Leap": "--02-29",
        "Impossible": None,  # imported, without the birthday that does not exist
    }
    assert issues(job) == []
    (note,) = job.issues.filter(kind="note", dry_run=False, row=8)
    assert (note.column, note.value) == ("birthday", "31/04")
    assert "does not exist" in note.message


def test_day_month_birthdays_read_month_first_when_the_file_says(rep_north: Any) -> None:
    rows = [["first_name", "last_name", "birthday"], ["A", "Us", "5/21"], ["B", "Amb", "4/5"]]
    import_file(rep_north, csv_file(rows))
    assert _born() == {"Us": "--05-21", "Amb": "--04-05"}


def test_mixed_dates_month_first_detected(rep_north: Any) -> None:
    rows = [
        ["first_name", "last_name", "birthday"],
        ["A", "Mdy", "4/25/1990"],
        ["B", "Ambiguous", "12/04/1985"],
    ]
    job = import_file(rep_north, csv_file(rows))
    assert job.preview["order"] == "mdy"
    assert _born() == {"Mdy": "1990-04-25", "Ambiguous": "1985-12-04"}


def test_formula_payloads_are_plain_text_in_and_neutralized_out(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "formula_injection.csv", mapping={"company": ""})
    assert job.created == 2
    mallory = Person.objects.get(first_name="Mallory")
    assert mallory.notes == '=HYPERLINK("http://evil.example","click")'
    cmd = Person.objects.get(first_name="@cmd")
    assert (cmd.last_name, cmd.notes) == ("-2+3", "=1+1")
    chunks = cast(Iterator[str], FORMATS["csv"].write(KINDS["people"], user=rep_north))  # text
    data = "".join(chunks).lstrip("\ufeff")
    rows = {r["first name"]: r for r in csv.DictReader(io.StringIO(data))}
    assert rows["Mallory"]["notes"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows["'@cmd"]["last name"] == "'-2+3"
    assert rows["'@cmd"]["notes"] == "'=1+1"


# --- bad input: mappings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (["first_name", "nonsense", ""], "Column “b”: there is no field “nonsense”."),
        (
            ["first_name", "first_name", ""],
            "“First name” is taken by the columns “a” and “b”; keep one.",
        ),
        (["", "", "email"], "Map at least one column to a name."),
        (["first_name"], "Give one target (or none) per column."),
    ],
)
def test_mapping_errors(rep_north: Any, mapping: list[str], message: str) -> None:
    job = upload(rep_north, csv_file([["a", "b", "c"], ["1", "2", "x@y.es"]]))
    with pytest.raises(ValidationError) as caught:
        services.import_configure(actor=rep_north, job=job, kind="people", mapping=mapping)
    assert message in caught.value.message_dict["mapping"]
    job.refresh_from_db()
    assert job.issues.count() == 0
    assert Person.objects.count() == 0


def test_organizations_need_a_name_column(rep_north: Any) -> None:
    job = upload(rep_north, csv_file([["a", "b"], ["1", "2"]]), kind="organizations")
    with pytest.raises(ValidationError) as caught:
        services.import_configure(
            actor=rep_north, job=job, kind="organizations", mapping=["website", ""]
        )
    assert caught.value.message_dict["mapping"] == ["Map a column to the organization's name."]


def test_bad_choices_for_kind_and_policies(rep_north: Any) -> None:
    job = upload(rep_north, csv_file([["first_name"], ["Ana"]]))
    with pytest.raises(ValidationError) as caught:
        services.import_configure(
            actor=rep_north,
            job=job,
            kind="deals",
            mapping=["first_name"],
            on_exact="merge",
            on_similar="x",
        )
    assert set(caught.value.message_dict) == {"kind", "on_exact", "on_similar"}
