"""``GET /analytics/offers``: quote conversion and time to acceptance by rep, product or
month, and the value funnel draft → sent → accepted (issue 13, item 8), computed now
over the quotes the token's user may see (``analytics.offers``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router

from clientela.analytics import offers
from clientela.analytics.api import READ, PeriodParams, _date, _unknown
from clientela.analytics.choices import OfferGrouping
from clientela.core.api import api_user, error_responses, require_scope
from clientela.core.api.schemas import OutputSchema

offers_router = Router(tags=["analytics"])


class OffersParams(PeriodParams):
    by: OfferGrouping = OfferGrouping.REP


class OfferItemOut(OutputSchema):
    id: int | None = Field(..., description="The rep's user id or the product's id.")
    key: str = Field(..., description="`rep-<id>`, `product-<id>` or `YYYY-MM`.")
    name: str
    quotes: int
    sent: int
    accepted: int
    conversion_rate: float | None = Field(..., description="accepted / sent; null: none sent.")
    median_days_to_accept: float | None
    value_quoted: str
    value_sent: str
    value_accepted: str


class FunnelStepOut(OutputSchema):
    step: str = Field(..., description="`draft`, `sent` or `accepted`.")
    count: int
    value: str


class OffersOut(OutputSchema):
    items: list[OfferItemOut]
    funnel: list[FunnelStepOut]
    by: str
    currency: str
    from_: datetime.date | None = Field(..., serialization_alias="from")
    to: datetime.date
    missing_rates: list[str]


@offers_router.get(
    "/analytics/offers",
    response={200: OffersOut, **error_responses(401, 403, 422)},
    by_alias=True,
    description="Quotes dated in a period (default the last 12 months): per rep, product "
    "or month (`by`) how many were made, sent and accepted, the conversion rate (accepted "
    "/ sent), the median days from sending to acceptance and the net values in the base "
    "currency; and the value funnel draft → sent → accepted. Counts only the quotes the "
    "token's user may see.",
)
@require_scope(READ)
def get_offers(request: HttpRequest, params: Query[OffersParams]) -> Any:
    errors = _unknown(request, {"by", "from", "to"})
    start = _date(params.date_from, "from", errors)
    end = _date(params.date_to, "to", errors)
    if errors:
        raise ValidationError(errors)
    period = offers.period_of(start, end)
    result = offers.offers(api_user(request), by=params.by, period=period)
    return OffersOut(
        items=[
            OfferItemOut(
                id=row.id,
                key=row.key,
                name=row.name,
                quotes=row.quotes,
                sent=row.sent,
                accepted=row.accepted,
                conversion_rate=None if row.conversion is None else round(row.conversion, 6),
                median_days_to_accept=row.median_days,
                value_quoted=str(row.value_quoted),
                value_sent=str(row.value_sent),
                value_accepted=str(row.value_accepted),
            )
            for row in result.rows
        ],
        funnel=[
            FunnelStepOut(step=step.step, count=step.count, value=str(step.value))
            for step in result.funnel
        ],
        by=result.by,
        currency=result.base_currency,
        from_=result.period.start,
        to=result.period.end,
        missing_rates=result.missing_rates,
    )
