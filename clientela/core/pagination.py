"""Numbered pages for list screens that stay fast however many records match.

Django's ``Paginator`` counts the whole result to number the pages: at a million
records that ``COUNT(*)`` alone costs more than the page's budget, and it grows with
the data. ``WindowPaginator`` instead reads, from the requested page on, the ids of at
most ``lookahead_pages`` pages (one query), then loads only that page's rows with their
relations (the "deferred join": a deep ``OFFSET`` skips index entries, not whole rows
with their joins). So a page costs the same queries at any page size and its cost
does not grow with the number of matches, only with how deep the page is.

What it knows of the total is therefore exact near the end of a list and a lower bound
elsewhere ("page 500 of 510+"); ``count_is_exact`` tells which. The list pages then ask
for the exact count after the page has loaded (``COUNT_TARGET``, ``exact_count``), so
the list is as fast as before and its total follows. A page number past the
end shows the last page, as ``Paginator.get_page`` does; only then is the result
counted in full.

The interface mirrors Django's ``Page``/``Paginator`` where templates use them
(``number``, ``has_next``, ``start_index``, ``paginator.count``, ``paginator.num_pages``…),
so list templates work with either.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

#: How many pages past the current one a list looks ahead: the page links reach that far
#: and the total is exact whenever the list ends within it.
LOOKAHEAD_PAGES = 10
#: Page links shown on each side of the current page.
LINKS_AROUND = 2
_MAX_OFFSET = 2**62


def page_number(value: Any) -> int:
    """The page asked for in a query string; anything that is not a positive whole
    number is page 1 (as ``Paginator.get_page`` treats it)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


@dataclass(frozen=True)
class WindowPaginator(Generic[M]):
    """Pages of ``per_page`` rows of an ordered queryset (see the module docstring)."""

    object_list: QuerySet[M]
    per_page: int
    #: None: ``LOOKAHEAD_PAGES``.
    lookahead_pages: int | None = None

    @property
    def _lookahead(self) -> int:
        return LOOKAHEAD_PAGES if self.lookahead_pages is None else self.lookahead_pages

    def get_page(self, number: Any) -> WindowPage[M]:
        # A page number so large that its offset overflows the database's integers is
        # simply past the end.
        number = min(page_number(number), _MAX_OFFSET // self.per_page)
        ids = self._window(number)
        if not ids and number > 1:
            # Past the end (an old link, a shrunk result): show the last page.
            total = self.object_list.count()
            number = max(1, math.ceil(total / self.per_page))
            ids = self._window(number)
        offset = (number - 1) * self.per_page
        exact = len(ids) <= self.per_page * self._lookahead
        known = PageCount(
            count=offset + len(ids),
            count_is_exact=exact,
            num_pages=max(1, number - 1 + math.ceil(len(ids) / self.per_page)),
            per_page=self.per_page,
        )
        return WindowPage(
            object_list=self._rows(ids[: self.per_page]),
            number=number,
            paginator=known,
        )

    def _window(self, number: int) -> list[Any]:
        """Ids of the page and of up to ``lookahead_pages`` pages after it, plus one
        more row so a full window reveals that the list goes on."""
        offset = (number - 1) * self.per_page
        limit = self.per_page * self._lookahead + 1
        ids = self.object_list.prefetch_related(None).values_list("pk", flat=True)
        return list(ids[offset : offset + limit])

    def _rows(self, ids: Sequence[Any]) -> list[M]:
        """The rows of ``ids`` in that order, through the same queryset, so they carry
        its ``select_related``/``prefetch_related`` and its filters still hold."""
        if not ids:
            return []
        by_pk = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return [by_pk[pk] for pk in ids if pk in by_pk]


@dataclass(frozen=True)
class PageCount:
    """What a page knows of the whole list: the number of rows and pages, exact
    (``count_is_exact``) or at least that many."""

    count: int
    count_is_exact: bool
    num_pages: int
    per_page: int


@dataclass(frozen=True)
class WindowPage(Generic[M]):
    """One page; ``paginator`` holds the counts, as on Django's ``Page``."""

    object_list: list[M]
    number: int
    paginator: PageCount

    def __iter__(self) -> Iterator[M]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        """1-based position of the page's first row (0 on an empty list)."""
        if not self.object_list:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)

    @property
    def page_links(self) -> list[int | None]:
        """Page numbers to link, ``None`` where a gap is: the first page, the pages
        around this one, and the last page when it is known."""
        last = self.paginator.num_pages
        around = range(
            max(1, self.number - LINKS_AROUND), min(last, self.number + LINKS_AROUND) + 1
        )
        wanted = sorted({1, *around, *([last] if self.paginator.count_is_exact else [])})
        links: list[int | None] = []
        for number in wanted:
            if links and links[-1] is not None and number > links[-1] + 1:
                links.append(None)
            links.append(number)
        return links


#: The id of the list summary that fetches the exact count after the page (htmx sends
#: it as ``HX-Target``), and how long a count is kept (seconds).
COUNT_TARGET = "list-count"
COUNT_SECONDS = 60


def exact_count(queryset: QuerySet[Any], *, key: str) -> int:
    """``queryset.count()``, kept ``COUNT_SECONDS`` in this process's cache under
    ``key`` (a list's user, kind and filters): paging through a long list asks once."""
    cache_key = "list-count:" + hashlib.sha256(key.encode()).hexdigest()
    found = cache.get(cache_key)
    if found is None:
        found = queryset.count()
        cache.set(cache_key, found, COUNT_SECONDS)
    return int(found)


def counted(total: int, *, per_page: int) -> PageCount:
    """What a page knows once the whole list is counted."""
    return PageCount(
        count=total,
        count_is_exact=True,
        num_pages=max(1, math.ceil(total / per_page)),
        per_page=per_page,
    )
