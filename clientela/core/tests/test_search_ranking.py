"""The header search ranks what the user meant: the record whose name is the query,
then names holding every word whole, then records holding them whole elsewhere, then
prefixes ("José" shows José Martínez before Josefa), accents and case aside. The rank
is plain SQL on folded columns, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from clientela.contacts.models import Person
from clientela.contacts.services import EmailInput, MembershipInput
from clientela.core import search
from clientela.core.models import SearchEntry, User

pytestmark = pytest.mark.django_db

PEOPLE = [Person.RESOURCE]
#: First names a "jose" prefix also finds, as the importer brought them in.
PREFIXED = ["Josefa", "Josefina", "Joseph", "Josep", "Joselyn", "Josette"]
SURNAMES = ["Abad", "Bravo", "Cano", "Diez"]


@pytest.fixture
def joses(rep_north: User, person_factory: Any) -> None:
    # Two dozen prefix matches first (lower ids, so the index meets them first), then
    # the two people named José, the one just imported last of all.
    for first in PREFIXED:
        for last in SURNAMES:
            person_factory(rep_north, first_name=first, last_name=last)
    person_factory(rep_north, first_name="Jose", last_name="Zubiri")
    person_factory(rep_north, first_name="José", last_name="Martínez")


def dropdown(user: User, query: str, limit: int = 8) -> list[str]:
    found = search.search_by_resource(user=user, query=query, resources=PEOPLE, limit=limit)
    return [e.title for e in found.get(Person.RESOURCE, [])]


def titles(user: User, query: str, limit: int = 10) -> list[str]:
    return [e.title for e in search.search(user=user, query=query, resources=PEOPLE, limit=limit)]


def test_a_whole_first_name_comes_before_names_it_only_begins(rep_north: User, joses: None) -> None:
    hits = dropdown(rep_north, "José")
    assert len(hits) == 8
    assert hits[:2] == ["José Martínez", "Jose Zubiri"]
    assert all(h.split()[0] in PREFIXED for h in hits[2:])
    # The prefix matches among themselves: by name.
    assert hits[2:] == sorted(hits[2:])
    assert titles(rep_north, "José")[:2] == ["José Martínez", "Jose Zubiri"]


@pytest.mark.parametrize("query", ["jose", "JOSE", "José", "josé", "  jose "])
def test_accents_and_case_do_not_change_the_ranking(
    rep_north: User, joses: None, query: str
) -> None:
    assert dropdown(rep_north, query) == dropdown(rep_north, "José")


def test_whole_words_have_their_own_window(rep_north: User, joses: None, monkeypatch: Any) -> None:
    # Fewer ranked matches than prefix matches: the 24 "Josefa"s met first by the index
    # must not push the two Josés out of what is ranked.
    monkeypatch.setattr(search, "SORT_WINDOW", 5)
    assert dropdown(rep_north, "jose", limit=3)[:2] == ["José Martínez", "Jose Zubiri"]
    assert titles(rep_north, "jose", limit=3)[:2] == ["José Martínez", "Jose Zubiri"]


def test_the_exact_name_first_then_whole_names_then_other_fields_then_prefixes(
    rep_north: User, person_factory: Any, organization_factory: Any
) -> None:
    # Created worst first, so the order cannot come from the ids.
    person_factory(rep_north, first_name="Josefa", last_name="Martínez")
    person_factory(
        rep_north,
        first_name="Ana",
        last_name="Martínez",
        emails=[EmailInput("jose.work@example.com")],
    )
    person_factory(rep_north, first_name="Martínez", last_name="José")
    person_factory(rep_north, first_name="José", last_name="Martínez Ruiz")
    person_factory(rep_north, first_name="José", last_name="Martínez")
    expected = [
        "José Martínez",  # the whole name
        "José Martínez Ruiz",  # both words whole in the name, by name
        "Martínez José",
        "Ana Martínez",  # "jose" whole only in the e-mail
        "Josefa Martínez",  # "jose" only begins a word
    ]
    assert dropdown(rep_north, "José Martínez") == expected
    assert titles(rep_north, "jose martinez") == expected
    # The words in the other order are another person's whole name.
    assert dropdown(rep_north, "martinez jose")[:3] == [
        "Martínez José",
        "José Martínez",
        "José Martínez Ruiz",
    ]
    # The surname still being typed: names the words begin, then the rest.
    assert dropdown(rep_north, "jose marti") == [
        "José Martínez",
        "José Martínez Ruiz",
        "Josefa Martínez",
        "Martínez José",
        "Ana Martínez",
    ]


def test_whole_words_elsewhere_before_prefixes_of_the_name(
    rep_north: User, person_factory: Any, organization_factory: Any
) -> None:
    bakery = organization_factory(rep_north, name="Panadería San José")
    person_factory(rep_north, first_name="Josefina", last_name="Abad")
    person_factory(
        rep_north, first_name="Luis", last_name="Vera", memberships=[MembershipInput(bakery.pk)]
    )
    assert dropdown(rep_north, "jose") == ["Luis Vera", "Josefina Abad"]


def test_the_rank_travels_with_each_hit(rep_north: User, joses: None) -> None:
    found = search.search_by_resource(user=rep_north, query="jose", resources=PEOPLE, limit=8)
    ranks = [e.search_rank for e in found[Person.RESOURCE]]
    assert ranks == [search.NAME_WORDS] * 2 + [search.NAME_PREFIXES] * 6


def test_entries_carry_their_folded_name(rep_north: User, person_factory: Any) -> None:
    person = person_factory(rep_north, first_name="Ørjan", last_name="García-López")
    entry = SearchEntry.objects.get(resource=Person.RESOURCE, object_id=person.pk)
    assert entry.name == "orjan garcia lopez"
    assert search.folded_name("  Ève   d'Arc ") == "eve d arc"


def test_the_migration_fills_the_names_of_older_entries(
    rep_north: User, person_factory: Any
) -> None:
    people = [person_factory(rep_north, first_name="Zoë", last_name=f"Old{i}") for i in range(3)]
    SearchEntry.objects.update(name="")
    migration = importlib.import_module("clientela.core.migrations.0006_fill_search_entry_names")
    migration.fill(apps, SimpleNamespace(connection=connection))
    names = dict(SearchEntry.objects.values_list("object_id", "name"))
    assert [names[p.pk] for p in people] == [f"zoe old{i}" for i in range(3)]
