"""``/analytics/…``: the ABC analysis, the RFM segments and refreshing them (issue 13,
item 11). Reads go through ``analytics.selectors`` (scoped: a user's figures count only
what they may see), writes through ``analytics.services``. Lists page with an opaque
cursor like every other list (the rank or the position of the last row, signed)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, Literal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clientela.analytics import rules, selectors, services
from clientela.analytics.choices import AnalysisKind, Segment
from clientela.analytics.models import Snapshot
from clientela.core.api import api_user, error_responses, require_scope
from clientela.core.api.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from clientela.core.api.schemas import InputSchema, OutputSchema
from clientela.core.errors import NotFound

router = Router(tags=["analytics"])

READ = "analytics:read"
WRITE = "analytics:write"
_SALT = "clientela.analytics.cursor"
_DATE: dict[str, Any] = {"format": "date"}


class ListParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page.")
    cursor: str | None = Field(None, max_length=2000, pattern=CURSOR_PATTERN)


class PeriodParams(Schema):
    date_from: str | None = Field(
        None, alias="from", max_length=20, description="YYYY-MM-DD", json_schema_extra=_DATE
    )
    date_to: str | None = Field(
        None,
        alias="to",
        max_length=20,
        description="YYYY-MM-DD, included.",
        json_schema_extra=_DATE,
    )


class AbcParams(ListParams, PeriodParams):
    kind: Literal["customers", "products"] = "customers"
    a: int | None = Field(None, description="Class A threshold in percent (default 80).")
    b: int | None = Field(None, description="Class B threshold in percent (default 15).")
    c: int | None = Field(None, description="Class C threshold in percent (default 5).")


class AbcItemOut(OutputSchema):
    id: int
    name: str
    revenue: str
    share: float
    cumulative_share: float
    class_: str = Field(..., serialization_alias="class")


class AbcOut(OutputSchema):
    items: list[AbcItemOut]
    next_cursor: str | None
    kind: str
    currency: str
    from_: datetime.date | None = Field(..., serialization_alias="from")
    to: datetime.date | None
    as_of: datetime.datetime | None
    thresholds: dict[str, int]
    missing_rates: list[str]


class RfmParams(ListParams):
    segment: Segment | None = None


class RfmItemOut(OutputSchema):
    person_id: int | None
    organization_id: int | None
    name: str
    recency_days: int
    frequency: int
    monetary: str
    r: int
    f: int
    m: int
    segment: str


class RfmOut(OutputSchema):
    items: list[RfmItemOut]
    next_cursor: str | None
    currency: str
    as_of: datetime.datetime | None


class RefreshIn(InputSchema):
    kinds: list[AnalysisKind] | None = Field(None, description="Default: every analysis.")
    as_of: datetime.date | None = Field(
        None,
        description="Compute as of the end of this day, ignoring later orders (a backtest; "
        "at most ten years ago, not in the future). Default: now. Lifetime value keeps one "
        "snapshot per as-of day (read it with `GET /analytics/clv?as_of=`); the other "
        "analyses keep only the newest.",
    )
    a: int | None = None
    b: int | None = None
    c: int | None = None
    min_support: float | None = Field(
        None, description="Basket rules: the lowest share of baskets of a rule (0 < s ≤ 1)."
    )
    min_confidence: float | None = Field(
        None, description="Basket rules: the lowest confidence of a rule (0 < c ≤ 1)."
    )
    max_length: int | None = Field(
        None, description="Basket rules: the most products in a rule (2 to 8)."
    )


class JobOut(OutputSchema):
    id: int
    kind: str
    status: str
    progress: int
    error: str
    as_of: datetime.datetime
    finished_at: datetime.datetime | None
    url: str


class RefreshOut(OutputSchema):
    jobs: list[JobOut]


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": [_("This cursor is not valid.")]}) from None
    return int(value)


def _cursor(position: int) -> str:
    return signing.dumps(position, salt=_SALT)


def _page(
    rows: Sequence[Any] | QuerySet[Any], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """At most ``limit`` of ``rows`` (a list or a queryset) from the position in
    ``cursor``, and the cursor of the next page (None: this is the last)."""
    after = _after(cursor)
    page = list(rows[after : after + limit + 1])
    return page[:limit], _cursor(after + limit) if len(page) > limit else None


def _unknown(request: HttpRequest, known: set[str]) -> dict[str, list[str]]:
    return {name: [_("Unknown field.")] for name in sorted(set(request.GET) - known)}


def _date(raw: str | None, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if raw is None or not raw.strip():
        return None
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


@router.get(
    "/analytics/abc",
    response={200: AbcOut, **error_responses(401, 403, 422)},
    by_alias=True,
    description="The ABC analysis of customers or products by revenue (net, in the base "
    "currency) over a period: without `from`/`to`, the latest snapshot's (the last 12 "
    "months up to its as-of day); with them, computed now. Classes by the thresholds "
    "`a`/`b`/`c` (default 80/15/5, they must add up to 100). Counts only the orders and "
    "customers the token's user may see.",
)
@require_scope(READ)
def get_abc(request: HttpRequest, params: Query[AbcParams]) -> Any:
    errors = _unknown(request, {"kind", "from", "to", "a", "b", "c", "limit", "cursor"})
    start = _date(params.date_from, "from", errors)
    end = _date(params.date_to, "to", errors)
    if errors:
        raise ValidationError(errors)
    thresholds = None
    if params.a is not None or params.b is not None or params.c is not None:
        thresholds = services.clean_thresholds(params.a, params.b, params.c)
    period = services.clean_period(start, end) if start or end else None
    user = api_user(request)
    result = selectors.abc(user, params.kind, period, thresholds)
    after = _after(params.cursor)
    rows = result.page(after, params.limit + 1)
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return AbcOut(
        items=[
            AbcItemOut(
                id=row.id or 0,
                name=row.name,
                revenue=str(row.revenue),
                share=round(row.share, 6),
                cumulative_share=round(row.cumulative_share, 6),
                class_=row.abc_class,
            )
            for row in rows
        ],
        next_cursor=_cursor(rows[-1].rank) if more and rows else None,
        kind=params.kind,
        currency=result.base_currency,
        from_=result.period.start if result.period else None,
        to=result.period.end if result.period else None,
        as_of=result.snapshot.as_of if result.snapshot else None,
        thresholds=result.thresholds.as_dict(),
        missing_rates=result.missing_rates,
    )


@router.get(
    "/analytics/rfm",
    response={200: RfmOut, **error_responses(401, 403, 422)},
    description="Every visible customer's recency (days), frequency (orders), monetary "
    "value (net revenue in the base currency), their 1–5 scores and RFM segment, from "
    "the latest snapshot, most valuable first; `segment` filters.",
)
@require_scope(READ)
def get_rfm(request: HttpRequest, params: Query[RfmParams]) -> Any:
    errors = _unknown(request, {"segment", "limit", "cursor"})
    if errors:
        raise ValidationError(errors)
    user = api_user(request)
    rows, next_cursor = _page(selectors.rfm_rows(user, params.segment), params.cursor, params.limit)
    snapshot = selectors.current(AnalysisKind.RFM)
    items = [
        RfmItemOut(
            person_id=row.person_id,
            organization_id=row.organization_id,
            name=row.name,
            recency_days=row.recency_days,
            frequency=row.frequency,
            monetary=str(row.monetary),
            r=row.r,
            f=row.f,
            m=row.m,
            segment=row.segment,
        )
        for row in rows
    ]
    return RfmOut(
        items=items,
        next_cursor=next_cursor,
        currency=snapshot.parameters.get("base_currency", "") if snapshot else "",
        as_of=snapshot.as_of if snapshot else None,
    )


def _job(snapshot: Snapshot) -> JobOut:
    return JobOut(
        id=snapshot.pk,
        kind=snapshot.kind,
        status=snapshot.status,
        progress=snapshot.progress,
        error=snapshot.error,
        as_of=snapshot.as_of,
        finished_at=snapshot.finished_at,
        url=f"/api/v1/analytics/jobs/{snapshot.pk}",
    )


@router.post(
    "/analytics/refresh",
    response={202: RefreshOut, **error_responses(400, 401, 403, 422)},
    description="Compute the analyses again (by default every one, as of today) in the "
    "background; `a`/`b`/`c` are the ABC thresholds, `min_support`/`min_confidence`/"
    "`max_length` the basket rules' (kept by later refreshes until changed). Answers 202 "
    " with a job per analysis; poll each job's `url` until its "
    "`status` is `done` or `failed` (the previous figures stay until then, and for good "
    "after a failure, whose reason is in `error`).",
)
@require_scope(WRITE)
def post_refresh(request: HttpRequest, body: RefreshIn | None = None) -> Any:
    body = body or RefreshIn(
        kinds=None, as_of=None, min_support=None, min_confidence=None, max_length=None
    )
    thresholds = services.clean_thresholds(body.a, body.b, body.c)
    parameters: dict[str, dict[str, Any]] = {AnalysisKind.ABC: {"thresholds": thresholds.as_dict()}}
    chosen = rules.clean_parameters(body.min_support, body.min_confidence, body.max_length)
    if chosen is not None:
        parameters[AnalysisKind.BASKET_RULES] = chosen
    snapshots = services.refresh(
        api_user(request),
        kinds=body.kinds,
        as_of=services.clean_as_of(body.as_of),
        parameters=parameters,
    )
    return Status(202, RefreshOut(jobs=[_job(s) for s in snapshots]))


@router.get(
    "/analytics/jobs/{job_id}",
    response={200: JobOut, **error_responses(401, 403, 404)},
    description="A refresh job: its status, progress (percent) and error.",
)
@require_scope(READ)
def get_job(request: HttpRequest, job_id: int) -> Any:
    snapshot = selectors.snapshot_get(api_user(request), job_id)
    if snapshot is None:
        raise NotFound
    return _job(snapshot)


# Each analysis' own endpoints, in a module of its own (imported last: they use the
# helpers above).
from clientela.analytics.api_cycles import router as cycles_router  # noqa: E402

router.add_router("", cycles_router)

from clientela.analytics.api_offers import offers_router  # noqa: E402 - needs this module's helpers

router.add_router("", offers_router)

from clientela.analytics.api_clv import router as clv_router  # noqa: E402

router.add_router("", clv_router)

from clientela.analytics.api_rules import router as rules_router  # noqa: E402

router.add_router("", rules_router)
