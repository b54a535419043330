"""The record shells themselves (``core.services.records``): what every create and
update of every kind gets from them, with a bare ``apply`` on a person standing in for
a domain's validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.models import Person
from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.models import AuditEntry, Team
from clientela.core.selectors import audit_history
from clientela.core.services import record_create, record_trash, record_update

pytestmark = pytest.mark.django_db


def _apply(actor: Any, person: Person, data: dict[str, Any]) -> None:
    if data.get("last_name") == "":
        raise ValidationError({"last_name": ["Enter a last name."]})
    for name, value in data.items():
        setattr(person, name, value)
    if person.pk is None:
        person.owner, person.team = actor, actor.team
    person.save()


def _snapshot(person: Person) -> dict[str, Any]:
    return {"first_name": person.first_name, "last_name": person.last_name}


def _create(actor: Any, **data: Any) -> Person:
    return record_create(actor=actor, record=Person(), data=data, apply=_apply, snapshot=_snapshot)


def _update(actor: Any, person: Person, version: int | None = None, **data: Any) -> Person:
    return record_update(
        actor=actor,
        record=person,
        data=data,
        apply=_apply,
        snapshot=_snapshot,
        expected_version=version,
    )


def test_create_saves_and_audits_every_value_set(rep_north: Any) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    assert person.pk is not None
    assert person.version == 1
    entry = audit_history(record=person).get()
    assert (entry.action, entry.actor) == ("create", rep_north)
    assert entry.changes == {"first_name": [None, "Ana"], "last_name": [None, "Gómez"]}


def test_create_needs_the_create_right(reader: Any) -> None:
    with pytest.raises(PermissionDenied):
        _create(reader, last_name="Gómez")
    assert not Person.objects.exists()
    assert not AuditEntry.objects.exists()


def test_create_takes_another_check_in_place_of_the_right(reader: Any, rep_north: Any) -> None:
    def only_north(actor: Any) -> None:
        if actor.team.name != "North":
            raise NotFound()

    with pytest.raises(NotFound):
        record_create(
            actor=reader,
            record=Person(),
            data={"last_name": "Gómez"},
            apply=_apply,
            snapshot=_snapshot,
            authorize=only_north,
        )
    person = record_create(
        actor=rep_north,
        record=Person(),
        data={"last_name": "Gómez"},
        apply=_apply,
        snapshot=_snapshot,
        authorize=only_north,
    )
    assert person.pk is not None


def test_a_refused_create_leaves_nothing(rep_north: Any) -> None:
    with pytest.raises(ValidationError):
        _create(rep_north, first_name="Ana", last_name="")
    assert not Person.objects.exists()
    assert not AuditEntry.objects.exists()


def test_update_bumps_the_version_and_audits_the_changes(rep_north: Any) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    fresh = _update(rep_north, person, 1, first_name="Ana María")
    assert fresh is not person
    assert fresh.version == 2
    person.refresh_from_db()
    assert (person.first_name, person.version) == ("Ana María", 2)
    entry = audit_history(record=person).get(action="update")
    assert entry.changes == {"first_name": ["Ana", "Ana María"]}


def test_update_without_changes_writes_no_audit_and_keeps_the_version(rep_north: Any) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    fresh = _update(rep_north, person, 1, first_name="Ana")
    assert fresh.version == 1
    assert not audit_history(record=person).filter(action="update").exists()


def test_update_of_an_older_version_is_a_conflict(rep_north: Any) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    _update(rep_north, person, 1, first_name="Ana María")
    with pytest.raises(VersionConflict) as exc:
        _update(rep_north, person, 1, first_name="Anita")
    assert exc.value.current_version == 2
    person.refresh_from_db()
    assert person.first_name == "Ana María"


def test_update_needs_the_update_right(rep_north: Any, reader: Any) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    with pytest.raises(PermissionDenied):  # the reader sees every person
        _update(reader, person, first_name="Anita")
    person.refresh_from_db()
    assert person.first_name == "Ana"


def test_update_of_a_record_not_visible_or_trashed_is_not_found(
    rep_north: Any, rep_south: Any
) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    with pytest.raises(NotFound):
        _update(rep_south, person, first_name="Anita")
    record_trash(actor=rep_north, record=person)
    with pytest.raises(NotFound):
        _update(rep_north, person, first_name="Anita")


def test_a_refused_update_changes_nothing(rep_north: Any) -> None:
    person = _create(rep_north, first_name="Ana", last_name="Gómez")
    with pytest.raises(ValidationError):
        _update(rep_north, person, first_name="Anita", last_name="")
    person.refresh_from_db()
    assert (person.first_name, person.version) == ("Ana", 1)
    assert not audit_history(record=person).filter(action="update").exists()


def test_update_of_a_record_without_version_audits_only(admin: Any) -> None:
    team = Team.objects.create(name="East")

    def rename(actor: Any, team: Team, name: str) -> None:
        team.name = name
        team.save()

    fresh = record_update(
        actor=admin,
        record=team,
        data="East Coast",
        apply=rename,
        snapshot=lambda team: {"name": team.name},
        lock=lambda team, actor: Team.objects.select_for_update().get(pk=team.pk),
    )
    assert fresh.name == "East Coast"
    entry = AuditEntry.objects.get(object_id=team.pk, action="update")
    assert entry.changes == {"name": ["East", "East Coast"]}
