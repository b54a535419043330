"""How the habits of the programs that write contact files are read: the order of
ambiguous dates (4/12/1985) when no date of the file tells (day first under Spanish
column names, month first under English ones), and Outlook's ";"-separated categories."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Person
from clientela.integrations import services
from clientela.integrations.exports.cells import join_tags, split_tags
from clientela.integrations.imports.dates import date_order, default_date_order
from clientela.integrations.imports.readers import open_table
from clientela.integrations.models import ImportRowIssue
from clientela.integrations.tests.test_import_services import csv_file, import_file, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_default_order_from_the_column_names() -> None:
    assert default_date_order(["First Name", "Last Name", "Birthday"]) == "mdy"
    assert default_date_order(["Nombre", "Apellidos", "Cumpleaños"]) == "dmy"
    # The values decide when one of them can: 25/04 is day first whatever the headers.
    assert date_order(["4/12/1985", "25/04/1990"], default="mdy") == "dmy"
    assert date_order(["4/12/1985"], default="mdy") == "mdy"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["First Name", "Last Name", "Birthday"], datetime.date(1985, 4, 12)),
        (["Nombre", "Apellidos", "Cumpleaños"], datetime.date(1985, 12, 4)),
    ],
)
def test_ambiguous_birthdays_follow_the_file_language(
    admin: Any, headers: list[str], expected: datetime.date
) -> None:
    import_file(admin, csv_file([headers, ["Ana", "Ruiz", "4/12/1985"]]), "people.csv")
    born = expected
    assert Person.objects.get(last_name="Ruiz").birthday == Birthday(
        born.month, born.day, born.year
    )


def test_outlook_categories_split_on_semicolons_and_quoted_ones_survive(admin: Any) -> None:
    rows = [
        ["First Name", "Last Name", "Categories"],
        ["Ana", "Ruiz", "Clientes;VIP"],
        ["Luis", "Gil", join_tags(["a;b", "VIP"])],
    ]
    import_file(admin, csv_file(rows), "people.csv")
    ana = Person.objects.get(last_name="Ruiz")
    assert sorted(t.name for t in ana.tags.all()) == ["Clientes", "VIP"]
    luis = Person.objects.get(last_name="Gil")
    assert sorted(t.name for t in luis.tags.all()) == ["VIP", "a;b"]
    assert split_tags(join_tags(["a;b", "c"])) == ["a;b", "c"]


def test_rows_without_a_country_take_the_import_country(admin: Any) -> None:
    """A Spanish phone written locally (600 111 222) and a city without a country: with
    the import's country set to Spain both go in, and the row notes the assumption."""

    rows = [
        ["Nombre", "Apellidos", "Teléfono móvil", "Ciudad"],
        ["Ana", "Ruiz", "600 111 222", "Bilbao"],
    ]
    job = upload(admin, csv_file(rows), "gente.csv")
    services.import_configure(
        actor=admin, job=job, kind="people", mapping=job.mapping, country="es"
    )
    services.import_check(actor=admin, job=job)
    services.import_start(actor=admin, job=job, queue=False)
    services.import_run(job=job)
    ana = Person.objects.get(last_name="Ruiz")
    assert (ana.phone, ana.city, ana.country) == ("+34600111222", "Bilbao", "ES")
    note = ImportRowIssue.objects.get(job=job, dry_run=False, kind="note")
    assert "ES assumed" in note.message


def test_an_unknown_import_country_is_refused(admin: Any) -> None:

    job = upload(admin, csv_file([["Name", "Surname"], ["Ana", "Ruiz"]]), "p.csv")
    with pytest.raises(ValidationError) as caught:
        services.import_configure(
            actor=admin, job=job, kind="people", mapping=job.mapping, country="XX"
        )
    assert "country" in caught.value.message_dict


def test_vcard_categories_keep_a_quote_inside_a_name(tmp_path: Path) -> None:
    """Phones may put quotes around a category; a quote at one end only is part of
    the name (found by the vCard round-trip property test)."""
    card = (
        'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Ruiz\r\nCATEGORIES:"VIP",Ana"s,Shop\r\nEND:VCARD\r\n'
    )
    path = tmp_path / "one.vcf"
    path.write_text(card, encoding="utf-8")
    table = open_table(path)
    cells = dict(zip(table.headers, next(table.rows()).cells, strict=True))
    assert split_tags(cells["tags"]) == ["VIP", 'Ana"s', "Shop"]
