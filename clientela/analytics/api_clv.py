"""``GET /analytics/clv``: lifetime value and churn (issue 13, items 6 and 11), from the
current snapshot or one computed as of a past day (a backtest). Reads go through
``analytics.selectors_clv`` (a user's rows are those of the customers they may see);
lists page with the same signed cursor as ``/analytics/rfm``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from clientela.analytics import lifetime, selectors_clv
from clientela.analytics.api import READ, ListParams, _after, _cursor, _date, _unknown
from clientela.analytics.models import ClvRow
from clientela.contacts.models import Organization, Person
from clientela.core.api import api_user, error_responses, require_scope
from clientela.core.api.schemas import MAX_ID, OutputSchema
from clientela.core.errors import NotFound

router = Router(tags=["analytics"])


class ClvParams(ListParams):
    as_of: str | None = Field(
        None,
        max_length=20,
        description="YYYY-MM-DD: the snapshot computed as of that day (a backtest). "
        "Default: the current one.",
        json_schema_extra={"format": "date"},
    )
    at_risk: bool = Field(False, description="Only the valuable customers at risk.")
    below: float | None = Field(
        None, gt=0, le=1, description="At risk below this chance to be active (default 0.5)."
    )
    top: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Valuable: among the top `top` % of customers by revenue (default 20).",
    )
    person_id: int | None = Field(None, ge=1, le=MAX_ID, description="One person's row.")
    organization_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="One organization's row."
    )


class ClvItemOut(OutputSchema):
    person_id: int | None
    organization_id: int | None
    name: str
    frequency: int
    recency: float
    T: float
    monetary: str
    revenue: str
    p_alive: float
    expected_purchases_90d: float
    expected_revenue_12m: str
    at_risk: bool


class ClvOut(OutputSchema):
    items: list[ClvItemOut]
    next_cursor: str | None
    #: r, alpha, a, b, p, q, v, time_unit, log_likelihood, customers, penalty.
    model: lifetime.Model | None
    currency: str
    as_of: datetime.datetime | None
    at_risk_below: float
    valuable_top_percent: int


def _customer_filter(user: Any, params: ClvParams) -> dict[str, int]:
    """The one customer asked for; ``NotFound`` unless ``user`` may see them."""
    for key, model in (("person_id", Person), ("organization_id", Organization)):
        pk = getattr(params, key)
        if pk is not None:
            if not model.objects.alive().visible_to(user).filter(pk=pk).exists():
                raise NotFound
            return {key: pk}
    return {}


def _item(row: ClvRow, risk: selectors_clv.AtRisk, customers: int) -> ClvItemOut:
    return ClvItemOut(
        person_id=row.person_id,
        organization_id=row.organization_id,
        name=row.name,
        frequency=row.frequency,
        recency=round(row.recency, 4),
        T=round(row.age, 4),
        monetary=str(row.monetary),
        revenue=str(row.revenue),
        p_alive=round(row.p_alive, 6),
        expected_purchases_90d=round(row.expected_purchases_90d, 6),
        expected_revenue_12m=str(row.expected_revenue_12m),
        at_risk=row.p_alive < risk.below and row.value_rank <= risk.last_rank(customers),
    )


@router.get(
    "/analytics/clv",
    response={200: ClvOut, **error_responses(401, 403, 404, 422)},
    description="Lifetime value and churn: the fitted BG/NBD (`r`, `alpha`, `a`, `b`) "
    "and Gamma-Gamma (`p`, `q`, `v`) models, and for every visible customer the chance "
    "to be still active (`p_alive`), the expected purchases in the next 90 days and the "
    "expected revenue in the next 12 months (base currency), most valuable first. "
    "`at_risk=true` lists the valuable customers (top `top` % by revenue to date) whose "
    "`p_alive` is below `below`, by revenue. `as_of` reads the snapshot computed as of "
    "that day; when there is none, 404: compute it first with `POST "
    '/analytics/refresh` and `{"kinds": ["clv"], "as_of": "YYYY-MM-DD"}`, then poll the '
    "job.",
)
@require_scope(READ)
def get_clv(request: HttpRequest, params: Query[ClvParams]) -> Any:
    known = {"as_of", "at_risk", "below", "top", "person_id", "organization_id"}
    errors = _unknown(request, known | {"limit", "cursor"})
    day = _date(params.as_of, "as_of", errors)
    if errors:
        raise ValidationError(errors)
    user = api_user(request)
    one = _customer_filter(user, params)
    snapshot = selectors_clv.snapshot_as_of(day)
    if snapshot is None and day is not None:
        raise NotFound(
            _(
                "There is no lifetime-value snapshot as of %(day)s. Compute it with POST "
                '/api/v1/analytics/refresh and {"kinds": ["clv"], "as_of": "%(day)s"}, '
                "then poll the job until it is done."
            )
            % {"day": day.isoformat()}
        )
    stored = selectors_clv.at_risk_of(snapshot)
    risk = selectors_clv.AtRisk(
        below=params.below if params.below is not None else stored.below,
        top_percent=params.top if params.top is not None else stored.top_percent,
    )
    model = lifetime.Model.of(snapshot)
    customers = model.customers if model else 0
    rows_qs = selectors_clv.clv_rows(
        user, snapshot, at_risk=risk if params.at_risk else None
    ).filter(**one)
    after = _after(params.cursor)
    rows = list(rows_qs[after : after + params.limit + 1])
    more = len(rows) > params.limit
    return ClvOut(
        items=[_item(row, risk, customers) for row in rows[: params.limit]],
        next_cursor=_cursor(after + params.limit) if more else None,
        model=model,
        currency=snapshot.parameters.get("base_currency", "") if snapshot else "",
        as_of=snapshot.as_of if snapshot else None,
        at_risk_below=risk.below,
        valuable_top_percent=risk.top_percent,
    )
