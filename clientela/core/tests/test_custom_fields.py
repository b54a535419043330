"""Admin-defined custom fields: creating definitions, validating and normalizing values
(``core.custom_fields``), and their use on organizations."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.models import Organization, Person
from clientela.contacts.services import organization_create, organization_update, person_update
from clientela.core.custom_fields import (
    clean_custom_values,
    clean_value,
    display_value,
    filter_q,
)
from clientela.core.errors import NotFound
from clientela.core.models import CustomField, User
from clientela.core.services import custom_field_create

pytestmark = pytest.mark.django_db

PERSON = Person.RESOURCE


def make(admin: User, key: str, field_type: str, **extra: Any) -> CustomField:
    return custom_field_create(
        actor=admin, resource=PERSON, key=key, label=key.title(), field_type=field_type, **extra
    )


def test_only_an_admin_may_define_custom_fields(rep_north: User, manager_north: User) -> None:
    for user in (rep_north, manager_north):
        with pytest.raises(NotFound):
            custom_field_create(actor=user, resource=PERSON, key="x", label="X", field_type="text")
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key": "has space"}, "key"),
        ({"key": ""}, "key"),
        ({"label": ""}, "label"),
        ({"field_type": "colour"}, "field_type"),
        ({"resource": "nowhere.thing"}, "resource"),
        ({"field_type": "choice"}, "choices"),
        ({"label": "l" * 101}, "label"),
    ],
)
def test_bad_definitions_are_rejected(admin: User, kwargs: dict[str, Any], field: str) -> None:
    args = {"resource": PERSON, "key": "ok", "label": "Ok", "field_type": "text", **kwargs}
    with pytest.raises(ValidationError) as exc:
        custom_field_create(actor=admin, **args)
    assert field in exc.value.message_dict
    assert not CustomField.objects.exists()


def test_a_key_is_unique_per_kind_of_record(admin: User) -> None:
    make(admin, "tier", "text")
    with pytest.raises(ValidationError):
        make(admin, "tier", "number")
    custom_field_create(
        actor=admin, resource=Organization.RESOURCE, key="tier", label="Tier", field_type="text"
    )
    assert CustomField.objects.count() == 2


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        ("text", "  hello ", "hello"),
        ("text", "<script>x</script>", "<script>x</script>"),
        ("number", "42", "42"),
        ("number", 42, "42"),
        ("number", "10.50", "10.5"),
        ("number", "-0.000", "0"),
        ("number", "1e3", "1000"),
        ("number", Decimal("3.14"), "3.14"),
        ("date", "2021-12-31", "2021-12-31"),
        ("date", datetime.date(1999, 1, 2), "1999-01-02"),
        ("boolean", True, True),
        ("boolean", "yes", True),
        ("boolean", "Sí", True),
        ("boolean", "1", True),
        ("boolean", "off", False),
        ("boolean", False, False),
        ("choice", "gold", "gold"),
        ("text", "", None),
        ("number", None, None),
    ],
)
def test_values_are_normalized(admin: User, field_type: str, raw: Any, expected: Any) -> None:
    extra = {"choices": ["gold", "silver"]} if field_type == "choice" else {}
    field = make(admin, "f", field_type, **extra)
    assert clean_value(field, raw) == expected


@pytest.mark.parametrize(
    ("field_type", "raw"),
    [
        ("text", 5),
        ("text", "x" * 1001),
        ("text", ["a"]),
        ("number", "lots"),
        ("number", "NaN"),
        ("number", "Infinity"),
        ("number", True),
        ("number", "1e999999"),
        ("number", "1e-999999"),
        ("date", "31/12/2020"),
        ("date", "2020-02-30"),
        ("date", "1200-01-01"),
        ("date", 20200101),
        ("boolean", "maybe"),
        ("boolean", 2),
        ("choice", "bronze"),
        ("choice", "GOLD"),
    ],
)
def test_bad_values_are_rejected(admin: User, field_type: str, raw: Any) -> None:
    extra = {"choices": ["gold", "silver"]} if field_type == "choice" else {}
    field = make(admin, "f", field_type, **extra)
    with pytest.raises(ValidationError):
        clean_value(field, raw)


def test_clean_custom_values_merges_and_reports_every_bad_key(admin: User) -> None:
    make(admin, "nick", "text")
    make(admin, "score", "number")
    make(admin, "tier", "choice", choices=["gold"], required=True)
    assert clean_custom_values(PERSON, {"score": "1.0"}, existing={"tier": "gold"}) == {
        "tier": "gold",
        "score": "1",
    }
    with pytest.raises(ValidationError) as exc:
        clean_custom_values(PERSON, {"score": "x", "ghost": 1, "nick": 7})
    assert set(exc.value.message_dict) == {
        "custom.score",
        "custom.ghost",
        "custom.nick",
        "custom.tier",
    }
    with pytest.raises(ValidationError) as exc:
        clean_custom_values(PERSON, {"tier": ""}, existing={"tier": "gold"})
    assert "custom.tier" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        clean_custom_values(PERSON, ["tier"])  # type: ignore[arg-type]
    assert "custom" in exc.value.message_dict


def test_filter_q_matches_stored_values_and_ignores_unknown(admin: User) -> None:
    make(admin, "score", "number")
    make(admin, "vip", "boolean")
    assert filter_q(PERSON, {"cf_score": "2.0", "cf_ghost": "1", "q": "x"}) == filter_q(
        PERSON, {"cf_score": "2"}
    )
    impossible = filter_q(PERSON, {"cf_vip": "perhaps"})
    assert impossible.children == [("pk__in", [])]


def test_display_value(admin: User) -> None:
    vip = make(admin, "vip", "boolean")
    score = make(admin, "score", "number")
    assert display_value(vip, True) == "Yes"
    assert display_value(vip, False) == "No"
    assert display_value(score, "2.5") == "2.5"
    assert display_value(score, None) == ""


def test_organization_custom_fields_are_validated(admin: User) -> None:
    custom_field_create(
        actor=admin,
        resource=Organization.RESOURCE,
        key="size",
        label="Size",
        field_type="choice",
        choices=["small", "large"],
        required=True,
    )
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=admin, data={"name": "NoSize"})
    assert "custom.size" in exc.value.message_dict
    org = organization_create(actor=admin, data={"name": "Big", "custom": {"size": "large"}})
    assert org.custom == {"size": "large"}
    with pytest.raises(ValidationError):
        organization_update(actor=admin, organization=org, data={"custom": {"size": "huge"}})
    # An update that does not touch custom fields does not re-check them.
    org = organization_update(actor=admin, organization=org, data={"name": "Bigger"})
    assert Organization.objects.get(pk=org.pk).custom == {"size": "large"}


def test_a_field_made_required_later_does_not_block_unrelated_updates(
    admin: User, person_factory: Any
) -> None:
    person = person_factory(admin)
    make(admin, "tier", "choice", choices=["gold"], required=True)
    person = person_update(actor=admin, person=person, data={"first_name": "Still"})
    assert person.first_name == "Still"
    with pytest.raises(ValidationError):
        person_update(actor=admin, person=person, data={"custom": {}})
