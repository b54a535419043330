"""Duplicates on the way in: exact matches (e-mail, E.164 phone, external id), similar
names in the same city or organization, rows of one file matching each other, the
per-rule choices, and matching only against what the importing user may see."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Organization, Person
from clientela.contacts.services import AddressInput, EmailInput, MembershipInput, PhoneInput
from clientela.integrations import selectors
from clientela.integrations.imports.matching import Matcher, keys_for
from clientela.integrations.tests.test_import_services import _media, csv_file, import_file

pytestmark = pytest.mark.django_db

__all__ = ["_media"]

HEADER = ["first_name", "last_name", "email", "phone", "country", "city", "organization"]


def row(first: str, last: str, email: str = "", phone: str = "", **kw: str) -> list[str]:
    return [
        first,
        last,
        email,
        phone,
        kw.get("country", "ES" if kw.get("city") else ""),
        kw.get("city", ""),
        kw.get("organization", ""),
    ]


def duplicates(job: Any) -> list[tuple[int, str]]:
    return [
        (i.row, i.message)
        for i in selectors.import_issues(job=job, dry_run=False).filter(kind="duplicate")
    ]


def test_exact_email_match_is_case_insensitive(rep_north: Any, person_factory: Any) -> None:
    ana = person_factory(rep_north, emails=[EmailInput("Ana@Example.com", "work", True)])
    job = import_file(
        rep_north, csv_file([HEADER, row("Ana", "Ruiz", "ANA@EXAMPLE.COM")]), on_exact="skip"
    )
    assert (job.created, job.skipped) == (0, 1)
    assert duplicates(job) == [(2, f"Skipped: the same as #{ana.pk} (same e-mail).")]


def test_exact_phone_match_whatever_the_writing(rep_north: Any, person_factory: Any) -> None:
    ana = person_factory(rep_north, phones=[PhoneInput("+34 612 34 56 78", "mobile", True)])
    job = import_file(
        rep_north, csv_file([HEADER, row("Ana", "Other", phone="0034612345678")]), on_exact="skip"
    )
    assert job.skipped == 1
    assert duplicates(job) == [(2, f"Skipped: the same as #{ana.pk} (same phone).")]


def test_exact_external_id_match(rep_north: Any, person_factory: Any) -> None:
    ana = person_factory(rep_north, external_id="sf-1")
    rows = [["external_id", "first_name", "last_name"], ["sf-1", "Totally", "Different"]]
    job = import_file(rep_north, csv_file(rows), on_exact="skip")
    assert duplicates(job) == [(2, f"Skipped: the same as #{ana.pk} (same external id).")]


def _in_madrid(person_factory: Any, user: Any, **extra: Any) -> Any:
    return person_factory(
        user,
        first_name="José Luis",
        last_name="García",
        addresses=[AddressInput("ES", "work", "", "Madrid", "", "", True)],
        **extra,
    )


def test_similar_name_in_the_same_city_is_a_duplicate(rep_north: Any, person_factory: Any) -> None:
    known = _in_madrid(person_factory, rep_north)
    job = import_file(rep_north, csv_file([HEADER, row("Jose Luis", "García", city="madrid")]))
    assert (job.created, job.skipped) == (0, 1)
    [(number, message)] = duplicates(job)
    assert number == 2
    assert f"#{known.pk}" in message
    assert "same city" in message


def test_similar_name_in_another_city_is_not_a_duplicate(
    rep_north: Any, person_factory: Any
) -> None:
    _in_madrid(person_factory, rep_north)
    job = import_file(rep_north, csv_file([HEADER, row("Jose Luis", "García", city="Sevilla")]))
    assert (job.created, job.skipped) == (1, 0)
    assert Person.objects.count() == 2


def test_similar_name_in_the_same_organization_is_a_duplicate(
    rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    acme = organization_factory(rep_north, name="Acme")
    known = person_factory(
        rep_north,
        first_name="Jon",
        last_name="Smithson",
        memberships=[MembershipInput(acme.pk, "", True)],
    )
    job = import_file(rep_north, csv_file([HEADER, row("John", "Smithson", organization="Acme")]))
    [(_number, message)] = duplicates(job)
    assert f"#{known.pk}" in message
    assert "same organization" in message
    job2 = import_file(
        rep_north, csv_file([HEADER, row("John", "Smithson", organization="Globex")])
    )
    assert job2.created == 1


def test_on_similar_update_and_create(rep_north: Any, person_factory: Any) -> None:
    known = _in_madrid(person_factory, rep_north)
    rows = [HEADER, row("Jose Luis", "García", "jl@example.com", city="Madrid")]
    job = import_file(rep_north, csv_file(rows), on_similar="update")
    assert (job.created, job.updated) == (0, 1)
    known.refresh_from_db()
    assert known.email == "jl@example.com"
    # An exact match now (the e-mail); "create" on similar does not apply to it.
    job2 = import_file(rep_north, csv_file(rows), on_exact="skip", on_similar="create")
    assert (job2.created, job2.skipped) == (0, 1)
    rows2 = [HEADER, row("José Luís", "García", city="Madrid")]
    job3 = import_file(rep_north, csv_file(rows2), on_exact="skip", on_similar="create")
    assert job3.created == 1


def test_rows_of_one_file_match_each_other(rep_north: Any) -> None:
    rows = [
        HEADER,
        row("Ana", "Ruiz", "ana@example.com"),
        row("Ana B.", "Ruiz", "ANA@example.com"),
        row("Bea", "Soto", phone="+34 600 000 001"),
        row("Beatriz", "Soto", phone="0034600000001"),
        row("José Luis", "García", city="Madrid"),
        row("Jose Luis", "Garcia", city="Madrid"),
        row("José Luis", "García", city="Lugo"),
    ]
    job = import_file(rep_north, csv_file(rows))
    assert (job.created, job.skipped, job.failed) == (4, 3, 0)
    assert [n for n, _m in duplicates(job)] == [3, 5, 7]
    assert all("row " in m for _n, m in duplicates(job))
    assert Person.objects.filter(last_name__in=["García", "Garcia"]).count() == 2


def test_a_row_with_a_cell_left_out_is_the_first_of_its_duplicates(rep_north: Any) -> None:
    rows = [
        HEADER,
        row("Ana", "Ruiz", "ana@example.com", phone="not a phone"),
        row("Ana", "Ruiz", "ana@example.com"),
    ]
    job = import_file(rep_north, csv_file(rows))
    # The first row is imported without its phone; the second is the same person.
    assert (job.created, job.failed, job.skipped) == (1, 0, 1)
    assert (Person.objects.get().email, Person.objects.get().phone) == ("ana@example.com", "")


def test_north_reps_import_does_not_match_south_records(
    rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person_factory(rep_south, emails=[EmailInput("ana@example.com", "work", True)])
    _in_madrid(person_factory, rep_south)
    rows = [
        HEADER,
        row("Ana", "Ruiz", "ana@example.com"),
        row("Jose Luis", "García", city="Madrid"),
    ]
    job = import_file(rep_north, csv_file(rows), on_exact="skip")
    assert (job.created, job.skipped) == (2, 0)
    # Nothing of the South record leaks into the report either.
    assert duplicates(job) == []


def test_organizations_match_on_similar_name(rep_north: Any, organization_factory: Any) -> None:
    known = organization_factory(rep_north, name="Acme Corporation")
    rows = [["name"], ["ACME Corporation"], ["Globex"]]
    job = import_file(rep_north, csv_file(rows), kind="organizations")
    assert (job.created, job.skipped) == (1, 1)
    assert f"#{known.pk}" in duplicates(job)[0][1]
    assert Organization.objects.count() == 2


def test_keys_leave_out_invalid_values_and_use_the_address_region(rep_north: Any) -> None:
    data = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "emails": [EmailInput("bad"), EmailInput("A@X.ES")],
        "phones": [PhoneInput("612 34 56 78")],
        "addresses": [AddressInput("ES", "work", "", "Madrid", "", "", True)],
    }
    keys = keys_for("people", data)
    assert keys.emails == ["a@x.es"]
    assert keys.phones == ["+34612345678"]
    assert (keys.city, keys.block) == ("madrid", "Ruiz")
    matcher = Matcher(kind="people", user=rep_north)
    matcher.prepare([keys])
    assert matcher.match(keys) is None
    matcher.remember(keys, -1)
    match = matcher.match(keys)
    assert match is not None
    assert (match.record_id, match.rule) == (-1, "exact")
