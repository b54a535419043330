"""Writes to people and organizations: normalization, details, memberships, tags,
custom fields, versions and permissions (bad input: ``test_services_bad_input``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientela.contacts import selectors
from clientela.contacts.models import (
    Address,
    EmailAddress,
    Membership,
    Organization,
    Person,
    PhoneNumber,
    Relationship,
)
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    PhoneInput,
    RelationshipInput,
    organization_create,
    organization_restore,
    organization_trash,
    organization_update,
    person_create,
    person_restore,
    person_trash,
    person_update,
)
from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.models import AuditEntry, SearchEntry, Tag, Team, User
from clientela.core.services import custom_field_create

pytestmark = pytest.mark.django_db


TRACKED = (
    Person,
    Organization,
    EmailAddress,
    PhoneNumber,
    Address,
    Relationship,
    Membership,
    AuditEntry,
    SearchEntry,
    Tag,
)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in TRACKED}


def emails_of(record: Person | Organization) -> list[tuple[str, bool]]:
    return [(e.address, e.is_primary) for e in record.emailaddresss.order_by("-is_primary", "id")]


def phones_of(record: Person | Organization) -> list[tuple[str, bool]]:
    return [(p.number, p.is_primary) for p in record.phonenumbers.order_by("-is_primary", "id")]


# --- normalization and details ----------------------------------------------------------


def test_create_person_normalizes_emails_and_keeps_one_primary(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "Ana",
            "emails": [
                EmailInput(" Ana@Example.COM "),
                EmailInput("ANA.Work@Example.es", kind="personal", is_primary=True),
                EmailInput("ana@example.com"),
            ],
        },
    )
    assert emails_of(person) == [("ana.work@example.es", True), ("ana@example.com", False)]
    assert person.email == "ana.work@example.es"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+34 612 34 56 78", "+34612345678"),
        ("(415) 555-0123", "+14155550123"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+52 55 1234 5678", "+525512345678"),
    ],
)
def test_flat_phone_is_stored_as_e164(admin: User, raw: str, expected: str) -> None:
    person = person_create(actor=admin, data={"first_name": "Pat", "phone": raw})
    assert person.phone == expected
    assert phones_of(person) == [(expected, True)]


def test_national_phone_uses_the_primary_address_country(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "Lucía",
            "addresses": [AddressInput(country="es", city="Sevilla")],
            "phones": [PhoneInput("612 34 56 78"), PhoneInput("954 12 34 56", kind="work")],
        },
    )
    assert phones_of(person) == [("+34612345678", True), ("+34954123456", False)]
    assert (person.city, person.country) == ("Sevilla", "ES")


def test_exactly_one_primary_address_and_denormalized_location(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "Tom",
            "addresses": [
                AddressInput(country="US", city="Boston"),
                AddressInput(country="MX", city="Puebla", is_primary=True),
                AddressInput(country="ES", city="Bilbao", is_primary=True),
            ],
        },
    )
    primaries = list(person.addresss.filter(is_primary=True).values_list("city", flat=True))
    assert primaries == ["Puebla"]
    assert (person.city, person.country) == ("Puebla", "MX")
    person = person_update(
        actor=admin, person=person, data={"addresses": [AddressInput(country="AR", city="Salta")]}
    )
    assert (person.city, person.country) == ("Salta", "AR")


def test_flat_email_sets_replaces_and_clears_the_primary(admin: User) -> None:
    person = person_create(actor=admin, data={"first_name": "Eva", "email": "Eva@Example.com"})
    assert emails_of(person) == [("eva@example.com", True)]
    person = person_update(
        actor=admin,
        person=person,
        data={"email": "eva@work.example", "emails": [EmailInput("eva@home.example")]},
    )
    # Beside a full list the flat value is added as the primary.
    assert emails_of(person) == [("eva@work.example", True), ("eva@home.example", False)]
    person = person_update(actor=admin, person=person, data={"email": "New@Example.com"})
    # Alone it replaces the primary, so editing a form's e-mail field does not pile up.
    assert emails_of(person) == [("new@example.com", True), ("eva@home.example", False)]
    assert person.email == "new@example.com"
    person = person_update(actor=admin, person=person, data={"email": "EVA@home.example"})
    assert emails_of(person) == [("eva@home.example", True)]
    assert Person.objects.get(pk=person.pk).email == "eva@home.example"
    person = person_update(actor=admin, person=person, data={"email": ""})
    assert emails_of(person) == []
    assert Person.objects.get(pk=person.pk).email == ""


def test_clearing_the_flat_email_promotes_the_next_one(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "Al",
            "emails": [EmailInput("a@example.com"), EmailInput("b@example.com")],
        },
    )
    person = person_update(actor=admin, person=person, data={"email": None})
    assert emails_of(person) == [("b@example.com", True)]
    assert person.email == "b@example.com"


def test_clearing_the_only_email_and_phone_leaves_none(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={"first_name": "Kim", "email": "kim@example.com", "phone": "(415) 555-0123"},
    )
    person = person_update(actor=admin, person=person, data={"email": "", "phone": ""})
    assert (person.email, person.phone) == ("", "")
    assert emails_of(person) == []
    assert phones_of(person) == []
    stored = Person.objects.get(pk=person.pk)
    assert (stored.email, stored.phone) == ("", "")


def test_flat_phone_replaces_the_primary_and_keeps_the_others(admin: User) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "Raj",
            "phones": [PhoneInput("+14155550123", kind="home"), PhoneInput("+14155550124")],
        },
    )
    person = person_update(actor=admin, person=person, data={"phone": "+1 (415) 555-0199"})
    assert phones_of(person) == [("+14155550199", True), ("+14155550124", False)]
    assert person.phonenumbers.get(is_primary=True).kind == "home"
    assert Person.objects.get(pk=person.pk).phone == "+14155550199"


def test_organization_flat_city_and_country_set_update_and_clear(admin: User) -> None:
    org = organization_create(actor=admin, data={"name": "Acme", "city": "Madrid", "country": "es"})
    assert (org.city, org.country) == ("Madrid", "ES")
    assert list(org.addresss.values_list("city", "country", "is_primary")) == [
        ("Madrid", "ES", True)
    ]
    org = organization_update(actor=admin, organization=org, data={"city": "Valencia"})
    assert (org.city, org.country) == ("Valencia", "ES")
    assert org.addresss.count() == 1
    org = organization_update(actor=admin, organization=org, data={"city": "", "country": ""})
    stored = Organization.objects.get(pk=org.pk)
    assert (stored.city, stored.country) == ("", "")
    assert stored.addresss.count() == 0


def test_memberships_link_visible_organizations(rep_north: User, organization_factory: Any) -> None:
    acme = organization_factory(rep_north, name="Acme")
    globex = organization_factory(rep_north, name="Globex")
    person = person_create(
        actor=rep_north,
        data={
            "first_name": "Joe",
            "memberships": [
                MembershipInput(acme.pk, job_title=" CTO "),
                MembershipInput(globex.pk, job_title="Advisor", is_primary=True),
            ],
        },
    )
    got = {(m.organization.name, m.job_title, m.is_primary) for m in person.memberships.all()}
    assert got == {("Acme", "CTO", False), ("Globex", "Advisor", True)}
    person = person_update(
        actor=rep_north, person=person, data={"memberships": [MembershipInput(acme.pk)]}
    )
    assert list(person.organizations.all()) == [acme]


def test_membership_of_an_invisible_or_unknown_organization_is_rejected(
    admin: User, rep_north: User, rep_south: User, organization_factory: Any
) -> None:
    south_org = organization_factory(admin, owner=rep_south)
    for org_id in (south_org.pk, 987654):
        with pytest.raises(ValidationError) as exc:
            person_create(
                actor=rep_north,
                data={"first_name": "X", "memberships": [MembershipInput(org_id)]},
            )
        assert str(org_id) in exc.value.message_dict["memberships"][0]
    assert not Person.objects.exists()


def test_several_relationships_with_since_dates(admin: User) -> None:
    today = timezone.localdate()
    person = person_create(
        actor=admin,
        data={
            "first_name": "Rel",
            "relationships": [
                RelationshipInput("customer", datetime.date(2020, 1, 31)),
                RelationshipInput("supplier", today),
                RelationshipInput("partner"),
            ],
        },
    )
    got = dict(person.relationships.values_list("kind", "since"))
    assert got == {
        "customer": datetime.date(2020, 1, 31),
        "supplier": today,
        "partner": None,
    }


def test_tags_are_created_and_matched_case_insensitively(admin: User) -> None:
    Tag.objects.create(name="Vip")
    first = person_create(actor=admin, data={"first_name": "A", "tags": ["VIP", "vip", "News"]})
    second = person_create(actor=admin, data={"first_name": "B", "tags": ["news", " NEWS "]})
    assert sorted(t.name for t in first.tags.all()) == ["News", "Vip"]
    assert [t.name for t in second.tags.all()] == ["News"]
    assert Tag.objects.count() == 2


def test_html_and_script_are_stored_verbatim(admin: User) -> None:
    payload = '<script>alert("x")</script>'
    person = person_create(
        actor=admin, data={"first_name": payload, "last_name": "<b>Bold</b>", "notes": payload}
    )
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.notes) == (payload, "<b>Bold</b>", payload)


# --- custom fields -----------------------------------------------------------------------


@pytest.fixture
def person_fields(admin: User) -> None:
    resource = Person.RESOURCE
    custom_field_create(
        actor=admin, resource=resource, key="nickname", label="Nick", field_type="text"
    )
    custom_field_create(
        actor=admin, resource=resource, key="score", label="Score", field_type="number"
    )
    custom_field_create(
        actor=admin, resource=resource, key="since", label="Since", field_type="date"
    )
    custom_field_create(
        actor=admin,
        resource=resource,
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
        required=True,
    )
    custom_field_create(
        actor=admin, resource=resource, key="vip", label="VIP", field_type="boolean"
    )


def test_custom_fields_of_all_five_types_are_cleaned(admin: User, person_fields: None) -> None:
    person = person_create(
        actor=admin,
        data={
            "first_name": "Cf",
            "custom": {
                "nickname": "  Cfy ",
                "score": "10.50",
                "since": "2021-02-03",
                "tier": "gold",
                "vip": "yes",
            },
        },
    )
    person.refresh_from_db()
    assert person.custom == {
        "nickname": "Cfy",
        "score": "10.5",
        "since": "2021-02-03",
        "tier": "gold",
        "vip": True,
    }
    person = person_update(
        actor=admin, person=person, data={"custom": {"nickname": "", "vip": False}}
    )
    assert person.custom == {"score": "10.5", "since": "2021-02-03", "tier": "gold", "vip": False}


@pytest.mark.parametrize(
    ("custom", "key"),
    [
        ({}, "custom.tier"),
        ({"tier": "bronze"}, "custom.tier"),
        ({"tier": "gold", "unknown": "x"}, "custom.unknown"),
        ({"tier": "gold", "score": "lots"}, "custom.score"),
        ({"tier": "gold", "since": "31/12/2020"}, "custom.since"),
        ({"tier": "gold", "vip": "maybe"}, "custom.vip"),
        ({"tier": "gold", "nickname": 5}, "custom.nickname"),
    ],
)
def test_bad_custom_values_are_rejected(
    admin: User, person_fields: None, custom: dict[str, Any], key: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        person_create(actor=admin, data={"first_name": "Cf", "custom": custom})
    assert key in exc.value.message_dict
    assert not Person.objects.exists()


# --- versions, trash, restore ------------------------------------------------------------


def test_version_increments_on_real_changes_only(admin: User, person_factory: Any) -> None:
    person = person_factory(admin, first_name="Ver", email="ver@example.com", tags=["a"])
    assert person.version == 1
    person = person_update(
        actor=admin,
        person=person,
        data={"first_name": " Ver ", "email": "VER@example.com", "tags": ["A"]},
    )
    assert person.version == 1
    person = person_update(actor=admin, person=person, data={"first_name": "Vera"})
    assert person.version == 2
    assert Person.objects.get(pk=person.pk).version == 2


def test_stale_version_is_a_conflict_and_changes_nothing(admin: User, person_factory: Any) -> None:
    person = person_factory(admin, first_name="Old", email="old@example.com")
    person_update(actor=admin, person=person, data={"first_name": "Newer"}, expected_version=1)
    before = counts()
    with pytest.raises(VersionConflict) as exc:
        person_update(
            actor=admin,
            person=person,
            data={"first_name": "Lost", "email": "lost@example.com"},
            expected_version=1,
        )
    assert exc.value.current_version == 2
    stored = Person.objects.get(pk=person.pk)
    assert (stored.first_name, stored.email, stored.version) == ("Newer", "old@example.com", 2)
    assert counts() == before
    with pytest.raises(VersionConflict):
        person_trash(actor=admin, person=stored, expected_version=1)
    assert Person.objects.get(pk=person.pk).deleted_at is None


def test_trash_hides_and_admin_restore_brings_back(
    admin: User, rep_north: User, rep_north2: User, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    person_trash(actor=rep_north, person=person)
    with pytest.raises(NotFound):
        selectors.person_get(user=rep_north, pk=person.pk)
    with pytest.raises(NotFound):
        person_update(actor=rep_north, person=person, data={"first_name": "Zombie"})
    with pytest.raises(NotFound):  # a teammate did not delete it
        person_restore(actor=rep_north2, person=person)
    person_restore(actor=admin, person=person)
    assert selectors.person_get(user=rep_north, pk=person.pk).version == 3
    with pytest.raises(NotFound):
        person_restore(actor=admin, person=person)


def test_organization_trash_and_restore(admin: User, organization_factory: Any) -> None:
    org = organization_factory(admin)
    organization_trash(actor=admin, organization=org)
    with pytest.raises(NotFound):
        selectors.organization_get(user=admin, pk=org.pk)
    organization_restore(actor=admin, organization=org)
    assert selectors.organization_get(user=admin, pk=org.pk).deleted_at is None


# --- owner, team, permissions ------------------------------------------------------------


def test_owner_defaults_to_actor_and_team_to_owners_team(
    rep_north: User, admin: User, rep_south: User, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    assert (person.owner, person.team.name) == (rep_north, "North")
    handed = person_factory(admin, owner=rep_south)
    assert handed.team.name == "South"
    moved = person_update(actor=admin, person=person, data={"owner": rep_south})
    assert (moved.owner, moved.team.name) == (rep_south, "South")


def test_rep_cannot_get_update_or_trash_other_teams_person(
    admin: User, rep_north: User, rep_south: User, person_factory: Any
) -> None:
    south = person_factory(admin, owner=rep_south, first_name="Southy")
    with pytest.raises(NotFound):
        selectors.person_get(user=rep_north, pk=south.pk)
    with pytest.raises(NotFound):
        person_update(actor=rep_north, person=south, data={"first_name": "Mine"})
    with pytest.raises(NotFound):
        person_trash(actor=rep_north, person=south)
    stored = Person.objects.get(pk=south.pk)
    assert (stored.first_name, stored.deleted_at, stored.version) == ("Southy", None, 1)


def test_rep_cannot_get_update_or_trash_other_teams_organization(
    admin: User, rep_north: User, rep_south: User, organization_factory: Any
) -> None:
    south = organization_factory(admin, owner=rep_south, name="South Co")
    with pytest.raises(NotFound):
        selectors.organization_get(user=rep_north, pk=south.pk)
    with pytest.raises(NotFound):
        organization_update(actor=rep_north, organization=south, data={"name": "Mine"})
    with pytest.raises(NotFound):
        organization_trash(actor=rep_north, organization=south)
    assert Organization.objects.get(pk=south.pk).name == "South Co"


def test_rep_cannot_assign_a_record_to_another_team(
    rep_north: User, rep_south: User, person_factory: Any, organization_factory: Any
) -> None:
    south = Team.objects.get(name="South")
    with pytest.raises(ValidationError) as exc:
        person_create(actor=rep_north, data={"first_name": "X", "team": south})
    assert "team" in exc.value.message_dict
    with pytest.raises(ValidationError):
        organization_create(actor=rep_north, data={"name": "X", "owner": rep_south})
    person = person_factory(rep_north)
    with pytest.raises(ValidationError):
        person_update(actor=rep_north, person=person, data={"team": south})
    org = organization_factory(rep_north)
    with pytest.raises(ValidationError):
        organization_update(actor=rep_north, organization=org, data={"team": south})
    assert Person.objects.get(pk=person.pk).team.name == "North"
    assert Organization.objects.filter(team=south).count() == 0


def test_reader_is_denied_create_and_update(
    reader: User, admin: User, person_factory: Any, organization_factory: Any
) -> None:
    with pytest.raises(PermissionDenied):
        person_create(actor=reader, data={"first_name": "No"})
    with pytest.raises(PermissionDenied):
        organization_create(actor=reader, data={"name": "No"})
    person = person_factory(admin)
    with pytest.raises(PermissionDenied):
        person_update(actor=reader, person=person, data={"first_name": "No"})
    org = organization_factory(admin)
    with pytest.raises(PermissionDenied):
        organization_update(actor=reader, organization=org, data={"name": "No"})
    assert Person.objects.count() == 1
    assert Organization.objects.count() == 1
