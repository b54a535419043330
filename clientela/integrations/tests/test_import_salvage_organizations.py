"""Organizations import as people do (issue 12 item 6): a row is never lost for an
optional cell (a bad website, e-mail or country left out and reported, a phone no
country reads kept as typed and unverified), only a row without a name fails, numbers
are read in the row's country then the company's, kinds are honoured, and the dry run
says so in the same sentence with the same counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.contacts.models import Organization, PhoneNumber
from clientela.core import company
from clientela.integrations import services
from clientela.integrations.tests.test_import_salvage import errors, notes
from clientela.integrations.tests.test_import_services import DATA, _media, csv_file, import_file

pytestmark = pytest.mark.django_db

__all__ = ["_media"]

FILE = DATA / "companies_mistakes.csv"


def phones(organization: Organization) -> list[tuple[str, str, bool]]:
    return list(
        PhoneNumber.objects.filter(organization=organization)
        .order_by("-is_primary", "id")
        .values_list("number", "kind", "verified")
    )


LEFT_OUT = [
    (3, "Website", "not a website", "Left out: Enter a valid URL."),
    (3, "E-mail", "info@@nordwind", "Left out: “info@@nordwind” is not a valid e-mail address."),
    (4, "Country", "Narnia", "Left out: Unknown country; use its name or ISO code (ES, US…)."),
]


def test_dry_run_counts_rows_written_cells_left_out_and_rows_failing(
    client: Any, rep_north: Any
) -> None:
    job = import_file(rep_north, FILE, dry_run=True)
    assert job.kind == "organizations"
    assert not Organization.objects.exists()
    # Only the row without a name fails.
    assert errors(job, dry_run=True) == [(6, "Enter the organization's name.")]
    reported = notes(job, dry_run=True)
    assert reported[:3] == LEFT_OUT
    assert [(r, c) for r, c, _v, m in reported[3:]] == [(5, "Industry"), (5, "Phone")]
    assert reported[3][3].startswith("Left out: At most 100 characters")
    assert reported[4][3].startswith("Kept as typed, not verified")
    preview = job.preview
    assert (preview["created"], preview["partial"], preview["cells"], preview["failed"]) == (
        4,
        3,
        4,
        1,
    )
    client.force_login(rep_north)
    body = client.get(reverse("integrations:import-detail", kwargs={"pk": job.pk})).content
    # The same sentence and button as for people.
    assert "4 rows will be imported, 3 with 4 cells left out, 1 will fail." in body.decode()
    assert "Import 4 rows" in body.decode()
    assert "Import 5 rows" not in body.decode()

    services.import_start(actor=rep_north, job=job)
    services.import_run(job=job)
    job.refresh_from_db()
    assert (job.created, job.partial, job.cells_left_out, job.failed) == (4, 3, 4, 1)
    assert notes(job) == reported
    body = client.get(reverse("integrations:import-detail", kwargs={"pk": job.pk})).content
    assert "4 rows imported, 3 with 4 cells left out, 1 failed." in body.decode()


def test_each_row_is_written_without_what_could_not_be_used(rep_north: Any) -> None:
    import_file(rep_north, FILE)
    assert Organization.objects.count() == 4
    acme = Organization.objects.get(name="Acme")
    assert (acme.website, acme.industry, acme.email, acme.city, acme.country) == (
        "https://acme.example",
        "Tools",
        "info@acme.example",
        "Madrid",
        "ES",
    )
    # The kinds the columns say: a company's phone is its work line, the fax a fax.
    assert phones(acme) == [("+34912345678", "work", True), ("+34912345679", "fax", True)]
    nordwind = Organization.objects.get(name="Nordwind GmbH")
    # Its website and e-mail left out; its national number read in its own country.
    assert (nordwind.website, nordwind.email, nordwind.country) == ("", "", "DE")
    assert phones(nordwind) == [("+4940123456", "work", True)]
    bright = Organization.objects.get(name="Brightlane")
    assert (bright.email, bright.country, bright.addresss.count()) == (
        "hello@brightlane.example",
        "",
        0,
    )
    cafe = Organization.objects.get(name="Café Ñandú")
    # An English installation without a company country reads no French number: kept
    # as typed, unverified; the over-long industry left out.
    assert (cafe.industry, cafe.email) == ("", "cafe@nandu.example")
    assert phones(cafe) == [("06 98 76 54 32", "work", False)]
    assert not Organization.objects.filter(website="https://nameless.example").exists()


def test_the_companys_country_reads_national_numbers(rep_north: Any) -> None:
    company.remember_profile(company.Profile(country="FR"), seconds=float("inf"))
    import_file(rep_north, FILE)
    assert phones(Organization.objects.get(name="Café Ñandú")) == [("+33698765432", "work", True)]
    # The row's own country still comes first.
    assert phones(Organization.objects.get(name="Nordwind GmbH"))[0][0] == "+4940123456"


def test_google_labels_give_an_organizations_kinds(rep_north: Any) -> None:
    rows = [
        ["Organization Name", "Phone 1 - Label", "Phone 1 - Value", "Address 1 - Label"],
        ["Tienda Sol", "Work Fax", "+34 912 345 679", "Almacén"],
    ]
    rows[0] += ["Address 1 - City", "Address 1 - Country", "E-mail 1 - Label", "E-mail 1 - Value"]
    rows[1] += ["Getafe", "Spain", "* Home", "sol@tienda.example"]
    job = import_file(rep_north, csv_file(rows), kind="organizations")
    assert (job.created, job.failed) == (1, 0)
    shop = Organization.objects.get()
    assert phones(shop) == [("+34912345679", "fax", True)]
    assert list(shop.addresss.values_list("kind", "city")) == [("other", "Getafe")]
    assert list(shop.emailaddresss.values_list("kind", flat=True)) == ["personal"]
    [own] = [n for n in notes(job) if "of your own" in n[3]]
    assert own[1:3] == ("Address 1 - Label", "Almacén")
