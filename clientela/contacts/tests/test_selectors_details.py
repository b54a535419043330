"""The API's reads (``*_with_details``): a record with every detail folded into its own
row, in one query, scoped like the other selectors, and saying the same as the
prefetching selectors the pages use."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from clientela.contacts import selectors
from clientela.contacts.schemas import OrganizationOut, PersonOut, organization_out, person_out
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    PhoneInput,
    RelationshipInput,
    organization_trash,
    person_trash,
)
from clientela.core.db import CompiledQuery
from clientela.core.errors import NotFound
from clientela.core.models import ApiToken, User
from clientela.core.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_person(admin: User, person_factory: Any, organization_factory: Any) -> Any:
    acme = organization_factory(admin, name="Acme")
    zeta = organization_factory(admin, name="Zeta")
    gone = organization_factory(admin, name="Gone")
    person = person_factory(
        admin,
        emails=[EmailInput("b@example.com"), EmailInput("a@example.com", is_primary=True)],
        phones=[PhoneInput("+14155550123"), PhoneInput("+14155550199", is_primary=True)],
        addresses=[
            AddressInput(country="US", city="Austin"),
            AddressInput(country="ES", city="Madrid", is_primary=True),
        ],
        relationships=[
            RelationshipInput("supplier"),
            RelationshipInput("customer", datetime.date(2020, 1, 1)),
        ],
        memberships=[
            MembershipInput(zeta.pk, "Advisor"),
            MembershipInput(acme.pk, "CEO"),
            MembershipInput(gone.pk),
        ],
        tags=["VIP", "Alpha"],
        custom={},
    )
    organization_trash(actor=admin, organization=gone)
    return person


def test_one_query_brings_what_the_prefetching_selector_brings(
    admin: User, full_person: Any
) -> None:
    with CaptureQueriesContext(connection) as ctx:
        folded = selectors.person_get_with_details(user=admin, pk=full_person.pk)
        out = person_out(folded)
    assert len(ctx.captured_queries) == 1
    prefetched = selectors.person_get(user=admin, pk=full_person.pk)
    assert (
        [e.address for e in out.emails]
        == [e.address for e in prefetched.emailaddresss.all()]
        == ["a@example.com", "b@example.com"]
    )
    assert [p.number for p in out.phones] == ["+14155550199", "+14155550123"]
    assert [a.city for a in out.addresses] == ["Madrid", "Austin"]
    assert [(r.kind, r.since) for r in out.relationships] == [
        ("customer", datetime.date(2020, 1, 1)),
        ("supplier", None),
    ]
    assert out.tags == ["Alpha", "VIP"]
    # a trashed organization is not a membership; the primary one comes first
    memberships = [(m.organization_name, m.job_title) for m in out.organizations]
    assert memberships == [(m.organization.name, m.job_title) for m in prefetched.memberships.all()]
    assert sorted(memberships) == [("Acme", "CEO"), ("Zeta", "Advisor")]
    assert (out.owner.username, out.team.name) == (admin.username, "North")
    assert out.emails[0].is_primary is True
    assert out.emails[1].is_primary is False
    assert out.created_at.tzinfo is not None


def test_a_record_without_details_has_empty_lists(admin: User, person_factory: Any) -> None:
    bare = person_out(selectors.person_get_with_details(user=admin, pk=person_factory(admin).pk))
    assert (bare.emails, bare.phones, bare.addresses, bare.tags, bare.organizations) == (
        [],
        [],
        [],
        [],
        [],
    )


def test_the_list_folds_details_in_the_same_way(admin: User, full_person: Any) -> None:
    listed = [person_out(p) for p in selectors.person_list_with_details(user=admin)]
    assert listed == [person_out(selectors.person_get_with_details(user=admin, pk=full_person.pk))]


def test_organizations_fold_their_details_too(admin: User, organization_factory: Any) -> None:
    org = organization_factory(
        admin,
        emails=[EmailInput("x@acme.test")],
        tags=["Partner"],
        relationships=[RelationshipInput("partner")],
    )
    with CaptureQueriesContext(connection) as ctx:
        out = organization_out(selectors.organization_get_with_details(user=admin, pk=org.pk))
    assert len(ctx.captured_queries) == 1
    assert ([e.address for e in out.emails], out.tags) == (["x@acme.test"], ["Partner"])
    assert [r.kind for r in out.relationships] == ["partner"]


@pytest.mark.parametrize("pk", ["junk", None, 0, -1, 2**63, 10**30, "999999"])
def test_bad_or_unknown_ids_are_not_found(admin: User, pk: Any) -> None:
    with pytest.raises(NotFound):
        selectors.person_get_with_details(user=admin, pk=pk)
    with pytest.raises(NotFound):
        selectors.organization_get_with_details(user=admin, pk=pk)


def test_other_teams_and_the_trash_are_not_found(
    admin: User, rep_north: User, rep_south: User, person_factory: Any, organization_factory: Any
) -> None:
    south = person_factory(admin, owner=rep_south)
    south_org = organization_factory(admin, owner=rep_south)
    with pytest.raises(NotFound):
        selectors.person_get_with_details(user=rep_north, pk=south.pk)
    with pytest.raises(NotFound):
        selectors.organization_get_with_details(user=rep_north, pk=south_org.pk)
    assert selectors.person_get_with_details(user=rep_south, pk=south.pk).pk == south.pk
    person_trash(actor=admin, person=south)
    with pytest.raises(NotFound):
        selectors.person_get_with_details(user=rep_south, pk=south.pk)


def test_compiled_query_gives_what_the_queryset_gives(admin: User) -> None:
    token, _clear = api_token_create(user=admin, name="t", scopes=["contacts:read"])
    compiled = CompiledQuery(
        lambda pk: ApiToken.objects.select_related("user__role", "user__team").filter(pk=pk)
    )
    (got,) = compiled.run(token.pk)
    with CaptureQueriesContext(connection) as ctx:
        role, team = got.user.role, got.user.team
        assert role is not None
        assert team is not None
        assert (got.user.username, role.key, team.name) == (
            admin.username,
            "admin",
            "North",
        )
    assert ctx.captured_queries == []  # the related objects came with the row
    assert got.scopes == ["contacts:read"]
    assert got.created_at.tzinfo is not None
    assert compiled.run(token.pk + 1000) == []


def test_compiled_query_refuses_a_build_without_its_marker(db: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(lambda pk: ApiToken.objects.filter(pk=1)).run(1)


def test_frozen_annotations_give_what_the_expressions_give(admin: User, full_person: Any) -> None:
    # The details' SQL is built once (FrozenAnnotations); a second read, and a read
    # narrowed by a filter that joins other tables, still bring the same values.
    first = person_out(selectors.person_get_with_details(user=admin, pk=full_person.pk))
    again = selectors.person_list_with_details(user=admin).filter(
        emailaddresss__address="a@example.com"
    )
    assert [person_out(p) for p in again] == [first]


def test_api_pages_say_what_the_checked_answer_says(
    admin: User, full_person: Any, organization_factory: Any, client: Any
) -> None:
    """A page of records goes out as plain JSON values without being checked against
    the schema (core.api.records): each item must be what the detail answer, which
    ninja checks against PersonOut / OrganizationOut, says, and valid on its own."""
    organization_factory(
        admin, emails=[EmailInput("x@acme.test")], relationships=[RelationshipInput("partner")]
    )
    _token, clear = api_token_create(user=admin, name="t", scopes=["contacts:read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    for path, schema in (("people", PersonOut), ("organizations", OrganizationOut)):
        page = client.get(f"/api/v1/{path}?limit=100", **auth)
        assert page.status_code == 200
        assert page["Content-Type"] == "application/json; charset=utf-8"
        items = page.json()["items"]
        assert items
        for item in items:
            detail = client.get(f"/api/v1/{path}/{item['id']}", **auth)
            assert detail.json() == item
            checked = schema.model_validate(item).model_dump()
            assert json.loads(json.dumps(checked, cls=NinjaJSONEncoder)) == item
    person = next(
        i for i in client.get("/api/v1/people", **auth).json()["items"] if i["id"] == full_person.pk
    )
    assert person["relationships"] == [
        {"kind": "customer", "since": "2020-01-01"},
        {"kind": "supplier", "since": None},
    ]
    assert person["created_at"].endswith("Z")
