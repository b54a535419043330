"""Bad input to the people and organization services: a ValidationError keyed by the
field, and nothing saved or changed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Person
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    PhoneInput,
    RelationshipInput,
    organization_create,
    person_create,
    person_update,
)
from clientela.contacts.tests.test_services import counts
from clientela.core.models import User
from conftest import WhenRun

pytestmark = pytest.mark.django_db


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


TOMORROW = WhenRun("TOMORROW", tomorrow)


BAD_PERSON_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"first_name": "", "last_name": ""}, "last_name"),
    ({"first_name": "   ", "last_name": None}, "last_name"),
    ({"first_name": 5}, "first_name"),
    ({"last_name": ["x"]}, "last_name"),
    ({"first_name": "a" * 101}, "first_name"),
    ({"notes": "n" * 10001}, "notes"),
    ({"external_id": "x" * 101}, "external_id"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "two@@example.com"}, "email"),
    ({"email": 42}, "email"),
    ({"email": "a" * 250 + "@example.com"}, "email"),
    ({"emails": [EmailInput("bad@")]}, "emails"),
    ({"emails": [EmailInput("ok@example.com", kind="telepathy")]}, "emails"),
    ({"emails": [EmailInput(f"e{i}@example.com") for i in range(21)]}, "emails"),
    ({"phone": "12"}, "phone"),
    ({"phone": "call me"}, "phone"),
    ({"phone": 4155550123}, "phone"),
    ({"phones": [PhoneInput("+1 555")]}, "phones"),
    ({"birthday": Birthday(1, 1, 1200)}, "birthday"),
    ({"birthday": TOMORROW}, "birthday"),
    ({"birthday": "--13-40"}, "birthday"),
    ({"birthday": "1990-02-29"}, "birthday"),
    ({"birthday": "21/05/1990"}, "birthday"),
    ({"birthday": 19900101}, "birthday"),
    ({"addresses": [AddressInput(country="XX")]}, "addresses"),
    ({"addresses": [AddressInput(country="")]}, "addresses"),
    ({"addresses": [AddressInput(country="ES", city="c" * 101)]}, "addresses"),
    ({"addresses": [AddressInput(country=34)]}, "addresses"),  # type: ignore[arg-type]
    (
        {
            "relationships": WhenRun(
                "[customer since TOMORROW]", lambda: [RelationshipInput("customer", tomorrow())]
            )
        },
        "relationships",
    ),
    ({"relationships": [RelationshipInput("friend")]}, "relationships"),
    ({"relationships": [RelationshipInput("customer", "2020")]}, "relationships"),  # type: ignore[arg-type]
    ({"memberships": [MembershipInput(987654)]}, "memberships"),
    ({"memberships": [MembershipInput("1")]}, "memberships"),  # type: ignore[arg-type]
    ({"tags": "vip"}, "tags"),
    ({"tags": ["t" * 51]}, "tags"),
    ({"tags": [5]}, "tags"),
    ({"custom": {"nope": 1}}, "custom.nope"),
    ({"custom": "x"}, "custom"),
    ({"preferred_language": "tlh"}, "preferred_language"),
    ({"preferred_channel": "pigeon"}, "preferred_channel"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_PERSON_INPUT, ids=lambda v: str(v)[:40])
def test_bad_person_input_on_create_saves_nothing(
    admin: User, bad: dict[str, Any], field: str
) -> None:
    before = counts()
    data = {
        "first_name": "Valid",
        "email": "valid@example.com",
        "tags": ["brand-new"],
        **WhenRun.resolve(bad),
    }
    with pytest.raises(ValidationError) as exc:
        person_create(actor=admin, data=data)  # type: ignore[arg-type]
    assert field in exc.value.message_dict, exc.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(("bad", "field"), BAD_PERSON_INPUT, ids=lambda v: str(v)[:40])
def test_bad_person_input_on_update_changes_nothing(
    admin: User, person_factory: Any, bad: dict[str, Any], field: str
) -> None:
    person = person_factory(admin, first_name="Keep", email="keep@example.com", tags=["old"])
    before = counts()
    data = {"last_name": "Changed", "tags": ["brand-new"], **WhenRun.resolve(bad)}
    with pytest.raises(ValidationError) as exc:
        person_update(actor=admin, person=person, data=data)  # type: ignore[arg-type]
    assert field in exc.value.message_dict
    assert counts() == before
    stored = Person.objects.get(pk=person.pk)
    assert (stored.first_name, stored.email, stored.version) == ("Keep", "keep@example.com", 1)
    assert stored.last_name != "Changed"


BAD_ORGANIZATION_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 12}, "name"),
    ({"name": "n" * 201}, "name"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"website": "not a url"}, "website"),
    ({"city": "Madrid"}, "country"),
    ({"country": "XX"}, "country"),
    ({"email": "nope"}, "email"),
    ({"phone": "000"}, "phone"),
    ({"notes": "n" * 10001}, "notes"),
    ({"tags": ["t" * 51]}, "tags"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_ORGANIZATION_INPUT, ids=lambda v: str(v)[:40])
def test_bad_organization_input_saves_nothing(admin: User, bad: dict[str, Any], field: str) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=admin, data={"name": "Valid", "tags": ["brand-new"], **bad})  # type: ignore[typeddict-item]
    assert field in exc.value.message_dict, exc.value.message_dict
    assert counts() == before
