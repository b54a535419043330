"""List filters and sorting (``contacts.filters``) through the scoped list selectors."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from clientela.contacts.filters import SORTS, ContactFilters
from clientela.contacts.models import Organization, Person
from clientela.contacts.selectors import organization_list, person_list
from clientela.contacts.services import (
    AddressInput,
    RelationshipInput,
    organization_update,
    person_update,
)
from clientela.core.models import Tag, Team, User
from clientela.core.services import custom_field_create

pytestmark = pytest.mark.django_db

# Three records per kind, labelled A, B, C, whose columns sort in different orders.
ROWS = {
    "A": {"email": "zeta@example.com", "phone": "+14155550103", "city": "Bilbao", "country": "ES"},
    "B": {"email": "alpha@example.com", "phone": "+14155550101", "city": "Austin", "country": "US"},
    "C": {"email": "mid@example.com", "phone": "+14155550102", "city": "Cancún", "country": "MX"},
}
PERSON_NAMES = {"A": ("Carla", "Alvarez"), "B": ("Ana", "Bravo"), "C": ("Bea", "Castro")}
#: Sorted by birthday means in the calendar's order (B A C), not by age (C A B); B's
#: year is unknown.
BIRTHDAYS = {
    "A": "1990-03-01",
    "B": "--01-15",
    "C": "1980-12-01",
}
ORG_NAMES = {"A": "Alpha", "B": "Beta", "C": "Gamma"}

EXPECTED_ORDER = {
    "name": "ABC",
    "first_name": "BCA",
    "email": "BCA",
    "phone": "BCA",
    "city": "BAC",
    "country": "ACB",
    "birthday": "BAC",
    "owner": "BAC",  # ned_north, nora_north, sam_south
    "team": "ABC",  # North, North (by id), South
    "created": "ABC",
    "updated": "CBA",
}


@pytest.fixture
def owners(rep_north: User, rep_north2: User, rep_south: User) -> dict[str, User]:
    return {"A": rep_north, "B": rep_north2, "C": rep_south}


@pytest.fixture
def people(admin: User, owners: dict[str, User], person_factory: Any) -> dict[str, Person]:
    made = {}
    for label, row in ROWS.items():
        first, last = PERSON_NAMES[label]
        made[label] = person_factory(
            admin,
            first_name=first,
            last_name=last,
            email=row["email"],
            phone=row["phone"],
            birthday=BIRTHDAYS[label],
            addresses=[AddressInput(country=row["country"], city=row["city"])],
            owner=owners[label],
        )
    for label in "BA":
        made[label] = person_update(actor=admin, person=made[label], data={"notes": "touched"})
    return made


@pytest.fixture
def orgs(
    admin: User, owners: dict[str, User], organization_factory: Any
) -> dict[str, Organization]:
    made = {}
    for label, row in ROWS.items():
        made[label] = organization_factory(admin, name=ORG_NAMES[label], owner=owners[label], **row)
    for label in "BA":
        made[label] = organization_update(
            actor=admin, organization=made[label], data={"notes": "touched"}
        )
    return made


def labels(qs: Any, records: dict[str, Any]) -> str:
    by_pk = {r.pk: label for label, r in records.items()}
    return "".join(by_pk[pk] for pk in qs.values_list("pk", flat=True))


def parse(resource: str, **params: Any) -> ContactFilters:
    filters, errors = ContactFilters.from_params(params, resource=resource)
    assert errors == {}
    return filters


@pytest.mark.parametrize("key", list(SORTS[Person.RESOURCE]))
def test_people_sort_by_every_key_both_ways(
    reader: User, people: dict[str, Person], key: str
) -> None:
    order = labels(person_list(user=reader, filters=parse(Person.RESOURCE, sort=key)), people)
    assert order == EXPECTED_ORDER[key]
    descending = parse(Person.RESOURCE, sort=f"-{key}")
    assert labels(person_list(user=reader, filters=descending), people) == order[::-1]


@pytest.mark.parametrize("key", list(SORTS[Organization.RESOURCE]))
def test_organizations_sort_by_every_key_both_ways(
    reader: User, orgs: dict[str, Organization], key: str
) -> None:
    filters = parse(Organization.RESOURCE, sort=key)
    order = labels(organization_list(user=reader, filters=filters), orgs)
    assert order == EXPECTED_ORDER[key]
    descending = parse(Organization.RESOURCE, sort=f"-{key}")
    assert labels(organization_list(user=reader, filters=descending), orgs) == order[::-1]


def test_default_sort_is_by_name(reader: User, people: dict[str, Person]) -> None:
    assert labels(person_list(user=reader), people) == "ABC"
    assert labels(person_list(user=reader, filters=ContactFilters()), people) == "ABC"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "carla"}, "A"),
        ({"q": "example.com"}, "ABC"),
        ({"country": "es"}, "A"),
        ({"country": " MX "}, "C"),
        ({"city": "Austin"}, "B"),
        ({"city": "Cancún", "country": "MX"}, "C"),
        ({"city": "Austin", "country": "MX"}, ""),
    ],
)
def test_people_filters(
    reader: User, people: dict[str, Person], params: dict[str, str], expected: str
) -> None:
    filters = parse(Person.RESOURCE, **params)
    assert labels(person_list(user=reader, filters=filters), people) == expected


def test_filter_by_owner_team_tag_and_role(
    admin: User, reader: User, rep_north2: User, people: dict[str, Person]
) -> None:
    person_update(
        actor=admin,
        person=people["A"],
        data={"tags": ["VIP"], "relationships": [RelationshipInput("customer")]},
    )
    person_update(
        actor=admin,
        person=people["C"],
        data={"tags": ["vip", "other"], "relationships": [RelationshipInput("supplier")]},
    )
    vip = Tag.objects.get(name="VIP")
    south = Team.objects.get(name="South")

    def run(**params: Any) -> str:
        return labels(person_list(user=reader, filters=parse(Person.RESOURCE, **params)), people)

    assert run(tag=str(vip.pk)) == "AC"
    assert run(role="customer") == "A"
    assert run(role="supplier", tag=vip.pk) == "C"
    assert run(owner=str(rep_north2.pk)) == "B"
    assert run(team=str(south.pk)) == "C"
    assert run(team=south.pk, role="customer") == ""


def test_organization_filters(reader: User, orgs: dict[str, Organization]) -> None:
    def run(**params: Any) -> str:
        filters = parse(Organization.RESOURCE, **params)
        return labels(organization_list(user=reader, filters=filters), orgs)

    assert run(q="gamma") == "C"
    assert run(country="US") == "B"
    assert run(city="Bilbao") == "A"


def test_filters_never_widen_the_scope(
    rep_north: User, people: dict[str, Person], orgs: dict[str, Organization]
) -> None:
    south = Team.objects.get(name="South")
    assert labels(person_list(user=rep_north, filters=parse(Person.RESOURCE)), people) == "AB"
    filters = parse(Person.RESOURCE, team=south.pk)
    assert labels(person_list(user=rep_north, filters=filters), people) == ""
    filters = parse(Person.RESOURCE, q="castro")
    assert labels(person_list(user=rep_north, filters=filters), people) == ""
    filters = parse(Organization.RESOURCE, country="MX")
    assert labels(organization_list(user=rep_north, filters=filters), orgs) == ""


@pytest.fixture
def custom_people(admin: User, person_factory: Any) -> dict[str, Person]:
    resource = Person.RESOURCE
    for key, kind, choices in (
        ("nick", "text", None),
        ("score", "number", None),
        ("joined", "date", None),
        ("tier", "choice", ["gold", "silver"]),
        ("vip", "boolean", None),
    ):
        custom_field_create(
            actor=admin, resource=resource, key=key, label=key, field_type=kind, choices=choices
        )
    return {
        "A": person_factory(
            admin,
            last_name="A",
            custom={
                "nick": "Al",
                "score": "10",
                "joined": "2020-01-02",
                "tier": "gold",
                "vip": True,
            },
        ),
        "B": person_factory(
            admin,
            last_name="B",
            custom={"nick": "Bo", "score": "2.5", "tier": "silver", "vip": "no"},
        ),
        "C": person_factory(admin, last_name="C"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cf_nick": "Al"}, "A"),
        ({"cf_score": "10"}, "A"),
        ({"cf_score": "10.0"}, "A"),
        ({"cf_score": "2.50"}, "B"),
        ({"cf_joined": "2020-01-02"}, "A"),
        ({"cf_tier": "silver"}, "B"),
        ({"cf_vip": "yes"}, "A"),
        ({"cf_vip": "false"}, "B"),
        ({"cf_tier": "gold", "cf_vip": "true"}, "A"),
        ({"cf_tier": "gold", "cf_vip": "false"}, ""),
        ({"cf_nick": ""}, "ABC"),
    ],
)
def test_custom_field_filters(
    reader: User, custom_people: dict[str, Person], params: dict[str, str], expected: str
) -> None:
    filters = parse(Person.RESOURCE, **params)
    assert labels(person_list(user=reader, filters=filters), custom_people) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tag": "abc"}, "tag"),
        ({"owner": "1.5"}, "owner"),
        ({"team": "north"}, "team"),
        ({"role": "friend"}, "role"),
        ({"sort": "shoe_size"}, "sort"),
        ({"sort": "-nope"}, "sort"),
        ({"sort": "birthday"}, None),
        ({"country": "Spain"}, "country"),
        ({"country": "XX"}, "country"),
        ({"cf_unknown": "1"}, "cf_unknown"),
        ({"cf_score": "lots"}, "cf_score"),
        ({"cf_tier": "bronze"}, "cf_tier"),
        ({"cf_joined": "yesterday"}, "cf_joined"),
        ({"cf_vip": "maybe"}, "cf_vip"),
    ],
)
def test_bad_values_are_reported_and_left_out(
    reader: User, custom_people: dict[str, Person], params: dict[str, str], field: str | None
) -> None:
    filters, errors = ContactFilters.from_params(params, resource=Person.RESOURCE)
    if field is None:  # birthday is a person column, not an organization one
        assert errors == {}
        _org_filters, org_errors = ContactFilters.from_params(
            params, resource=Organization.RESOURCE
        )
        assert list(org_errors) == ["sort"]
        return
    assert list(errors) == [field]
    assert errors[field][0]
    # The bad value is dropped: the list shows everyone, sorted by name.
    assert labels(person_list(user=reader, filters=filters), custom_people) == "ABC"


def test_several_bad_values_are_all_reported() -> None:
    _filters, errors = ContactFilters.from_params(
        {"tag": "x", "owner": "y", "sort": "z", "country": "Narnia"}, resource=Person.RESOURCE
    )
    assert set(errors) == {"tag", "owner", "sort", "country"}


def test_query_dict_params_are_parsed(reader: User, people: dict[str, Person]) -> None:
    params = QueryDict("sort=-city&country=&q=&city=")
    filters, errors = ContactFilters.from_params(params, resource=Person.RESOURCE)
    assert errors == {}
    assert (filters.sort, filters.descending) == ("city", True)
    assert labels(person_list(user=reader, filters=filters), people) == "CAB"


def test_over_long_text_params_are_cut_not_fatal() -> None:
    filters, errors = ContactFilters.from_params(
        {"q": "x" * 1000, "city": "y" * 1000}, resource=Person.RESOURCE
    )
    assert errors == {}
    assert (len(filters.q), len(filters.city)) == (200, 100)


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0"])
def test_out_of_range_ids_are_reported_not_crashing(value: str) -> None:
    filters, errors = ContactFilters.from_params({"tag": value}, resource="contacts.person")
    assert "tag" in errors
    assert filters.tag is None
