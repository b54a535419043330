"""A person's history in the reader's words: field, choice and custom-field labels in
their language, dates in their format, Yes/No, and nothing internal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Person
from clientela.contacts.services import EmailInput, person_update
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.services import custom_field_create
from clientela.core.testing.history import history_changes, history_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(admin: Any, rep_north: Any, person_factory: Any) -> Person:
    custom_field_create(
        actor=admin,
        resource=Person.RESOURCE,
        key="customer_tier",
        label="Customer tier",
        field_type="choice",
        choices=["Bronze", "Gold"],
    )
    custom_field_create(
        actor=admin, resource=Person.RESOURCE, key="vip", label="VIP", field_type="boolean"
    )
    custom_field_create(
        actor=admin, resource=Person.RESOURCE, key="since", label="Client since", field_type="date"
    )
    person: Person = person_factory(
        rep_north,
        first_name="Ana",
        last_name="Ruiz",
        birthday=Birthday(4, 2, 1985),
        emails=[EmailInput("ana@example.com")],
        custom={"customer_tier": "Bronze"},
    )
    person_update(
        actor=rep_north,
        person=person,
        data={
            "preferred_language": "es",
            "custom": {"customer_tier": "Gold", "vip": True, "since": "2020-03-04"},
        },
    )
    return person


def page(user: Any, person: Person, language: str) -> str:
    user.language = language
    user.save()
    client = Client()
    client.force_login(user)
    url = reverse("contacts:person-detail", kwargs={"pk": person.pk})
    return str(client.get(url).content.decode())


def test_english(rep_north: Any, ana: Person) -> None:
    html = page(rep_north, ana, "en")
    updated, created = history_changes(html)
    assert updated == [
        ("Client since", None, "03/04/2020"),
        ("Customer tier", "Bronze", "Gold"),
        ("VIP", None, "Yes"),
        ("Preferred language", "English", "Spanish"),
    ]
    assert ("Customer tier", None, "Bronze") in created
    assert ("Birthday", None, "04/02/1985") in created
    assert ("E-mail addresses", None, "ana@example.com (primary)") in created
    text = history_text(html)
    for stored in ("customer_tier", "=Bronze", "vip", "true", ": es", "1985-04-02", " *"):
        assert stored not in text


def test_spanish(rep_north: Any, ana: Person) -> None:
    html = page(rep_north, ana, "es")
    updated, created = history_changes(html)
    assert updated == [
        ("Client since", None, "04/03/2020"),
        ("Customer tier", "Bronze", "Gold"),
        ("VIP", None, "Sí"),
        ("Idioma preferido", "Inglés", "Español"),
    ]
    assert ("Cumpleaños", None, "02/04/1985") in created
    assert ("Correos electrónicos", None, "ana@example.com (principal)") in created


def test_birthday_without_a_year_reads_as_a_day_of_the_year(rep_north: Any, ana: Person) -> None:
    person_update(actor=rep_north, person=ana, data={"birthday": "--05-21"})
    latest = history_changes(page(rep_north, ana, "en"))[0]
    assert latest == [("Birthday", "04/02/1985", "May 21")]
    latest = history_changes(page(rep_north, ana, "es"))[0]
    assert latest == [("Cumpleaños", "02/04/1985", "21 de mayo")]


def test_internal_fields_are_not_shown(rep_north: Any, ana: Person) -> None:
    record_audit(
        actor=rep_north,
        instance=ana,
        action=AuditAction.UPDATE,
        changes={
            "version": ["2", "3"],
            "updated_at": ["2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"],
            "deleted_at": [None, "2024-01-02T00:00:00+00:00"],
            "owner_id": ["4", "5"],
            "search": ["ana", "ana ruiz"],
            "notes": ["", "Call back"],
        },
    )
    html = page(rep_north, ana, "en")
    assert history_changes(html)[0] == [("Notes", None, "Call back")]
    text = history_text(html)
    for internal in ("Version", "Updated at", "Deleted at", "Owner id", "Search"):
        assert internal not in text


def test_a_custom_field_deleted_since_shows_its_key(
    admin: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Old")
    record_audit(
        actor=admin,
        instance=person,
        action=AuditAction.UPDATE,
        changes={"custom": ["gone=a, b", "gone=c"]},
    )
    assert history_changes(page(rep_north, person, "en"))[0] == [("gone", "a, b", "c")]
