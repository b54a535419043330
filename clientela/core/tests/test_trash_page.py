"""The one trash at ``/trash/`` (``core.views.trash``): everyone's own, an admin's all,
paged newest first across kinds, searched by name, bulk restore and purge."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.contacts.models import Organization, Person
from clientela.contacts.services import (
    organization_create,
    organization_trash,
    person_create,
    person_trash,
)
from clientela.core.models import AuditEntry
from clientela.core.views import trash as trash_views
from clientela.sales.services.leads import lead_create, lead_trash

pytestmark = pytest.mark.django_db

TRASH = "/trash/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _trashed_person(actor: Any, first: str, last: str = "Trash") -> Person:
    person = person_create(actor=actor, data={"first_name": first, "last_name": last})
    person_trash(actor=actor, person=person)
    return person


def test_a_sales_rep_has_a_trash_of_their_own(rep_north: Any, rep_north2: Any) -> None:
    _trashed_person(rep_north, "Mine")
    _trashed_person(rep_north2, "Theirs")
    response = _client(rep_north).get(TRASH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine Trash" in html
    assert "Theirs Trash" not in html
    assert "Delete selected for good" not in html
    assert 'href="/trash/"' in _client(rep_north).get("/people/").content.decode()


def test_admin_sees_every_kind_newest_first_and_searches(admin: Any, rep_north: Any) -> None:
    _trashed_person(rep_north, "Older")
    lead = lead_create(actor=admin, data={"first_name": "Newer", "company": "Acme"})
    lead_trash(actor=admin, lead=lead)
    html = _client(admin).get(TRASH).content.decode()
    assert html.index("Newer") < html.index("Older Trash")
    assert "Lead" in html
    assert "Person" in html
    found = _client(admin).get(TRASH, {"q": "acme"}).content.decode()
    assert "Newer" in found
    assert "Older Trash" not in found
    people = _client(admin).get(TRASH, {"kind": "contacts.person"}).content.decode()
    assert "Older Trash" in people
    assert "Newer" not in people
    mine = _client(admin).get(TRASH, {"user": rep_north.pk}).content.decode()
    assert "Older Trash" in mine
    assert "Newer" not in mine


def test_pages_across_kinds(admin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trash_views, "PAGE_SIZE", 2)
    for name in ("Aa", "Bb", "Cc"):
        _trashed_person(admin, name)
    org = organization_create(actor=admin, data={"name": "Dd Org"})

    organization_trash(actor=admin, organization=org)
    first = _client(admin).get(TRASH).content.decode()
    second = _client(admin).get(TRASH, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    names = ("Aa Trash", "Bb Trash", "Cc Trash", "Dd Org")
    shown = [n for n in names if n in first]
    rest = [n for n in names if n in second]
    assert len(shown) == 2
    assert len(rest) == 2
    assert not set(shown) & set(rest)


def test_admin_bulk_restore(admin: Any, rep_north: Any) -> None:
    one, two = _trashed_person(rep_north, "One"), _trashed_person(rep_north, "Two")
    items = [f"contacts.person:{one.pk}", f"contacts.person:{two.pk}"]
    response = _client(admin).post(reverse("core:trash-restore"), {"items": items})
    assert response.status_code == 302
    assert Person.objects.filter(pk__in=[one.pk, two.pk], deleted_at__isnull=True).count() == 2


def test_bulk_restore_by_a_rep_takes_only_their_own(rep_north: Any, rep_north2: Any) -> None:
    mine, theirs = _trashed_person(rep_north, "Mine"), _trashed_person(rep_north2, "Theirs")
    items = [f"contacts.person:{mine.pk}", f"contacts.person:{theirs.pk}", "nope:1", "x"]
    _client(rep_north).post(reverse("core:trash-restore"), {"items": items})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.deleted_at is None
    assert theirs.deleted_at is not None


def test_purge_asks_first_then_deletes_for_good(admin: Any, rep_north: Any) -> None:
    person = _trashed_person(rep_north, "Gone")
    items = {"items": [f"contacts.person:{person.pk}"]}
    client = _client(admin)
    asked = client.post(reverse("core:trash-purge"), items)
    assert asked.status_code == 200
    assert "Gone Trash" in asked.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()
    done = client.post(reverse("core:trash-purge"), {**items, "confirm": "yes"})
    assert done.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.filter(object_id=person.pk, action="purge").exists()


def test_only_admins_purge(rep_north: Any) -> None:
    person = _trashed_person(rep_north, "Kept")
    items = {"items": [f"contacts.person:{person.pk}"], "confirm": "yes"}
    assert _client(rep_north).post(reverse("core:trash-purge"), items).status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()


def test_bad_filters_and_ids_never_fail(admin: Any) -> None:
    client = _client(admin)
    for params in ({"kind": "nope"}, {"user": "x"}, {"user": "9" * 30}, {"page": "zz"}):
        assert client.get(TRASH, params).status_code == 200
    assert client.post("/trash/nope/1/restore/").status_code == 404
    assert client.post(f"/trash/contacts.person/{2**63}/restore/").status_code == 404
    assert Organization.objects.count() == 0
