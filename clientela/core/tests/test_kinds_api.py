"""Every registered kind's REST API and pages, whatever the kind: the CRUD round trip
with ETag and If-Match where its declaration has the services, bad ids and bodies
answered with 404 or 422 (never a 500), and list page and API list queries that do not
grow with the rows (``core.testing.records``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from clientela.core.testing.kinds import KindFactory, kind_factories, kinds_without_factory
from clientela.core.testing.matrix import api_for, api_url, browser, page_url
from clientela.core.testing.records import (
    GARBAGE_BODIES,
    MALFORMED_IDS,
    UNKNOWN_ID,
    count_queries,
    ids,
    kinds_with,
    list_calls,
    versioned,
)

pytestmark = pytest.mark.django_db

ALL = list(kind_factories().values())
CREATE, UPDATE, TRASH = kinds_with("create"), kinds_with("update"), kinds_with("trash")


def test_every_kind_has_test_data() -> None:
    """A new kind gets its tests by registering a factory in its app's
    ``tests/factories.py``; one without is a kind without tests."""
    assert kinds_without_factory() == []


def test_every_factory_fits_its_kind() -> None:
    for factory in ALL:
        kind = factory.kind
        assert (factory.api_body is not None) == (kind.create is not None), kind.resource
        assert bool(factory.change) == (kind.update is not None), kind.resource
        assert bool(factory.managers) == (not kind.rights and not factory.personal), kind.resource
        assert not (factory.personal and kind.rights), kind.resource
        assert not factory.personal or factory.owner_key is None, kind.resource


# --- create, read, update, delete -----------------------------------------------------


@pytest.mark.parametrize("factory", CREATE, ids=ids(CREATE))
def test_api_create(factory: KindFactory, admin: Any) -> None:
    kind = factory.kind
    response = api_for(kind, admin).post(api_url(kind), factory.body(admin))
    assert response.status_code == 201, response.content
    record = kind.get(user=admin, pk=response.json()["id"])
    if versioned(kind):
        assert response["ETag"] == '"1"'
        assert record.version == 1


@pytest.mark.parametrize("factory", ALL, ids=ids(ALL))
def test_api_get(factory: KindFactory, admin: Any) -> None:
    kind = factory.kind
    record = factory.make_owned(admin)
    response = api_for(kind, admin).get(api_url(kind, record.pk))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == record.pk
    if versioned(kind):
        assert response["ETag"] == f'"{record.version}"'


@pytest.mark.parametrize("factory", UPDATE, ids=ids(UPDATE))
def test_api_update_honours_if_match(factory: KindFactory, admin: Any) -> None:
    kind = factory.kind
    record = factory.make_owned(admin)
    api, url = api_for(kind, admin), api_url(kind, record.pk)
    if not versioned(kind):
        assert api.patch(url, factory.change).status_code == 200
        return
    changed = api.patch(url, factory.change, HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] == '"2"'
    stale = api.patch(url, factory.change, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412, stale.content
    record.refresh_from_db()
    assert record.version == 2


@pytest.mark.parametrize("factory", TRASH, ids=ids(TRASH))
def test_api_delete_honours_if_match(factory: KindFactory, admin: Any) -> None:
    kind = factory.kind
    record = factory.make_owned(admin)
    api, url = api_for(kind, admin), api_url(kind, record.pk)
    if versioned(kind):
        assert api.delete(url, HTTP_IF_MATCH='"7"').status_code == 412
    # A record without a version (the catalogue) has no ETag to match: deleted anyway.
    deleted = api.delete(url, HTTP_IF_MATCH=f'"{getattr(record, "version", 7)}"')
    assert deleted.status_code == 204, deleted.content
    assert api.get(url).status_code == 404
    if not hasattr(record, "deleted_at"):
        # A kind without a trash (the service desk's settings) deletes for good.
        assert not kind.model._default_manager.filter(pk=record.pk).exists()
        return
    record.refresh_from_db()
    assert record.deleted_at is not None


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("factory", ALL, ids=ids(ALL))
def test_bad_ids_are_404_or_422_never_500(factory: KindFactory, admin: Any) -> None:
    """An unknown id is not found; one that is no id at all (zero, negative, not a
    number, past the largest) is refused by the API's path schema with 422 naming it,
    as the API has always answered, and is not found on the pages."""
    kind = factory.kind
    api, client = api_for(kind, admin), browser(admin)
    calls: dict[str, Callable[[str], Any]] = {"get": lambda url: api.get(url)}
    if kind.update is not None:
        calls["patch"] = lambda url: api.patch(url, factory.change)
    if kind.trash is not None:
        calls["delete"] = lambda url: api.delete(url)
    for bad in (UNKNOWN_ID, *MALFORMED_IDS):
        for method, call in calls.items():
            response = call(api_url(kind, bad))
            expected = 404 if bad == UNKNOWN_ID else 422
            assert response.status_code == expected, (method, bad, response.content)
            assert response.json()["detail"]
    record = factory.make_owned(admin)
    for action in ("detail", "edit", "delete"):
        url = page_url(kind, action, record.pk)
        if url is None:
            continue
        for bad in (UNKNOWN_ID, *MALFORMED_IDS):
            bad_url = url.replace(f"/{record.pk}/", f"/{bad}/")
            # Delete pages may take POST only (an answer before the id is looked at).
            response = client.post(bad_url) if action == "delete" else client.get(bad_url)
            assert response.status_code == 404, (bad_url, response.status_code)


@pytest.mark.parametrize("factory", CREATE, ids=ids(CREATE))
def test_bad_bodies_are_refused_naming_the_field(factory: KindFactory, admin: Any) -> None:
    kind = factory.kind
    api = api_for(kind, admin)
    before = kind.model._default_manager.count()
    empty = api.post(api_url(kind), {})
    assert empty.status_code == 422, empty.content
    assert factory.required_field in {e["field"] for e in empty.json()["errors"]}
    for garbage in ("", *GARBAGE_BODIES):
        response = api.post(api_url(kind), garbage)
        assert response.status_code in (400, 422), (garbage, response.content)
        assert response.json()["errors"] or response.json()["detail"]
    assert kind.model._default_manager.count() == before
    if kind.update is not None:
        record = factory.make_owned(admin)
        for garbage in GARBAGE_BODIES:
            response = api.patch(api_url(kind, record.pk), garbage)
            assert response.status_code in (400, 422), (garbage, response.content)


# --- query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("factory", ALL, ids=ids(ALL))
def test_lists_cost_the_same_queries_for_3_and_13_rows(
    factory: KindFactory, admin: Any, rep_north: Any, rep_south: Any
) -> None:
    owners = [admin, rep_north, rep_south]
    calls = list_calls(factory, admin)
    for call in calls.values():
        call()  # caches (rights, settings, content types) warm
    for n in range(3):
        factory.make_owned(owners[n % 3])
    few = {name: count_queries(call) for name, call in calls.items()}
    for n in range(10):
        factory.make_owned(owners[n % 3])
    many = {name: count_queries(call) for name, call in calls.items()}
    assert many == few
