"""Full-text search (``core.search``) over people and organizations: accent- and
case-insensitive, by e-mail, phone in any format, organization and city, always scoped
to what the asking user may see. Runs on SQLite (FTS5) and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Organization, Person
from clientela.contacts.services import (
    AddressInput,
    MembershipInput,
    organization_update,
    person_restore,
    person_trash,
    person_update,
)
from clientela.core import search
from clientela.core.choices import RoleKey, Scope
from clientela.core.models import RolePermission, User
from clientela.core.normalize import fold
from clientela.core.services import role_permission_update

pytestmark = pytest.mark.django_db

PEOPLE = [Person.RESOURCE]
BOTH = [Person.RESOURCE, Organization.RESOURCE]


def titles(user: User, query: str, resources: list[str] = BOTH, limit: int = 10) -> list[str]:
    return [
        e.title for e in search.search(user=user, query=query, resources=resources, limit=limit)
    ]


@pytest.fixture
def jose(admin: User, rep_north: User, person_factory: Any, organization_factory: Any) -> Person:
    acme = organization_factory(
        admin, owner=rep_north, name="Acme Ibérica", website="https://www.acme-corp.es"
    )
    person: Person = person_factory(
        admin,
        owner=rep_north,
        first_name="José",
        last_name="García-López",
        email="Jose.Garcia@Example.com",
        phone="+34 612 34 56 78",
        addresses=[AddressInput(country="ES", city="Málaga")],
        memberships=[MembershipInput(acme.pk, job_title="CEO")],
    )
    return person


@pytest.mark.parametrize(
    "query",
    [
        "jose",
        "José",
        "JOSE",
        "GARCIA",
        "garcía",
        "lopez",
        "jos",
        "José García",
        "garcia jose",
        "  jose   garcia  ",
    ],
)
def test_name_search_ignores_accents_case_and_word_order(
    rep_north: User, jose: Person, query: str
) -> None:
    assert "José García-López" in titles(rep_north, query, PEOPLE)


@pytest.mark.parametrize(
    "query", ["jose.garcia@example.com", "JOSE.GARCIA@EXAMPLE.COM", "jose.garcia@exa", "example"]
)
def test_search_by_email(rep_north: User, jose: Person, query: str) -> None:
    assert titles(rep_north, query, PEOPLE) == ["José García-López"]


@pytest.mark.parametrize(
    "query",
    ["+34 612 34 56 78", "+34612345678", "0034 612 345 678", "612345678", "612 34 56 78", "612-34"],
)
def test_search_by_phone_in_any_format(rep_north: User, jose: Person, query: str) -> None:
    assert titles(rep_north, query, PEOPLE) == ["José García-López"]


@pytest.mark.parametrize(
    "query", ["(415) 555-0123", "415-555-0123", "+1 415 555 0123", "14155550123", "415.555"]
)
def test_search_by_us_phone(rep_north: User, person_factory: Any, query: str) -> None:
    person_factory(rep_north, first_name="Usa", last_name="Caller", phone="(415) 555-0123")
    assert titles(rep_north, query, PEOPLE) == ["Usa Caller"]


def test_search_by_organization_name_finds_the_org_and_its_people(
    rep_north: User, jose: Person
) -> None:
    assert titles(rep_north, "acme iberica") == ["Acme Ibérica", "José García-López"]
    assert titles(rep_north, "acme-corp", [Organization.RESOURCE]) == ["Acme Ibérica"]


def test_search_by_city(rep_north: User, jose: Person) -> None:
    assert titles(rep_north, "malaga", PEOPLE) == ["José García-López"]
    assert titles(rep_north, "MÁLAGA jose", PEOPLE) == ["José García-López"]


def test_multi_word_queries_and_together(
    rep_north: User, jose: Person, person_factory: Any
) -> None:
    person_factory(rep_north, first_name="José", last_name="Pérez")
    assert titles(rep_north, "jose", PEOPLE) == ["José García-López", "José Pérez"]
    assert titles(rep_north, "jose perez", PEOPLE) == ["José Pérez"]
    assert titles(rep_north, "jose malaga", PEOPLE) == ["José García-López"]
    assert titles(rep_north, "jose nowhere", PEOPLE) == []


def test_rename_of_an_organization_reindexes_its_people(rep_north: User, jose: Person) -> None:
    acme = Organization.objects.get(name="Acme Ibérica")
    organization_update(actor=rep_north, organization=acme, data={"name": "Globex"})
    assert titles(rep_north, "globex", PEOPLE) == ["José García-López"]
    assert titles(rep_north, "acme", PEOPLE) == []


def test_update_reindexes_the_person(rep_north: User, jose: Person) -> None:
    person_update(actor=rep_north, person=jose, data={"last_name": "Fernández"})
    assert titles(rep_north, "fernandez", PEOPLE) == ["José Fernández"]
    assert titles(rep_north, "lopez", PEOPLE) == []


def test_trashed_records_disappear_and_come_back_on_restore(
    admin: User, rep_north: User, jose: Person
) -> None:
    person_trash(actor=rep_north, person=jose)
    assert titles(rep_north, "jose", PEOPLE) == []
    assert titles(admin, "jose", PEOPLE) == []
    person_restore(actor=admin, person=jose)
    assert titles(rep_north, "jose", PEOPLE) == ["José García-López"]


def test_rep_never_gets_other_teams_hits(
    admin: User, rep_north: User, rep_south: User, person_factory: Any, organization_factory: Any
) -> None:
    person_factory(admin, owner=rep_south, first_name="Zelda", last_name="South")
    organization_factory(admin, owner=rep_south, name="Zelda Corp")
    person_factory(admin, owner=rep_north, first_name="Zelda", last_name="North")
    assert titles(rep_north, "zelda") == ["Zelda North"]
    assert titles(rep_south, "zelda") == ["Zelda Corp", "Zelda South"]
    assert search.matching_object_ids(user=rep_north, resource=Person.RESOURCE, query="south") == []


def test_rep_gets_own_hits_even_when_many_invisible_records_match(
    admin: User, rep_north: User, rep_south: User, person_factory: Any
) -> None:
    for i in range(30):
        person_factory(admin, owner=rep_south, first_name="Aaron", last_name=f"South{i:02}")
    mine = [
        person_factory(admin, owner=rep_north, first_name="Aaron", last_name=f"Zorth{i}")
        for i in range(2)
    ]
    hits = search.search(user=rep_north, query="aaron", resources=PEOPLE, limit=10)
    assert sorted(h.object_id for h in hits) == sorted(p.pk for p in mine)
    assert len(titles(admin, "aaron", PEOPLE, limit=10)) == 10


def test_reader_with_scope_all_finds_every_team(
    reader: User, admin: User, rep_north: User, rep_south: User, person_factory: Any
) -> None:
    person_factory(admin, owner=rep_north, first_name="Quinn", last_name="North")
    person_factory(admin, owner=rep_south, first_name="Quinn", last_name="South")
    assert titles(reader, "quinn") == ["Quinn North", "Quinn South"]


def test_own_scope_limits_search_to_own_records(
    admin: User, rep_north: User, rep_north2: User, person_factory: Any
) -> None:
    perm = RolePermission.objects.get(role__key=RoleKey.SALES, resource=Person.RESOURCE)
    role_permission_update(
        actor=admin,
        permission=perm,
        can_create=True,
        can_read=True,
        can_update=True,
        can_delete=True,
        scope=Scope.OWN,
    )
    person_factory(rep_north, first_name="Otto", last_name="Mine")
    person_factory(rep_north2, first_name="Otto", last_name="Theirs")
    rep = User.objects.get(pk=rep_north.pk)
    assert titles(rep, "otto", PEOPLE) == ["Otto Mine"]


def test_no_read_right_means_no_hits(admin: User, rep_north: User, person_factory: Any) -> None:
    person_factory(rep_north, first_name="Hidden")
    perm = RolePermission.objects.get(role__key=RoleKey.SALES, resource=Person.RESOURCE)
    role_permission_update(
        actor=admin,
        permission=perm,
        can_create=False,
        can_read=False,
        can_update=False,
        can_delete=False,
        scope=Scope.TEAM,
    )
    assert titles(User.objects.get(pk=rep_north.pk), "hidden", PEOPLE) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!!",
        '"',
        "*",
        'jose" OR *',
        "NEAR(jose",
        "AND",
        "-jose",
        "jose:*",
        "a'b",
        "x" * 500,
    ],
)
def test_odd_queries_never_fail(rep_north: User, jose: Person, query: str) -> None:
    found = titles(rep_north, query)
    assert isinstance(found, list)
    if query == 'jose" OR *':
        # The quote and the operator are dropped, not a reason to find nothing.
        assert "José García-López" in found


def test_fts_operators_are_plain_words(rep_north: User, person_factory: Any) -> None:
    person_factory(rep_north, first_name="Andy", last_name="Or")
    assert titles(rep_north, "or", PEOPLE) == ["Andy Or"]
    assert titles(rep_north, "and", PEOPLE) == ["Andy Or"]


def test_an_upper_case_or_separates_alternatives(
    rep_north: User, jose: Person, person_factory: Any
) -> None:
    person_factory(rep_north, first_name="Andy", last_name="Or")
    assert titles(rep_north, "garcia OR andy", PEOPLE) == ["Andy Or", "José García-López"]
    assert titles(rep_north, "jose or", PEOPLE) == []
    assert search.query_terms("OR") == [["or"]]


def test_matching_object_ids_for_list_filters(rep_north: User, jose: Person) -> None:
    ids = search.matching_object_ids(user=rep_north, resource=Person.RESOURCE, query="garcia")
    assert ids == [jose.pk]


@pytest.mark.parametrize(
    "parts",
    [
        ["José", "García-López", "jose.garcia@example.es", "34612345678", "612345678"],
        [
            "\u0301accent first",
            "Straße",
            "Ølsen_Æble",
            "",
            "\ufb01ne \uff57\uff49\uff44\uff45",
            "¨ alone",
            "İstanbul",
        ],
        ["a", "", "", "B"],
        [],
    ],
)
def test_entry_text_holds_the_words_of_each_part(parts: list[str]) -> None:
    """The entry's text folds and splits the parts at once: the same words as folding
    and splitting each part apart, as the index held them before."""
    each = " ".join(w for p in parts if p for w in search._WORD.findall(fold(p)))
    entry = search.entry(
        resource="contacts.person", object_id=1, owner_id=None, team_id=None, title="T",
        parts=parts,
    )  # fmt: skip
    assert entry.text == each
