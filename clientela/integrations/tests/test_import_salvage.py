"""A row is never lost for an optional cell (issue 12, items 1 and 2): what cannot be used
is reported for its cell and left out, or a phone kept as typed and unverified; only a
row with nothing to identify the record fails; the dry run says so in one sentence and
its button counts the rows that will be written. Numbers without a country code are read
in the row's country, then the company's."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.contacts import services as contacts
from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Person, PhoneNumber
from clientela.contacts.schemas import person_out
from clientela.contacts.selectors import person_get_with_details
from clientela.core import company, search
from clientela.integrations import selectors, services
from clientela.integrations.models import RowIssueKind
from clientela.integrations.tests.test_import_services import (
    BAD_ROWS,
    DATA,
    _media,
    counts,
    csv_file,
    emails,
    import_file,
    issues,
)

pytestmark = pytest.mark.django_db

__all__ = ["_media"]


def notes(job: Any, *, dry_run: bool = False) -> list[tuple[int, str, str, str]]:
    return [
        (i.row, i.column, i.value, i.message)
        for i in selectors.import_issues(job=job, dry_run=dry_run).filter(kind=RowIssueKind.NOTE)
    ]


def errors(job: Any, *, dry_run: bool = False) -> list[tuple[int, str]]:
    return [
        (i.row, i.message)
        for i in selectors.import_issues(job=job, dry_run=dry_run).filter(kind=RowIssueKind.ERROR)
    ]


def phones(person: Person) -> list[tuple[str, bool]]:
    return list(
        PhoneNumber.objects.filter(person=person)
        .order_by("-is_primary", "id")
        .values_list("number", "verified")
    )


# --- the 5-row file with mistakes in optional cells ----------------------------------------


def test_dry_run_writes_nothing_and_reports_each_cell_left_out(rep_north: Any) -> None:
    before = counts()
    job = import_file(rep_north, csv_file(BAD_ROWS), dry_run=True)
    assert counts() == before
    assert issues(job, dry_run=True) == []
    assert notes(job, dry_run=True) == [
        (
            3,
            "email_personal",
            "not-an-email",
            "Left out: “not-an-email” is not a valid e-mail address.",
        ),
        (4, "birthday", "31/02/1990", "Left out: This date does not exist."),
        (
            5,
            "country",
            "Atlantis",
            "Left out: Unknown country; use its name or ISO code (ES, US…).",
        ),
    ]
    assert (job.preview["created"], job.preview["failed"]) == (4, 0)
    assert (job.preview["partial"], job.preview["cells"]) == (3, 3)
    row = job.preview["rows"][0]
    assert row["row"] == 2
    assert (row["name"], row["email"], row["country"], row["birthday"]) == (
        "Ana Ruiz",
        "ana@example.com",
        "ES",
        "1985-04-12",
    )

    # The import writes every row, each without what could not be used.
    services.import_start(actor=rep_north, job=job)
    services.import_run(job=job)
    job.refresh_from_db()
    assert (job.created, job.failed) == (4, 0)
    ana = Person.objects.get(last_name="Ruiz")
    assert (ana.full_name, ana.email, ana.birthday) == (
        row["name"],
        row["email"],
        Birthday(4, 12, 1985),
    )
    bea = Person.objects.get(last_name="Soto")
    assert emails(bea) == [("bea@example.com", "work")]
    carl = Person.objects.get(last_name="Berg")
    assert (carl.birthday, carl.country) == (None, "ES")
    dan = Person.objects.get(last_name="Moe")
    assert [a for a, _k in emails(dan)] == ["dan@example.com", "dan@home.example"]
    assert (dan.country, dan.addresss.count()) == ("", 0)
    assert [n[0] for n in notes(job)] == [3, 4, 5]


def test_dry_run_counts_rows_written_cells_left_out_and_rows_failing(
    client: Any, rep_north: Any
) -> None:
    job = import_file(rep_north, DATA / "optional_mistakes.csv", dry_run=True)
    assert not Person.objects.exists()
    assert errors(job, dry_run=True) == [
        (6, "Nothing identifies this row: no name, e-mail, phone or organization.")
    ]
    left_out = [(r, c, v) for r, c, v, m in notes(job, dry_run=True) if m.startswith("Left out")]
    assert [(r, c) for r, c, _v in left_out] == [
        (3, "E-mail"),
        (3, "Birthday"),
        (4, "Country"),
        (5, "Job title"),
    ]
    assert left_out[0][2] == "bea@@example"
    assert (job.preview["created"], job.preview["partial"], job.preview["cells"]) == (4, 3, 4)
    client.force_login(rep_north)
    page = client.get(reverse("integrations:import-detail", kwargs={"pk": job.pk}))
    body = page.content.decode()
    assert "4 rows will be imported, 3 with 4 cells left out, 1 will fail." in body
    # The button counts what will be written, not the rows of the file.
    assert "Import 4 rows" in body
    assert "Import 5 rows" not in body


def test_import_writes_each_row_without_what_could_not_be_used(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "optional_mistakes.csv")
    assert (job.created, job.failed) == (4, 0 + 1)
    bea = Person.objects.get(last_name="Soto")
    # Her e-mail and birthday are left out; her phone and address are kept.
    assert (bea.email, bea.birthday, bea.phone, bea.city) == ("", None, "+34622111222", "Sevilla")
    carl = Person.objects.get(last_name="Berg")
    assert (carl.email, carl.country, carl.addresss.count()) == ("carl@example.com", "", 0)
    dan = Person.objects.get(last_name="Moe")
    membership = dan.memberships.get()
    assert (membership.organization.name, membership.job_title) == ("Acme", "")
    # The services' rules still hold: the one Acme, found again, not a second one.
    assert Person.objects.get(last_name="Ruiz").organizations.get() == membership.organization
    assert Person.objects.count() == 4


def test_spanish_dry_run_sentence(client: Any, rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "optional_mistakes.csv", dry_run=True)
    rep_north.language = "es"
    rep_north.save(update_fields=["language"])
    client.force_login(rep_north)
    body = client.get(reverse("integrations:import-detail", kwargs={"pk": job.pk})).content.decode()
    assert "Se importarán 4 filas, 3 con 4 celdas omitidas, 1 fallará." in body


# --- a Google export with national numbers -------------------------------------------------


def test_national_numbers_are_read_in_the_rows_country_else_kept_unverified(
    rep_north: Any,
) -> None:
    # An English installation without a company country reads numbers as the US's.
    job = import_file(rep_north, DATA / "google_national.csv")
    assert errors(job) == [
        (6, "Nothing identifies this row: no name, e-mail, phone or organization.")
    ]
    assert (job.created, job.failed) == (4, 1)
    lucia = Person.objects.get(last_name="Pérez")
    assert phones(lucia) == [("+34612345678", True), ("+34911234567", True)]
    tom = Person.objects.get(last_name="Baker")
    assert phones(tom) == [("+442079460000", True)]
    # No country reads Marie's French mobile: kept as typed, unverified, still found.
    marie = Person.objects.get(last_name="Dupont")
    assert phones(marie) == [("06 98 76 54 32", False)]
    assert marie.phone == "06 98 76 54 32"
    [note] = [n for n in notes(job) if n[0] == 2]
    assert note[1:3] == ("Phone 1 - Value", "06 98 76 54 32")
    assert note[3].startswith("Kept as typed, not verified")
    # The API says which number is not verified.
    body = person_out(person_get_with_details(user=rep_north, pk=marie.pk)).model_dump()
    assert [(p["number"], p["verified"]) for p in body["phones"]] == [("06 98 76 54 32", False)]
    body = person_out(person_get_with_details(user=rep_north, pk=lucia.pk)).model_dump()
    assert all(p["verified"] for p in body["phones"])
    for query in ("0698765432", "698765432"):
        hits = search.search(user=rep_north, query=query, resources=["contacts.person"])
        assert [h.object_id for h in hits] == [marie.pk], query
    # A row without a name but with an e-mail is kept under the e-mail.
    assert Person.objects.filter(last_name="info@tienda.example", email="info@tienda.example")


def test_the_companys_country_reads_national_numbers(rep_north: Any) -> None:
    company.remember_profile(company.Profile(country="FR"), seconds=float("inf"))
    import_file(rep_north, DATA / "google_national.csv")
    marie = Person.objects.get(last_name="Dupont")
    assert phones(marie) == [("+33698765432", True)]
    # The row's own country still comes first.
    assert phones(Person.objects.get(last_name="Pérez"))[0] == ("+34612345678", True)


def test_unverified_number_shows_a_hint_and_survives_an_edit(client: Any, rep_north: Any) -> None:
    import_file(rep_north, DATA / "google_national.csv")
    marie = Person.objects.get(last_name="Dupont")
    client.force_login(rep_north)
    page = client.get(reverse("contacts:person-detail", kwargs={"pk": marie.pk}))
    assert "Not verified: kept as imported" in page.content.decode()
    # Editing something else keeps the number as it is; a new bad number is refused.
    marie = contacts.person_update(
        actor=rep_north,
        person=marie,
        data={"first_name": "Marie-Claire", "phones": [contacts.PhoneInput("06 98 76 54 32")]},
    )
    assert phones(marie) == [("06 98 76 54 32", False)]
    with pytest.raises(Exception, match="add the country code"):
        contacts.person_update(
            actor=rep_north, person=marie, data={"phones": [contacts.PhoneInput("06 99 99")]}
        )


def test_row_with_nothing_to_identify_it_fails_alone(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "google_national.csv", dry_run=True)
    assert job.preview["failed"] == 1
    services.import_start(actor=rep_north, job=job)
    services.import_run(job=job)
    assert not Person.objects.filter(notes__startswith="Call back").exists()


def test_the_result_says_what_was_written_and_left_out(client: Any, rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "optional_mistakes.csv")
    job.refresh_from_db()
    assert (job.created, job.partial, job.cells_left_out, job.failed) == (4, 3, 4, 1)
    client.force_login(rep_north)
    body = client.get(reverse("integrations:import-detail", kwargs={"pk": job.pk})).content
    assert "4 rows imported, 3 with 4 cells left out, 1 failed." in body.decode()
    # In the reader's language too.
    client.cookies["django_language"] = "es"
    rep_north.language = "es"
    rep_north.save(update_fields=["language"])
    body = client.get(reverse("integrations:import-detail", kwargs={"pk": job.pk})).content
    assert "4 filas importadas" in body.decode()
