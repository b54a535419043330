"""Every rule the services enforce holds for imported rows: a row imported and the same
data saved by the services the forms call give identical records, details, tags,
memberships, audit entries and search entries — for a new record (``contacts.bulk``)
and for a record the row updates (``contacts.bulk_updates``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from clientela.contacts import services
from clientela.contacts.details import current_details
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import AddressInput, EmailInput, MembershipInput, PhoneInput
from clientela.core.models import AuditEntry, SearchEntry
from clientela.integrations.imports.records import update_data
from clientela.integrations.tests.test_import_services import _media, csv_file, import_file

pytestmark = pytest.mark.django_db

__all__ = ["_media"]

HEADERS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "city",
    "country",
    "birthday",
    "tags",
    "organization",
    "notes",
]


def _state(person: Person) -> dict[str, Any]:
    """Everything a person's page, the audit and the search show of them."""
    person.refresh_from_db()
    ignored = {"id", "created_at", "updated_at", "owner_id", "team_id", "deleted_at"}
    fields = {
        f.attname: getattr(person, f.attname)
        for f in Person._meta.concrete_fields
        if f.attname not in ignored
    }
    details = current_details(person)
    search = SearchEntry.objects.get(resource=Person.RESOURCE, object_id=person.pk)
    audit = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
    ).order_by("id")
    return {
        "fields": fields,
        "details": details,
        "tags": sorted(t.name for t in person.tags.all()),
        "memberships": [(m.organization.name, m.job_title) for m in person.memberships.all()],
        "search": (search.title, search.subtitle, search.name, search.text),
        "audit": [(a.action, a.changes) for a in audit],
    }


def test_a_created_row_is_the_record_the_services_create(rep_north: Any) -> None:
    acme = services.organization_create(actor=rep_north, data={"name": "Acme"})
    row = [
        "José",
        "García",
        "Jose.Garcia@Example.com",
        "612 34 56 78",
        "Madrid",
        "ES",
        "1985-05-21",
        "VIP",
        "Acme",
        "Likes tea",
    ]
    job = import_file(rep_north, csv_file([HEADERS, row]))
    assert job.created == 1
    imported = Person.objects.get(last_name="García")
    saved = services.person_create(
        actor=rep_north,
        data={
            "first_name": "José",
            "last_name": "Garcia",  # told apart from the imported one below
            "emails": [EmailInput("Jose.Garcia@Example.com", "work", True)],
            "phones": [PhoneInput("612 34 56 78", "mobile", True)],
            "addresses": [AddressInput("ES", "work", "", "Madrid", "", "", True)],
            "birthday": "1985-05-21",
            "tags": ["VIP"],
            "memberships": [MembershipInput(acme.pk, "", True)],
            "notes": "Likes tea",
        },
    )
    saved.last_name = "García"
    Person.objects.filter(pk=saved.pk).update(last_name="García")
    a, b = _state(imported), _state(saved)
    # The one difference made on purpose: the name the service was given.
    b["audit"][0][1]["last_name"] = [None, "García"]
    b["search"] = a["search"] if b["search"][1:] == a["search"][1:] else b["search"]
    assert a["fields"] == b["fields"]
    assert a["details"] == b["details"]
    assert a["tags"] == b["tags"] == ["VIP"]
    assert a["memberships"] == b["memberships"] == [("Acme", "")]
    assert a["audit"] == b["audit"]
    assert a["search"][1:] == b["search"][1:]


def test_an_updating_row_changes_the_record_as_the_update_service_does(rep_north: Any) -> None:
    services.organization_create(actor=rep_north, data={"name": "Acme"})
    base: dict[str, Any] = {
        "first_name": "Ana",
        "emails": [EmailInput("ana@example.com", "work", True)],
        "addresses": [AddressInput("ES", "work", "", "Madrid", "", "", True)],
        "tags": ["Retail"],
        "notes": "old",
    }
    imported = services.person_create(
        actor=rep_north,
        data={**base, "last_name": "Ruiz"},  # type: ignore[typeddict-item]
    )
    by_form = services.person_create(
        actor=rep_north,
        data={**base, "last_name": "Ruiz", "emails": [EmailInput("ana2@example.com")]},  # type: ignore[typeddict-item]
    )
    row = ["", "Ruiz", "ana@example.com", "+34 612 345 678", "", "", "--12-24", "VIP", "Acme"]
    row.append("new")
    job = import_file(rep_north, csv_file([HEADERS, row]), on_exact="update")
    assert (job.created, job.updated) == (0, 1)
    acme = Organization.objects.get(name="Acme")
    # The same row's values, merged into the record as the importer merges them, saved
    # through the update service (what the person form calls).
    row_data = {
        "last_name": "Ruiz",
        "emails": [EmailInput("ana2@example.com", "work", True)],
        "phones": [PhoneInput("+34 612 345 678", "mobile", True)],
        "birthday": "--12-24",
        "tags": ["VIP"],
        "memberships": [MembershipInput(acme.pk, "", True)],
        "notes": "new",
    }
    services.person_update(
        actor=rep_north,
        person=by_form,
        data=update_data(by_form, row_data),  # type: ignore[arg-type]
    )
    a, b = _state(imported), _state(by_form)
    for state in (a, b):
        # The e-mail told the two apart on purpose.
        state["details"]["emails"] = [e.kind for e in state["details"]["emails"]]
        state["fields"].pop("email")
        state["search"] = tuple(
            t.replace("ana2@", "ana@").replace("ana2 ", "ana ") for t in state["search"]
        )
        for _action, changes in state["audit"]:
            changes.pop("emails", None)
    assert a["fields"]["version"] == 2
    assert a == b
    assert a["tags"] == ["Retail", "VIP"]
    assert a["audit"][1][1]["birthday"] == [None, "--12-24"]
