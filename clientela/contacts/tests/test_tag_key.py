"""``tag_key``: a record's tag ids copied onto its row by database triggers, so lists
filter by tag inside their indexes. Whatever tags or untags a record keeps it right."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.filters import ContactFilters
from clientela.contacts.models import Organization, Person, tagged
from clientela.contacts.selectors import organization_list, person_list
from clientela.contacts.services import organization_update, person_update
from clientela.core.models import Tag, User

pytestmark = pytest.mark.django_db


def key_ids(record: Person | Organization) -> set[int]:
    record.refresh_from_db(fields=["tag_key"])
    return {int(i) for i in record.tag_key.strip(",").split(",") if i}


def ids(*names: str) -> set[int]:
    return set(Tag.objects.filter(name__in=names).values_list("pk", flat=True))


def test_tagging_through_the_services_fills_the_key(admin: User, person_factory: Any) -> None:
    person = person_factory(admin, tags=["VIP", "Newsletter"])
    assert key_ids(person) == ids("VIP", "Newsletter")
    person_update(actor=admin, person=person, data={"tags": ["Newsletter", "Retail"]})
    assert key_ids(person) == ids("Newsletter", "Retail")
    person_update(actor=admin, person=person, data={"tags": []})
    person.refresh_from_db()
    assert person.tag_key == ""


def test_organizations_have_the_key_too(admin: User, organization_factory: Any) -> None:
    org = organization_factory(admin, tags=["Partner"])
    assert key_ids(org) == ids("Partner")
    organization_update(actor=admin, organization=org, data={"tags": []})
    assert key_ids(org) == set()


def test_deleting_a_tag_removes_it_from_every_key(admin: User, person_factory: Any) -> None:
    people = [person_factory(admin, tags=["Gone", "Kept"]) for _ in range(2)]
    Tag.objects.get(name="Gone").delete()
    for person in people:
        assert key_ids(person) == ids("Kept")


def test_a_later_save_of_the_record_keeps_the_key(admin: User, person_factory: Any) -> None:
    person = person_factory(admin, tags=["VIP"])
    person_update(actor=admin, person=person, data={"first_name": "Renamed"})
    assert key_ids(person) == ids("VIP")


def test_tag_ids_do_not_match_as_substrings(admin: User, person_factory: Any) -> None:
    Tag.objects.bulk_create([Tag(pk=1, name="one"), Tag(pk=11, name="eleven")])
    person = person_factory(admin, tags=["eleven"])
    assert not Person.objects.filter(tagged(1), pk=person.pk).exists()
    assert Person.objects.filter(tagged(11), pk=person.pk).exists()


def test_lists_filter_by_tag_through_the_key(
    admin: User, person_factory: Any, organization_factory: Any
) -> None:
    vip = person_factory(admin, last_name="Vip", tags=["VIP"])
    person_factory(admin, last_name="Plain")
    both = person_factory(admin, last_name="Both", tags=["VIP", "Other"])
    tag = Tag.objects.get(name="VIP").pk
    found = person_list(user=admin, filters=ContactFilters(tag=tag))
    assert list(found) == [both, vip]
    assert "tag_key" in str(found.query)
    assert "contacts_person_tags" not in str(found.query)
    org = organization_factory(admin, name="Tagged", tags=["VIP"])
    organization_factory(admin, name="Untagged")
    assert list(organization_list(user=admin, filters=ContactFilters(tag=tag))) == [org]
