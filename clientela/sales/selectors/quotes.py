"""Every read of quotes, scoped to what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.core.filters import clean_sort, sort_columns
from clientela.core.selectors import record_get
from clientela.sales.choices import QuoteStatus
from clientela.sales.filters import DEFAULT_QUOTE_SORT, QUOTE_SORTS
from clientela.sales.models import Quote


def quotes_for(user: Any) -> QuerySet[Quote]:
    """The live quotes ``user`` may see."""
    return Quote.objects.alive().visible_to(user)


def quote_sort(value: str | None) -> str:
    return clean_sort(value, QUOTE_SORTS, DEFAULT_QUOTE_SORT)


def quote_list(
    *,
    user: Any,
    status: str | None = None,
    person_id: int | None = None,
    organization_id: int | None = None,
    deal_id: int | None = None,
    sort: str = DEFAULT_QUOTE_SORT,
) -> QuerySet[Quote]:
    qs = quotes_for(user)
    if status:
        qs = qs.filter(status=status) if status in QuoteStatus.values else qs.none()
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if deal_id is not None:
        qs = qs.filter(deal_id=deal_id)
    joined = qs.select_related("person", "organization", "owner")
    return joined.order_by(*sort_columns(QUOTE_SORTS, quote_sort(sort)))


def quote_get(*, user: Any, pk: Any) -> Quote:
    """One visible quote with its customer, deal and lines; ``NotFound`` otherwise."""
    joined = Quote.objects.select_related(
        "person", "organization", "deal", "owner", "team", "previous"
    ).prefetch_related("lines__product")
    return record_get(Quote, user=user, pk=pk, queryset=joined)


def quote_revisions(*, user: Any, quote: Quote) -> QuerySet[Quote]:
    """Every visible revision of the quote's number, newest first."""
    return quotes_for(user).filter(number=quote.number).order_by("-revision")


def quote_is_latest(quote: Quote) -> bool:
    return not Quote.objects.filter(previous=quote).exists()
