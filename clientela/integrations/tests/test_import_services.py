"""The import services end to end (upload, mapping, dry run, run, undo) on the fixture
exports of other programs: what is saved, what the dry run reports, idempotence,
duplicate policies, audit, undo and permissions.

The helpers at the top (``import_file``, ``csv_file``) are shared by the other
``test_import_*`` modules."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from openpyxl import Workbook

from clientela.contacts import services as contacts
from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import (
    Address,
    EmailAddress,
    Membership,
    Organization,
    Person,
    PhoneNumber,
)
from clientela.core.errors import NotFound
from clientela.core.models import AuditEntry
from clientela.integrations import selectors, services
from clientela.integrations.models import ImportedRecord, ImportJob, ImportStatus, RowIssueKind

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data" / "import"


# --- helpers shared by the import tests ----------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def csv_file(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(user: Any, source: Path | bytes, filename: str = "", kind: str = "") -> ImportJob:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return services.import_upload(
                actor=user, upload=File(handle), filename=filename or source.name, kind=kind
            )
    return services.import_upload(
        actor=user, upload=ContentFile(source), filename=filename or "file.csv", kind=kind
    )


def import_file(
    user: Any,
    source: Path | bytes,
    filename: str = "",
    *,
    kind: str = "",
    mapping: dict[str, str] | None = None,
    on_exact: str = "update",
    on_similar: str = "skip",
    dry_run: bool = False,
) -> ImportJob:
    """Upload, map (the guess, with ``mapping`` header -> target overriding it), check
    and, unless ``dry_run``, run the import in this process."""
    job = upload(user, source, filename, kind)
    columns = [(mapping or {}).get(h, t) for h, t in zip(job.headers, job.mapping, strict=True)]
    job = services.import_configure(
        actor=user,
        job=job,
        kind=job.kind,
        mapping=columns,
        on_exact=on_exact,
        on_similar=on_similar,
    )
    services.import_check(actor=user, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    if not dry_run:
        services.import_start(actor=user, job=job)
        services.import_run(job=job)
        job.refresh_from_db()
    return job


def issues(job: ImportJob, dry_run: bool = False) -> list[tuple[int, str, str, str]]:
    return [
        (i.row, i.column, i.value, i.message)
        for i in selectors.import_issues(job=job, dry_run=dry_run).filter(kind="error")
    ]


def emails(record: Any) -> list[tuple[str, str]]:
    return list(
        EmailAddress.objects.filter(person=record)
        .order_by("-is_primary", "id")
        .values_list("address", "kind")
    )


def phones(record: Any) -> list[str]:
    return list(
        PhoneNumber.objects.filter(person=record)
        .order_by("-is_primary", "id")
        .values_list("number", flat=True)
    )


def tags(record: Any) -> list[str]:
    return sorted(t.name for t in record.tags.all())


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Organization.objects.count(), AuditEntry.objects.count()


# --- 1. what is saved, per source ------------------------------------------------------------


def test_google_export_saves_names_emails_phones_address_birthday_org_and_tags(
    rep_north: Any,
) -> None:
    job = import_file(rep_north, DATA / "google_contacts.csv")
    alice = Person.objects.get(last_name="Walker")
    assert alice.first_name == "Alice"
    assert [a for a, _k in emails(alice)] == [
        "alice@acme.example",
        "alice.w@acme.example",
        "alice@home.example",
    ]
    assert phones(alice) == ["+14155550100", "+14155550199"]
    address = Address.objects.get(person=alice)
    assert (address.street, address.city, address.region, address.postal_code) == (
        "1 Market St",
        "San Francisco",
        "CA",
        "94105",
    )
    assert address.country == "US"
    assert alice.birthday == Birthday(4, 12, 1985)
    # Google's own "* myContacts" group is not a tag of the user's.
    assert tags(alice) == ["VIP"]
    membership = Membership.objects.get(person=alice)
    assert (membership.organization.name, membership.job_title) == ("Acme Corp", "Buyer")
    # The third row has no name, but its organization and phone identify it: it is
    # imported under the organization's name, and the report says so.
    assert issues(job) == []
    company = Person.objects.get(last_name="Just A Company")
    assert (company.first_name, phones(company)) == ("", ["+442079460000"])
    assert company.organizations.get().name == "Just A Company"
    named = job.issues.get(kind=RowIssueKind.NOTE, dry_run=False, row=6)
    assert named.message == "No name: shown as “Just A Company”."
    # Bob's birthday has no year (Google's "--06-01"): kept as a month and a day.
    bob = Person.objects.get(last_name="Stone")
    assert bob.birthday == Birthday(6, 1)
    assert not job.issues.filter(kind=RowIssueKind.NOTE, dry_run=False, row=5).exists()
    assert (job.created, job.failed) == (3, 0)


@pytest.mark.parametrize(
    ("name", "last_name", "expected"),
    [
        (
            "google_contacts_es.csv",
            "Núñez García",
            {
                "first": "María José",
                "emails": ["mjose@talleres-pena.example"],
                "phones": ["+34612345678"],
                "city": "Málaga",
                "country": "ES",
                "birthday": Birthday(4, 12, 1985),
                "org": ("Talleres Peña S.L.", "Compras"),
                "tags": ["Clientes"],
            },
        ),
        (
            "outlook_es.csv",
            "Gómez Peña",
            {
                "first": "Ángela",
                "emails": ["angela@iberica.example"],
                "phones": ["+34612345679", "+34954123456"],
                "city": "Sevilla",
                "country": "ES",
                "birthday": Birthday(4, 12, 1985),
                "org": ("Distribuciones Ibérica S.A.", "Directora comercial"),
                "tags": ["Clientes"],
            },
        ),
        (
            "outlook.csv",
            "Muñoz",
            {
                "first": "José",
                "emails": ["jose@cafe-nandu.example", "jose.m@example.com"],
                "phones": ["+34612345678", "+34911234567", "+34911234568"],
                "city": "Madrid",
                "country": "ES",
                "birthday": None,  # "4/12/1985": which one depends on the order guess
                "org": ("Café Ñandú", "Gerente"),
                "tags": None,
            },
        ),
        (
            "iphone.vcf",
            "Appleseed",
            {
                "first": "Johnny",
                "emails": ["johnny@orchard.example", "j.appleseed@work.example"],
                "phones": ["+14085550123", "+14085550199", "+14085550100"],
                "city": "Cupertino",
                "country": "US",
                "birthday": Birthday(4, 12, 1985),
                "org": ("Apple Orchards Inc.", "Head Gardener"),
                "tags": ["Friends", "Garden Club"],
            },
        ),
        (
            "vcard4.vcf",
            "O'Neil",
            {
                "first": "Ana María",
                "emails": ["ana@example.com", "ana.home@example.org", "ana.other@example.net"],
                "phones": ["+34612345678", "+34911234567"],
                "city": "Madrid",
                "country": "ES",
                "birthday": Birthday(4, 12, 1985),
                "org": ("Acme; Sons, Ltd", "Buyer"),
                "tags": ["Gold, Plus", "VIP"],
            },
        ),
        (
            "android.vcf",
            "Núñez",
            {
                "first": "María José",
                "emails": ["mariajose@example.es"],
                "phones": ["+34612345678", "+34911234567"],
                "city": "Málaga",
                "country": "ES",
                "birthday": None,
                "org": ("Talleres Peña", ""),
                "tags": [],
            },
        ),
        (
            "hubspot_contacts.csv",
            "Díaz",
            {
                "first": "Carla",
                "emails": ["carla@brightlane.example"],
                "phones": ["+16175550101", "+16175550102"],
                "city": "Cambridge",
                "country": "US",
                "birthday": None,
                "org": ("Brightlane", "CTO"),
                "tags": [],
            },
        ),
        (
            "salesforce_contacts.csv",
            "O'Brien",
            {
                "first": "Erin",
                "emails": ["erin@globex.example"],
                "phones": ["+12175550110", "+12175550111"],
                "city": "Springfield",
                "country": "US",
                "birthday": Birthday(11, 30, 1979),
                "org": ("Globex", "VP Operations"),
                "tags": [],
            },
        ),
    ],
)
def test_exports_of_other_programs_are_saved_whole(
    rep_north: Any, name: str, last_name: str, expected: dict[str, Any]
) -> None:
    # CRM exports name their record owners by display name; those are not our users.
    job = import_file(rep_north, DATA / name, mapping={"Contact owner": "", "Contact Owner": ""})
    person = Person.objects.get(last_name=last_name)
    assert person.first_name == expected["first"]
    assert sorted(a for a, _k in emails(person)) == sorted(expected["emails"])
    assert emails(person)[0][0] == expected["emails"][0]
    assert sorted(phones(person)) == sorted(expected["phones"])
    assert all(p.startswith("+") and p[1:].isdigit() for p in phones(person))
    assert (person.city, person.country) == (expected["city"], expected["country"])
    if expected["birthday"] is not None:
        assert person.birthday == expected["birthday"]
    membership = Membership.objects.select_related("organization").get(person=person)
    assert (membership.organization.name, membership.job_title) == expected["org"]
    if expected["tags"] is not None:
        assert tags(person) == expected["tags"]
    assert person.owner == rep_north
    assert job.status == ImportStatus.DONE


def test_outlook_empty_birthday_0_0_00_is_no_birthday(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "outlook.csv")
    francoise = Person.objects.get(last_name="Lefèvre")
    assert francoise.birthday is None
    assert phones(francoise) == ["+33123456789"]
    assert (job.created, job.failed) == (2, 0)


def test_organizations_from_hubspot_companies(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "hubspot_companies.csv", mapping={"Company owner": ""})
    assert job.kind == "organizations"
    bright = Organization.objects.get(name="Brightlane")
    assert (bright.external_id, bright.city, bright.country) == ("9001", "Cambridge", "US")
    assert bright.website == "https://www.brightlane.example"
    assert PhoneNumber.objects.get(organization=bright).number == "+16175550100"
    assert Organization.objects.get(name="Nordwind GmbH").country == "DE"
    assert (job.created, job.failed) == (2, 0)


def test_unknown_owner_is_left_out_naming_the_column(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "hubspot_companies.csv")
    assert issues(job) == []
    note = job.issues.get(dry_run=False, column="Company owner")
    assert (note.row, note.value, note.kind) == (2, "Dana Owner", RowIssueKind.NOTE)
    assert note.message.startswith("Left out: No active user with this")
    # The row is imported, owned by whoever imports it.
    bright = Organization.objects.get(external_id="9001")
    assert bright.owner == rep_north
    assert Organization.objects.count() == 2


def test_people_with_organization_create_it_once_with_job_titles(rep_north: Any) -> None:
    data = csv_file(
        [
            ["First name", "Last name", "E-mail", "Company", "Job title"],
            ["Ana", "Ruiz", "ana@acme.example", "Acme", "Buyer"],
            ["Bea", "Soto", "bea@acme.example", "ACME", "CEO"],
            ["Carl", "Berg", "carl@acme.example", "acme", ""],
        ]
    )
    job = import_file(rep_north, data)
    assert job.created == 3
    assert Organization.objects.count() == 1
    titles = dict(Membership.objects.values_list("person__first_name", "job_title"))
    assert titles == {"Ana": "Buyer", "Bea": "CEO", "Carl": ""}


def test_xlsx_import(rep_north: Any, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["First name", "Last name", "Email", "Mobile", "Birthday", "Country", "City"])
    sheet.append(
        [
            "Ana",
            "Ruiz",
            "ana@example.com",
            "+34 612 34 56 78",
            datetime.date(1985, 4, 12),
            "Spain",
            "Madrid",
        ]
    )
    sheet.append(["Bea", "Soto", "bea@example.com", 34699111222, "1990-01-02", "ES", "Vigo"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    job = import_file(rep_north, path)
    assert (job.format, job.created, job.failed) == ("xlsx", 2, 0)
    ana = Person.objects.get(first_name="Ana")
    assert (ana.birthday, ana.country, ana.city) == (Birthday(4, 12, 1985), "ES", "Madrid")
    assert phones(ana) == ["+34612345678"]
    assert phones(Person.objects.get(first_name="Bea")) == ["+34699111222"]


# --- 2. dry run ------------------------------------------------------------------------------

BAD_ROWS = [
    ["first_name", "last_name", "email", "email_personal", "country", "birthday"],
    ["Ana", "Ruiz", "ana@example.com", "", "ES", "1985-04-12"],
    ["Bea", "Soto", "bea@example.com", "not-an-email", "ES", ""],
    ["Carl", "Berg", "carl@example.com", "", "ES", "31/02/1990"],
    ["Dan", "Moe", "dan@example.com", "dan@home.example", "Atlantis", ""],
]


def test_import_needs_a_dry_run_first(rep_north: Any) -> None:
    job = upload(rep_north, csv_file(BAD_ROWS))
    with pytest.raises(ValidationError) as caught:
        services.import_start(actor=rep_north, job=job)
    assert "job" in caught.value.message_dict


# --- 3. idempotence and duplicate policies -----------------------------------------------------

PEOPLE = [
    ["first_name", "last_name", "email", "phone", "country", "city", "tags"],
    ["Ana", "Ruiz", "ana@example.com", "+34612345678", "ES", "Madrid", "vip"],
    ["Bea", "Soto", "bea@example.com", "+34612345679", "ES", "Vigo", ""],
]


@pytest.mark.parametrize("policy", ["update", "skip"])
def test_same_file_twice_creates_nothing_new(rep_north: Any, policy: str) -> None:
    first = import_file(rep_north, csv_file(PEOPLE))
    assert first.created == 2
    audit = AuditEntry.objects.count()
    again = import_file(rep_north, csv_file(PEOPLE), on_exact=policy)
    assert (again.created, again.updated, again.skipped, again.failed) == (0, 0, 2, 0)
    assert Person.objects.count() == 2
    assert AuditEntry.objects.count() == audit


def test_external_id_matches_before_email(rep_north: Any) -> None:
    rows = [["external id", "first_name", "last_name", "email"], ["X1", "Ana", "Ruiz", "a@x.es"]]
    import_file(rep_north, csv_file(rows))
    rows[1][3] = "new@x.es"  # a new e-mail, the same external id
    again = import_file(rep_north, csv_file(rows))
    assert (again.created, again.updated) == (0, 1)
    assert sorted(a for a, _k in emails(Person.objects.get())) == ["a@x.es", "new@x.es"]


def test_update_adds_emails_phones_and_fills_values_without_wiping(rep_north: Any) -> None:
    import_file(rep_north, csv_file(PEOPLE))
    ana = Person.objects.get(first_name="Ana")
    contacts.person_update(actor=rep_north, person=ana, data={"notes": "keep me"})
    rows = [
        ["email", "email_personal", "phone_work", "birthday", "first_name", "tags"],
        ["ANA@example.com", "ana@home.example", "+34 911 234 567", "1985-04-12", "Ana", "new"],
    ]
    job = import_file(rep_north, csv_file(rows))
    assert (job.created, job.updated) == (0, 1)
    ana.refresh_from_db()
    assert [a for a, _k in emails(ana)] == ["ana@example.com", "ana@home.example"]
    assert phones(ana) == ["+34612345678", "+34911234567"]
    assert (ana.birthday, ana.notes, ana.last_name, ana.city) == (
        Birthday(4, 12, 1985),
        "keep me",
        "Ruiz",
        "Madrid",
    )
    assert tags(ana) == ["new", "vip"]


def test_on_duplicate_create_makes_a_second_record(rep_north: Any) -> None:
    import_file(rep_north, csv_file(PEOPLE))
    job = import_file(rep_north, csv_file(PEOPLE), on_exact="create")
    assert job.created == 2
    assert Person.objects.count() == 4


def test_on_duplicate_skip_changes_nothing(rep_north: Any) -> None:
    import_file(rep_north, csv_file(PEOPLE))
    rows = [
        ["email", "first_name", "last_name", "birthday"],
        ["ana@example.com", "X", "Y", "2000-01-01"],
    ]
    job = import_file(rep_north, csv_file(rows), on_exact="skip")
    assert (job.skipped, job.updated) == (1, 0)
    ana = Person.objects.get(email="ana@example.com")
    assert (ana.first_name, ana.birthday) == ("Ana", None)
    [issue] = selectors.import_issues(job=job, dry_run=False)
    assert issue.kind == RowIssueKind.DUPLICATE
    assert f"#{ana.pk}" in issue.message


# --- 5. audit and undo ------------------------------------------------------------------------


def test_every_imported_record_has_one_create_entry_from_import(rep_north: Any) -> None:
    import_file(rep_north, csv_file(PEOPLE))
    for person in Person.objects.all():
        entries = AuditEntry.objects.filter(object_id=person.pk, content_type__model="person")
        assert [(e.action, e.interface) for e in entries] == [("create", "import")]
        assert entries[0].actor == rep_north


def test_undo_trashes_created_and_restores_updated(rep_north: Any, person_factory: Any) -> None:
    old = person_factory(
        rep_north,
        first_name="Old",
        last_name="Timer",
        emails=[contacts.EmailInput("ana@example.com", "work", True)],
    )
    job = import_file(rep_north, csv_file(PEOPLE))
    assert (job.created, job.updated) == (1, 1)
    old.refresh_from_db()
    assert old.city == "Madrid"
    done = services.import_undo(actor=rep_north, job=job)
    assert done == 2
    old.refresh_from_db()
    assert (old.city, old.deleted_at, phones(old)) == ("", None, [])
    assert tags(old) == []
    bea = Person.objects.get(first_name="Bea")
    assert bea.deleted_at is not None
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE


def test_undo_refused_once_a_record_was_edited(rep_north: Any) -> None:
    job = import_file(rep_north, csv_file(PEOPLE))
    ana = Person.objects.get(first_name="Ana")
    contacts.person_update(actor=rep_north, person=ana, data={"notes": "edited"})
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.import_undo(actor=rep_north, job=job)
    assert "no longer possible" in str(caught.value.message_dict["job"])
    assert counts() == before
    assert Person.objects.filter(deleted_at__isnull=True).count() == 2
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_imported_records_are_remembered_for_undo(rep_north: Any) -> None:
    job = import_file(rep_north, csv_file(PEOPLE))
    assert sorted(job.records.values_list("row", flat=True)) == [2, 3]
    assert ImportedRecord.objects.filter(job=job, action="created").count() == 2


# --- 7. permissions ---------------------------------------------------------------------------


def test_reader_cannot_import(reader: Any) -> None:
    with pytest.raises(PermissionDenied):
        upload(reader, csv_file(PEOPLE))
    assert ImportJob.objects.count() == 0


def test_reps_records_are_their_own_and_their_teams(rep_north: Any) -> None:
    import_file(rep_north, csv_file(PEOPLE))
    for person in Person.objects.all():
        assert (person.owner, person.team) == (rep_north, rep_north.team)


def test_import_get_hides_other_users_jobs(rep_north: Any, rep_south: Any, admin: Any) -> None:
    job = upload(rep_north, csv_file(PEOPLE))
    assert selectors.import_get(user=rep_north, pk=job.pk) == job
    assert selectors.import_get(user=admin, pk=job.pk) == job
    with pytest.raises(NotFound):
        selectors.import_get(user=rep_south, pk=job.pk)
    assert list(selectors.import_list(user=rep_south)) == []
    with pytest.raises(NotFound):
        services.import_check(actor=rep_south, job=job)


# --- birthdays without a year ------------------------------------------------------------


def test_iphone_birthday_without_a_year_keeps_the_month_and_day(rep_north: Any) -> None:
    """Apple writes "24 December" as the year 1604 marked X-APPLE-OMIT-YEAR."""
    job = import_file(rep_north, DATA / "iphone_no_year.vcf")
    assert (job.created, job.failed) == (3, 0)
    born = {p.last_name: str(p.birthday) for p in Person.objects.all()}
    assert born == {"Navidad": "--12-24", "Bisiesto": "--02-29", "Completa": "1985-04-12"}


def test_spreadsheet_birthdays_without_a_year(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "spreadsheet_birthdays.csv")
    assert (job.created, job.failed) == (4, 0)
    born = {p.first_name: str(p.birthday) for p in Person.objects.all()}
    assert born == {
        "Lucía": "--05-21",
        "Jaime": "--05-21",
        "Rosa": "--12-24",
        "Álvaro": "1985-04-12",
    }
