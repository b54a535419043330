"""Round trip per format (issue 12 item 4): people with phones, e-mails, typed addresses,
a birthday without a year and cells a spreadsheet would run as formulas (``=1+1``,
``+SUM(A1)``, ``@x``, ``-2+3``) are exported, the file is imported again through the real
importer into an empty base, and the records come back unchanged, while the formula
cells stay neutralized in the file. Google and Outlook files go the same way: imported,
exported by Clientela and imported again, their phones and birthdays written as those
programs read them (``+34612345678``, ``--05-21``, no leading ``'``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from clientela.contacts import details as d
from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Person
from clientela.contacts.services import person_create
from clientela.core.models import Tag
from clientela.integrations.tests.test_exports import export
from clientela.integrations.tests.test_import_roundtrip import snapshot
from clientela.integrations.tests.test_import_services import DATA, _media, import_file
from clientela.integrations.tests.vcard_reader import read_cards

pytestmark = pytest.mark.django_db

__all__ = ["_media"]

FORMULAS = ("=1+1", "+SUM(A1)", "@x", "-2+3")


def make_people(user: Any) -> None:
    person_create(
        actor=user,
        data={
            "first_name": "=1+1",
            "last_name": "+SUM(A1)",
            "birthday": Birthday(5, 21),
            "notes": "@x\n-2+3",
            "tags": ["-2+3", "VIP"],
            "emails": [
                d.EmailInput("ana@example.com", "work", True),
                d.EmailInput("ana@home.example", "personal"),
                d.EmailInput("ana@old.example", "other"),
            ],
            "phones": [
                d.PhoneInput("+34612345678", "mobile", True),
                d.PhoneInput("+34911234567", "work"),
                d.PhoneInput("+34925555321", "home"),
                d.PhoneInput("+34911234568", "fax"),
                d.PhoneInput("+16175550100", "other"),
            ],
            "addresses": [
                d.AddressInput(
                    "ES", "work", "Calle Mayor 1, 2º", "Madrid", "Madrid", "28013", True
                ),
                d.AddressInput("ES", "home", "=HYPERLINK(1)", "Toledo", "", "45001"),
                d.AddressInput("US", "billing", "1 Elm St", "Boston", "MA", "02108"),
                d.AddressInput("PT", "shipping", "Rua Augusta 10", "Lisboa"),
                d.AddressInput("GB", "other", "-2 Fleet St", "London", "", "EC4Y 1AA"),
            ],
        },
    )
    person_create(
        actor=user,
        data={
            "first_name": "@x",
            "last_name": "-2+3",
            "birthday": Birthday(4, 12, 1985),
            # A quote typed on purpose before a formula stays.
            "notes": "'=1+1",
            "phones": [d.PhoneInput("+442079460000", "work", True)],
        },
    )


def everyone() -> list[dict[str, Any]]:
    return [snapshot(p) for p in Person.objects.order_by("last_name")]


def reimport(user: Any, data: bytes, filename: str) -> list[dict[str, Any]]:
    """The people as they were, and as they are once ``data`` is imported into an empty
    base."""
    before = everyone()
    Person.objects.all().delete()
    Tag.objects.all().delete()
    job = import_file(user, data, filename, on_exact="create")
    assert (job.created, job.failed, job.partial) == (len(before), 0, 0)
    return before


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def assert_neutralized(rows: list[dict[str, str]]) -> None:
    """No cell a spreadsheet would run: each starting like a formula has its ``'``,
    except a phone in E.164 and a birthday without a year, which run nothing (a line
    inside a cell is not the start of a formula)."""
    for row in rows:
        for column, value in row.items():
            if value.startswith(("=", "+", "-", "@")):
                assert column in ("phone", "birthday"), (column, value)
                assert value[1:].replace("-", "").isdigit(), (column, value)


def test_clientela_csv(rep_north: Any) -> None:
    make_people(rep_north)
    data = export("csv", rep_north)
    rows = csv_rows(data)
    assert_neutralized(rows)
    ana = next(r for r in rows if r["first name"].endswith("=1+1"))
    assert (ana["first name"], ana["last name"]) == ("'=1+1", "'+SUM(A1)")
    # As Google and Outlook read them: no "'" before the number or the birthday.
    assert (ana["phone"], ana["birthday"]) == ("+34612345678", "--05-21")
    before = reimport(rep_north, data, "people.csv")
    assert everyone() == before
    assert [p["birthday"] for p in before] == [Birthday(5, 21), Birthday(4, 12, 1985)]
    assert before[0]["tags"] == ["-2+3", "VIP"]


def test_xlsx(rep_north: Any) -> None:
    make_people(rep_north)
    data = export("xlsx", rep_north)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    # Text, never a formula, though it looks like one: nothing runs when opened.
    assert all(c.data_type == "s" for c in cells if str(c.value).startswith(FORMULAS))
    assert {"=1+1", "+SUM(A1)", "@x", "-2+3"} <= {c.value for c in cells}
    before = reimport(rep_north, data, "people.xlsx")
    assert everyone() == before


def test_vcard(rep_north: Any) -> None:
    make_people(rep_north)
    data = export("vcf", rep_north)
    cards = read_cards(data)
    assert {c.one("FN").text for c in cards} == {"=1+1 +SUM(A1)", "@x -2+3"}
    assert "--0521" in {c.one("BDAY").raw for c in cards}
    before = reimport(rep_north, data, "people.vcf")
    assert everyone() == before


def _from(user: Any, source: Path, count: int) -> bytes:
    job = import_file(user, source)
    assert (job.created, job.failed) == (count, 0)
    return export("csv", user)


def test_google_csv(rep_north: Any) -> None:
    data = _from(rep_north, DATA / "google_labels.csv", 2)
    rows = csv_rows(data)
    assert_neutralized(rows)
    lucia = next(r for r in rows if r["last name"] == "Pérez")
    assert (lucia["phone"], lucia["birthday"]) == ("+34612345678", "--05-21")
    before = reimport(rep_north, data, "people.csv")
    assert everyone() == before
    lucia_before = next(p for p in before if p["names"] == ("Lucía", "Pérez"))
    assert [k for _c, k, *_rest in lucia_before["addresses"]] == ["home", "other"]
    assert [k for _n, k in lucia_before["phones"]] == ["mobile", "work", "other"]


def test_outlook_csv(rep_north: Any) -> None:
    data = _from(rep_north, DATA / "outlook_addresses.csv", 2)
    assert_neutralized(csv_rows(data))
    before = reimport(rep_north, data, "people.csv")
    assert everyone() == before
    ana = next(p for p in before if p["names"] == ("Ana", "Torres"))
    assert [k for _c, k, *_rest in ana["addresses"]] == ["work", "home", "other"]
    assert len(ana["phones"]) == 6
