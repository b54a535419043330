"""``/pipelines`` (read only: pipelines are configured on the settings page),
``/deals/{id}/move``, and what ``core.api.records`` needs to serve ``/deals`` (list,
create, read, change, delete) from the kind's declaration in ``sales.kinds``.

Thin like ``activities.api``: reads only through ``sales.selectors`` (a deal the user
may not see is a 404), writes only through ``sales.services`` (so a stage of another
pipeline, a status that disagrees with the stage, a negative amount or too many
decimals are refused with 422 naming the field, as on the pages).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router
from pydantic import BeforeValidator

from clientela.core.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    Version,
    api_user,
    expected_version,
    require_scope,
    set_etag,
)
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import InputSchema, IsoDate, OutputSchema, RecordId
from clientela.sales import money
from clientela.sales.api.catalogue import CurrencyCode
from clientela.sales.choices import DealStatus
from clientela.sales.filters import DealFilters
from clientela.sales.models import Deal, Pipeline
from clientela.sales.selectors import deals as selectors
from clientela.sales.selectors import pipelines as pipeline_selectors
from clientela.sales.services import deals as services

router = Router(tags=["deals"])

READ, WRITE = "sales:read", "sales:write"


def _no_float(value: Any) -> Any:
    """Amounts are decimal strings: a JSON number with a fraction would arrive as a
    float, which is not exact."""
    if isinstance(value, float):
        raise ValueError(_('Send the amount as a decimal string such as "108.90".'))
    return value


#: A money amount: a decimal string ("108.90") or a whole number.
Amount = Annotated[str | int, BeforeValidator(_no_float)]


# --- schemas ----------------------------------------------------------------------------


class StageOut(OutputSchema):
    id: int
    name: str
    position: int
    probability: int = Field(description="Percent a deal takes when it enters the stage.")
    is_won: bool
    is_lost: bool


class PipelineOut(OutputSchema):
    id: int
    name: str
    position: int
    is_active: bool
    stages: list[StageOut]


class DealIn(InputSchema):
    title: str | None = Field(None, max_length=200)
    pipeline_id: RecordId | None = Field(None, description="Defaults to the first active one.")
    stage_id: RecordId | None = Field(
        None, description="A stage of the pipeline; defaults to its first open stage."
    )
    status: DealStatus | None = Field(
        None, description="Optional; must agree with the stage (won/lost stages close deals)."
    )
    amount: Amount | None = Field(None, description='A decimal string, e.g. "1500.00".')
    currency: CurrencyCode | None = Field(
        None, description="ISO 4217; defaults to the base currency."
    )
    probability: int | None = Field(
        None, ge=0, le=100, description="Percent; defaults to the stage's."
    )
    close_date: IsoDate | None = None
    organization_id: RecordId | None = None
    person_ids: Annotated[list[RecordId], Field(max_length=100)] | None = None
    owner_id: RecordId | None = Field(None, description="A user id; defaults to you.")
    next_step: str | None = Field(None, max_length=200)
    lost_reason: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=10000)


class DealPatch(DealIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class DealMoveIn(InputSchema):
    stage_id: RecordId
    lost_reason: str | None = Field(None, max_length=200)
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class DealOut(OutputSchema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    status: str
    amount: str = Field(description="A decimal string with the currency's decimals.")
    currency: str
    probability: int
    close_date: datetime.date | None
    organization_id: int | None
    person_ids: list[int]
    owner_id: int
    next_step: str
    lost_reason: str
    notes: str
    stage_entered_at: datetime.datetime
    closed_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class DealListParams(PageParams):
    pipeline_id: RecordId | None = None
    stage_id: RecordId | None = None
    status: DealStatus | None = None
    owner_id: RecordId | None = None
    organization_id: RecordId | None = None
    person_id: RecordId | None = None


def pipeline_out(pipeline: Pipeline) -> PipelineOut:
    return PipelineOut(
        id=pipeline.pk,
        name=pipeline.name,
        position=pipeline.position,
        is_active=pipeline.is_active,
        stages=[
            StageOut(
                id=s.pk,
                name=s.name,
                position=s.position,
                probability=s.probability,
                is_won=s.is_won,
                is_lost=s.is_lost,
            )
            for s in pipeline.stages.all()
        ],
    )


def deal_out(deal: Deal) -> DealOut:
    return DealOut(
        id=deal.pk,
        title=deal.title,
        pipeline_id=deal.pipeline_id,
        stage_id=deal.stage_id,
        status=deal.status,
        amount=money.money_str(deal.amount, deal.currency) or "0",
        currency=deal.currency,
        probability=deal.probability,
        close_date=deal.close_date,
        organization_id=deal.organization_id,
        person_ids=sorted(p.pk for p in deal.people.all()),
        owner_id=deal.owner_id,
        next_step=deal.next_step,
        lost_reason=deal.lost_reason,
        notes=deal.notes,
        stage_entered_at=deal.stage_entered_at,
        closed_at=deal.closed_at,
        version=deal.version,
        created_at=deal.created_at,
        updated_at=deal.updated_at,
    )


def deal_data(payload: Any) -> services.DealData:
    data: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    if data.get("status") is not None:
        data["status"] = str(data["status"])
    if isinstance(data.get("amount"), int):
        data["amount"] = str(data["amount"])
    return cast(services.DealData, data)


def _deal(request: HttpRequest, deal_id: int) -> Deal:
    return selectors.deal_get(user=api_user(request), pk=deal_id)


def deals_query(request: HttpRequest, params: DealListParams) -> QuerySet[Deal]:
    filters = DealFilters(
        pipeline=params.pipeline_id,
        stage=params.stage_id,
        status=str(params.status) if params.status else "",
        owner=params.owner_id,
        organization=params.organization_id,
        person=params.person_id,
    )
    return selectors.deal_list(user=api_user(request), filters=filters).prefetch_related("people")


#: The descriptions of the generic operations in the OpenAPI document.
DEAL_DOCS = {
    "list": "Most recently changed first. Filter by `pipeline_id`, `stage_id`, "
    "`status`, `owner_id`, `organization_id` and `person_id`.",
    "update": "Send only the fields to change; `person_ids` replaces the whole list; a "
    "new\n`stage_id` moves the deal (recorded in its stage history).",
}


# --- pipelines --------------------------------------------------------------------------


@router.get(
    "/pipelines",
    response={200: list[PipelineOut], **LIST_ERRORS},
    tags=["pipelines"],
    description="Every pipeline by position, with its stages in order.",
)
@require_scope(READ)
def list_pipelines(request: HttpRequest) -> Any:
    return [pipeline_out(p) for p in pipeline_selectors.pipeline_list()]


@router.get(
    "/pipelines/{pipeline_id}",
    response={200: PipelineOut, **DETAIL_ERRORS},
    tags=["pipelines"],
)
@require_scope(READ)
def get_pipeline(request: HttpRequest, pipeline_id: RecordId) -> PipelineOut:
    return pipeline_out(pipeline_selectors.pipeline_get(pk=pipeline_id))


# --- deals ------------------------------------------------------------------------------


@router.post("/deals/{deal_id}/move", response={200: DealOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def move_deal(
    request: HttpRequest, deal_id: RecordId, payload: DealMoveIn, response: HttpResponse
) -> DealOut:
    """Move the deal to another stage of its pipeline: the won stage closes it as won
    (probability 100), a lost stage as lost (with the optional `lost_reason`), an open
    stage reopens it; the probability becomes the stage's."""
    version = expected_version(request, payload.version)
    deal = _deal(request, deal_id)
    services.deal_move(
        actor=api_user(request),
        deal=deal,
        stage_id=payload.stage_id,
        expected_version=version,
        lost_reason=payload.lost_reason,
    )
    fresh = _deal(request, deal_id)
    set_etag(response, fresh.version)
    return deal_out(fresh)
