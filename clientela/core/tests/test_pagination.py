"""``core.pagination.WindowPaginator``: numbered pages without counting the whole
result, the same rows as Django's ``Paginator``, and a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.core.models import Tag
from clientela.core.pagination import WindowPaginator, page_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags() -> list[Tag]:
    # Names out of id order, so a page in name order is not a page in id order.
    Tag.objects.bulk_create(Tag(name=f"tag-{(i * 37) % 100:03d}") for i in range(100))
    return list(Tag.objects.order_by("name", "id"))


def names(page: Any) -> list[str]:
    return [t.name for t in page]


def test_pages_hold_the_same_rows_as_djangos_paginator(tags: list[Tag]) -> None:
    qs = Tag.objects.order_by("-name", "id")
    reference = Paginator(qs, 7)
    ours = WindowPaginator(qs, 7, lookahead_pages=2)
    for number in reference.page_range:
        assert names(ours.get_page(number)) == names(reference.page(number)), number


def test_a_short_list_is_counted_exactly(tags: list[Tag]) -> None:
    page = WindowPaginator(Tag.objects.filter(name__lt="tag-012"), 5).get_page(1)
    assert (page.paginator.count, page.paginator.count_is_exact) == (12, True)
    assert page.paginator.num_pages == 3
    assert (page.start_index(), page.end_index()) == (1, 5)
    assert page.has_next()
    assert not page.has_previous()
    assert page.page_links == [1, 2, 3]


def test_a_long_list_is_counted_only_as_far_as_the_lookahead(tags: list[Tag]) -> None:
    paginator = WindowPaginator(Tag.objects.order_by("name"), 5, lookahead_pages=3)
    page = paginator.get_page(2)
    # Pages 2–4 and one more row were read: at least 5 pages, 21 rows.
    assert (page.paginator.count, page.paginator.count_is_exact) == (21, False)
    assert page.paginator.num_pages == 5
    assert names(page) == [t.name for t in tags[5:10]]
    assert (page.start_index(), page.end_index()) == (6, 10)
    assert page.page_links == [1, 2, 3, 4]  # no last page: it is not known
    assert page.has_next()
    assert page.has_previous()


def test_near_the_end_the_count_is_exact_again(tags: list[Tag]) -> None:
    page = WindowPaginator(Tag.objects.order_by("name"), 5, lookahead_pages=3).get_page(18)
    assert (page.paginator.count, page.paginator.count_is_exact) == (100, True)
    assert page.paginator.num_pages == 20
    assert page.page_links == [1, None, 16, 17, 18, 19, 20]
    last = WindowPaginator(Tag.objects.order_by("name"), 5, lookahead_pages=3).get_page(20)
    assert not last.has_next()
    assert names(last) == [t.name for t in tags[95:]]


@pytest.mark.parametrize("asked", [999, "21", 21, "9" * 40, 2**70])
def test_a_page_past_the_end_shows_the_last_page(tags: list[Tag], asked: Any) -> None:
    page = WindowPaginator(Tag.objects.order_by("name"), 5).get_page(asked)
    assert page.number == 20
    assert names(page) == [t.name for t in tags[95:]]
    assert page.paginator.count_is_exact
    assert page.paginator.count == 100


@pytest.mark.parametrize("asked", [None, "", "junk", "0", "-3", "2.5", "1e3", [1]])
def test_anything_but_a_positive_whole_number_is_page_one(asked: Any) -> None:
    assert page_number(asked) == 1


def test_an_empty_list_has_one_empty_page(db: Any) -> None:
    for asked in (1, 7):
        page = WindowPaginator(Tag.objects.order_by("name"), 5).get_page(asked)
        assert (page.number, len(page), page.paginator.count) == (1, 0, 0)
        assert page.paginator.num_pages == 1
        assert page.paginator.count_is_exact
        assert (page.start_index(), page.end_index()) == (0, 0)
        assert not page.has_other_pages()


def test_queries_do_not_grow_with_page_size_and_relations_come_along(
    tags: list[Tag], admin: Any, person_factory: Any
) -> None:
    for i in range(12):
        person_factory(admin, last_name=f"P{i}", tags=[tags[i % 3].name, tags[3].name])
    qs = Tag.objects.filter(people__isnull=False).distinct().prefetch_related("people")

    def queries(per_page: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = WindowPaginator(qs.order_by("name"), per_page).get_page(1)
            people = [p.last_name for tag in page for p in tag.people.all()]
        assert people
        return len(ctx.captured_queries)

    assert queries(1) == queries(4) == 3  # window of ids, the rows, their people
