"""The audit trail: every create, update, trash and restore records who, through which
interface, and each changed field's old and new value; a no-op update records nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import (
    organization_create,
    organization_restore,
    organization_trash,
    organization_update,
    person_create,
    person_restore,
    person_trash,
    person_update,
)
from clientela.core.audit import changes_between, created_changes, display
from clientela.core.choices import AuditAction, Interface
from clientela.core.context import current_interface, interface
from clientela.core.models import AuditEntry, User
from clientela.core.selectors import audit_history

pytestmark = pytest.mark.django_db


def history(record: Person | Organization) -> list[AuditEntry]:
    return list(audit_history(record=record).order_by("id"))


def test_person_lifecycle_is_audited_with_actor_and_interface(admin: User, rep_north: User) -> None:
    with interface(Interface.WEB):
        person = person_create(
            actor=rep_north, data={"first_name": "Ana", "email": "ana@example.com"}
        )
    with interface(Interface.API):
        person = person_update(actor=rep_north, person=person, data={"first_name": "Anna"})
    with interface(Interface.CLI):
        person_trash(actor=rep_north, person=person)
    with interface(Interface.IMPORT):
        person_restore(actor=admin, person=person)
    entries = history(person)
    assert [(e.action, e.interface, e.actor) for e in entries] == [
        (AuditAction.CREATE, Interface.WEB, rep_north),
        (AuditAction.UPDATE, Interface.API, rep_north),
        (AuditAction.DELETE, Interface.CLI, rep_north),
        (AuditAction.RESTORE, Interface.IMPORT, admin),
    ]
    assert all(e.object_repr == "Anna" for e in entries[1:])


def test_interface_defaults_to_system_and_is_restored_after_the_block() -> None:
    assert current_interface() == Interface.SYSTEM
    with interface(Interface.API):
        assert current_interface() == Interface.API
        with interface(Interface.CLI):
            assert current_interface() == Interface.CLI
        assert current_interface() == Interface.API
    assert current_interface() == Interface.SYSTEM


def test_create_records_the_initial_values(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "José",
            "last_name": "García",
            "email": "Jose@Example.com",
            "birthday": Birthday(5, 17, 1980),
            "tags": ["VIP"],
        },
    )
    changes = history(person)[0].changes
    assert changes["first_name"] == [None, "José"]
    assert changes["last_name"] == [None, "García"]
    assert changes["emails"] == [None, "jose@example.com *"]
    assert changes["birthday"] == [None, "1980-05-17"]
    assert changes["tags"] == [None, "VIP"]
    assert "notes" not in changes  # empty values are not noise in the history


def test_update_records_old_and_new_for_each_changed_field_only(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={"first_name": "Ana", "last_name": "Ruiz", "phone": "+34 612 34 56 78"},
    )
    person_update(
        actor=admin,
        person=person,
        data={"first_name": "Ana", "last_name": "Ruiz López", "phone": "+34 612 34 56 79"},
    )
    entry = history(person)[-1]
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {
        "last_name": ["Ruiz", "Ruiz López"],
        "phones": ["+34612345678 *", "+34612345679 *"],
    }


def test_no_op_update_writes_no_entry(admin: User, person_factory: Any) -> None:
    person = person_factory(admin, first_name="Same", email="same@example.com", tags=["x"])
    count = AuditEntry.objects.count()
    person_update(
        actor=admin,
        person=person,
        data={"first_name": "Same ", "email": "SAME@example.com", "tags": ["X"]},
    )
    assert AuditEntry.objects.count() == count


def test_organization_lifecycle_is_audited(admin: User) -> None:
    with interface(Interface.API):
        org = organization_create(
            actor=admin, data={"name": "Acme", "city": "Lima", "country": "PE"}
        )
        org = organization_update(
            actor=admin, organization=org, data={"name": "Acme Corp", "city": "Cusco"}
        )
        organization_trash(actor=admin, organization=org)
        organization_restore(actor=admin, organization=org)
    entries = history(org)
    assert [e.action for e in entries] == ["create", "update", "delete", "restore"]
    assert {e.interface for e in entries} == {Interface.API}
    assert entries[0].changes["name"] == [None, "Acme"]
    assert entries[1].changes["name"] == ["Acme", "Acme Corp"]
    assert entries[1].changes["addresses"] == ["Lima, PE", "Cusco, PE"]


def test_failed_write_leaves_no_entry(admin: User, person_factory: Any) -> None:
    person = person_factory(admin)
    count = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        person_update(actor=admin, person=person, data={"email": "broken"})
    with pytest.raises(ValidationError):
        person_create(actor=admin, data={"first_name": ""})
    assert AuditEntry.objects.count() == count


def test_history_belongs_to_its_own_record(admin: User, person_factory: Any) -> None:
    one, two = person_factory(admin), person_factory(admin)
    person_update(actor=admin, person=one, data={"first_name": "Changed"})
    assert len(history(one)) == 2
    assert len(history(two)) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, "true"),
        (False, "false"),
        (datetime.date(2020, 1, 2), "2020-01-02"),
        (Decimal("1.50"), "1.50"),
        (3, "3"),
        (["a", "b"], "a, b"),
        ({"b": 1, "a": True}, "a=true, b=1"),
        ("text", "text"),
    ],
)
def test_display_gives_stable_strings(value: Any, expected: str | None) -> None:
    assert display(value) == expected


def test_changes_between_and_created_changes() -> None:
    assert changes_between({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {"b": ["x", "y"]}
    assert created_changes({"a": "", "b": None, "c": "v", "d": []}) == {"c": [None, "v"]}
