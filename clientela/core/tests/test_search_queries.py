"""The header search runs one query for every searchable kind of record, whatever the
number of kinds registered, and still gives each kind its own share of the drop-down;
a kind that is not searchable (or has no page to link to) is never queried."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientela.core import search
from clientela.core.kinds import record_kinds
from clientela.core.models import User
from clientela.core.views.search import searched_kinds

pytestmark = pytest.mark.django_db

SEARCH = reverse("core:search")
HTMX = {"HTTP_HX_REQUEST": "true"}


def search_queries(captured: Any) -> list[str]:
    # SQLite matches through the FTS5 table, PostgreSQL through to_tsquery.
    return [q["sql"] for q in captured if search.FTS_TABLE in q["sql"] or "to_tsquery" in q["sql"]]


@pytest.fixture
def jolly(rep_north: User, person_factory: Any, organization_factory: Any) -> None:
    for i in range(10):
        person_factory(rep_north, first_name="Jolly", last_name=f"Person{i:02}")
    organization_factory(rep_north, name="Jolly Traders")
    # An entry of a kind the header search does not find (tasks have no detail page
    # of their own in the search): it must not even be asked for.
    search.index_record(
        resource="activities.task",
        object_id=1,
        owner_id=rep_north.pk,
        team_id=rep_north.team_id,
        title="Jolly task",
    )


def test_searched_kinds_are_the_searchable_ones_with_a_page() -> None:
    kinds = {k.resource for k in searched_kinds()}
    assert {"contacts.person", "contacts.organization", "sales.deal", "sales.lead"} <= kinds
    for kind in record_kinds():
        assert (kind.resource in kinds) == (kind.searchable and kind.has_detail_page)
    assert "activities.task" not in kinds
    assert "sales.product" not in kinds


def test_one_keystroke_is_one_search_query(
    client: Any, rep_north: User, jolly: None, django_assert_num_queries: Any
) -> None:
    client.force_login(rep_north)
    client.get(SEARCH, {"q": "j"}, **HTMX)  # the session, the user and their rights
    # What every page reads (the session, the user, their two-factor device, the site
    # settings, their role's stamp), then the one search, whatever the kinds registered.
    with django_assert_num_queries(6) as captured:
        response = client.get(SEARCH, {"q": "jol"}, **HTMX)
    (sql,) = search_queries(captured.captured_queries)
    html = response.content.decode()
    # Each kind its own share: ten people do not crowd the organization out.
    assert html.count("search-hit") == 8 + 1
    assert "Jolly Traders" in html
    assert "Jolly Person07" in html
    assert "Jolly Person08" not in html
    # The kind that is not searched gets no hits and is not in the query at all.
    assert "Jolly task" not in html
    assert "activities.task" not in sql
    assert "contacts.person" in sql


def test_the_full_page_is_one_search_query_too(client: Any, rep_north: User, jolly: None) -> None:
    client.force_login(rep_north)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(SEARCH, {"q": "jolly"}).content.decode()
    assert len(search_queries(captured.captured_queries)) == 1
    assert html.count("Jolly Person") == 10
    assert "Jolly task" not in html


def test_each_resource_gets_its_own_limit_and_window(
    rep_north: User, jolly: None, monkeypatch: Any
) -> None:
    resources = ["contacts.person", "contacts.organization"]
    found = search.search_by_resource(user=rep_north, query="jolly", resources=resources, limit=3)
    assert [e.title for e in found["contacts.person"]] == [
        "Jolly Person00",
        "Jolly Person01",
        "Jolly Person02",
    ]
    assert [e.title for e in found["contacts.organization"]] == ["Jolly Traders"]
    # As ``search``: a limit under the window sorts the first SORT_WINDOW matches.
    monkeypatch.setattr(search, "SORT_WINDOW", 5)
    for limit in (3, 8):
        by_kind = search.search_by_resource(
            user=rep_north, query="jolly", resources=resources, limit=limit
        )
        for resource in resources:
            alone = search.search(user=rep_north, query="jolly", resources=[resource], limit=limit)
            assert [e.pk for e in by_kind[resource]] == [e.pk for e in alone]


def test_nothing_to_search_is_no_query(rep_north: User, reader: User) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert search.search_by_resource(user=rep_north, query="  ", resources=["x"]) == {}
        assert search.search_by_resource(user=rep_north, query="a", resources=[]) == {}
    assert search_queries(captured.captured_queries) == []
