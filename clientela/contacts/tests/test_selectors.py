"""Reads of people and organizations (``contacts.selectors``): always scoped, never
showing the trash, with a constant number of queries per list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.contacts import selectors
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    RelationshipInput,
    organization_trash,
    person_trash,
)
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.selectors import trash_list

pytestmark = pytest.mark.django_db


def test_rep_sees_own_teams_people_only(
    admin: User, rep_north: User, rep_north2: User, rep_south: User, person_factory: Any
) -> None:
    mine = person_factory(rep_north)
    teammates = person_factory(rep_north2)
    person_factory(admin, owner=rep_south)
    assert set(selectors.person_list(user=rep_north)) == {mine, teammates}


def test_rep_cannot_see_other_teams_person(
    admin: User, rep_north: User, rep_south: User, person_factory: Any
) -> None:
    south = person_factory(admin, owner=rep_south)
    with pytest.raises(NotFound):
        selectors.person_get(user=rep_north, pk=south.pk)
    assert selectors.person_get(user=rep_south, pk=south.pk) == south


def test_rep_cannot_see_other_teams_organization(
    admin: User, rep_north: User, rep_south: User, organization_factory: Any
) -> None:
    south = organization_factory(admin, owner=rep_south)
    with pytest.raises(NotFound):
        selectors.organization_get(user=rep_north, pk=south.pk)
    assert south not in selectors.organization_list(user=rep_north)
    assert south not in selectors.organization_choices(user=rep_north)


@pytest.mark.parametrize("pk", ["abc", None, "", "1; DROP TABLE x", 10**30, -1, 1.5, [1]])
def test_get_with_a_bad_or_unknown_id_is_not_found(admin: User, pk: Any) -> None:
    with pytest.raises(NotFound):
        selectors.person_get(user=admin, pk=pk)
    with pytest.raises(NotFound):
        selectors.organization_get(user=admin, pk=pk)


def test_anonymous_user_sees_nothing(admin: User, person_factory: Any) -> None:
    person = person_factory(admin)
    assert not selectors.person_list(user=AnonymousUser()).exists()
    with pytest.raises(NotFound):
        selectors.person_get(user=AnonymousUser(), pk=person.pk)


def test_trashed_records_are_not_listed_or_fetched(
    admin: User, person_factory: Any, organization_factory: Any
) -> None:
    person, org = person_factory(admin), organization_factory(admin)
    person_trash(actor=admin, person=person)
    organization_trash(actor=admin, organization=org)
    assert not selectors.person_list(user=admin).exists()
    assert not selectors.organization_list(user=admin).exists()
    with pytest.raises(NotFound):
        selectors.person_get(user=admin, pk=person.pk)
    with pytest.raises(NotFound):
        selectors.organization_get(user=admin, pk=org.pk)
    assert org not in selectors.organization_choices(user=admin)


def test_person_get_brings_every_detail_in_a_fixed_number_of_queries(
    admin: User, person_factory: Any, organization_factory: Any
) -> None:
    acme, gone = organization_factory(admin, name="Acme"), organization_factory(admin, name="Gone")
    person = person_factory(
        admin,
        emails=[EmailInput("a@example.com"), EmailInput("b@example.com")],
        phone="+14155550123",
        addresses=[AddressInput(country="US", city="Austin")],
        relationships=[RelationshipInput("customer", datetime.date(2020, 1, 1))],
        memberships=[MembershipInput(acme.pk, "CEO"), MembershipInput(gone.pk)],
        tags=["VIP"],
    )
    organization_trash(actor=admin, organization=gone)
    with CaptureQueriesContext(connection) as ctx:
        got = selectors.person_get(user=admin, pk=str(person.pk))
        summary = (
            [e.address for e in got.emailaddresss.all()],
            [p.number for p in got.phonenumbers.all()],
            [a.city for a in got.addresss.all()],
            [r.kind for r in got.relationships.all()],
            [t.name for t in got.tags.all()],
            [(m.organization.name, m.job_title) for m in got.memberships.all()],
            got.owner.username,
            got.team.name,
        )
    assert summary == (
        ["a@example.com", "b@example.com"],
        ["+14155550123"],
        ["Austin"],
        ["customer"],
        ["VIP"],
        [("Acme", "CEO")],  # a trashed organization is not shown as a membership
        admin.username,
        "North",
    )
    assert len(ctx.captured_queries) <= 8


@pytest.mark.parametrize("selector", ["person_list", "organization_list"])
def test_list_query_count_does_not_grow_with_rows(
    admin: User, person_factory: Any, organization_factory: Any, selector: str
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for row in getattr(selectors, selector)(user=admin):
                _ = (row.owner.username, row.team.name, [t.name for t in row.tags.all()])
        return len(ctx.captured_queries)

    make = person_factory if selector == "person_list" else organization_factory
    make(admin, tags=["a"])
    few = queries()
    for i in range(10):
        make(admin, tags=[f"t{i}", "a"])
    assert queries() == few


def test_organization_people_lists_visible_members_by_name(
    admin: User, rep_north: User, rep_south: User, person_factory: Any, organization_factory: Any
) -> None:
    org = organization_factory(admin, name="Shared")
    person_factory(
        admin, owner=rep_north, last_name="Zed", memberships=[MembershipInput(org.pk, "CTO")]
    )
    person_factory(admin, owner=rep_north, last_name="Abe", memberships=[MembershipInput(org.pk)])
    person_factory(admin, owner=rep_south, last_name="South", memberships=[MembershipInput(org.pk)])
    trashed = person_factory(
        admin, owner=rep_north, last_name="Trashed", memberships=[MembershipInput(org.pk)]
    )
    person_trash(actor=admin, person=trashed)
    members = selectors.organization_people(user=rep_north, organization=org)
    assert [(m.person.last_name, m.job_title) for m in members] == [("Abe", ""), ("Zed", "CTO")]
    everyone = selectors.organization_people(user=admin, organization=org)
    assert [m.person.last_name for m in everyone] == ["Abe", "South", "Zed"]


def test_organization_choices_filter_by_name_and_limit(
    rep_north: User, organization_factory: Any
) -> None:
    for name in ("Acme", "Acme Labs", "Beta", "Zeta Acme"):
        organization_factory(rep_north, name=name)
    names = [o.name for o in selectors.organization_choices(user=rep_north, q="acme")]
    assert names == ["Acme", "Acme Labs", "Zeta Acme"]
    assert len(selectors.organization_choices(user=rep_north, limit=2)) == 2


def test_trash_is_for_admins_and_forgets_expired_records(
    admin: User, rep_north: User, person_factory: Any, organization_factory: Any
) -> None:
    recent, old = person_factory(admin), person_factory(admin)
    org = organization_factory(admin)
    for person in (recent, old):
        person_trash(actor=admin, person=person)
    organization_trash(actor=admin, organization=org)
    Person.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=31))
    assert list(trash_list(user=admin, model=Person)) == [recent]
    assert list(trash_list(user=admin, model=Organization)) == [org]
    assert not trash_list(user=rep_north, model=Person).exists()
    assert selectors.person_trash_get(user=admin, pk=recent.pk) == recent
    assert selectors.organization_trash_get(user=admin, pk=org.pk) == org
    with pytest.raises(NotFound):
        selectors.person_trash_get(user=rep_north, pk=recent.pk)
    with pytest.raises(NotFound):
        selectors.organization_trash_get(user=rep_north, pk=org.pk)
    live = person_factory(admin)
    with pytest.raises(NotFound):
        selectors.person_trash_get(user=admin, pk=live.pk)


@pytest.mark.parametrize("pk", ["abc", None, "", [1]])
def test_trash_get_with_a_bad_id_is_not_found(admin: User, pk: Any) -> None:
    with pytest.raises(NotFound):
        selectors.person_trash_get(user=admin, pk=pk)
    with pytest.raises(NotFound):
        selectors.organization_trash_get(user=admin, pk=pk)
