"""``/leads/{id}/convert``, and what ``core.api.records`` needs to serve ``/leads``
(list, create, retrieve, update, delete) from the kind's declaration in ``sales.kinds``.

Thin like ``contacts.api``: parse the input (the schemas below check types and
lengths), call ``sales.selectors.leads`` or ``sales.services.leads`` (which check
everything else, as on the pages), render. A lead the token's user may not see is a
404; a stale ``If-Match``/``version`` is a 412; a POST with an ``Idempotency-Key`` is
done once.
"""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Status

from clientela.core.api import (
    CHANGE_ERRORS,
    Version,
    api_user,
    expected_version,
    idempotent,
    require_scope,
)
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, RecordId, omissible
from clientela.sales.api.catalogue import CurrencyCode
from clientela.sales.choices import LeadSource, LeadStatus
from clientela.sales.filters import LeadFilters
from clientela.sales.models import Lead
from clientela.sales.selectors import leads as selectors
from clientela.sales.services import leads as services

router = Router(tags=["leads"])

READ, WRITE = "sales:read", "sales:write"


# --- schemas ----------------------------------------------------------------------------


class LeadIn(InputSchema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254, description="Stored in lower case.")
    phone: str | None = Field(
        None, max_length=50, description="Any common format; stored as E.164 (+34612345678)."
    )
    company: str | None = Field(None, max_length=200)
    job_title: str | None = Field(None, max_length=100)
    # Not nullable: leave them out for the defaults (null is refused).
    source: LeadSource = omissible()
    status: LeadStatus = omissible(
        "new, contacted, qualified or disqualified (with `disqualified_reason`); "
        "`converted` only through /leads/{id}/convert.",
    )
    disqualified_reason: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=10000)
    owner_id: RecordId | None = Field(None, description="Defaults to you.")


class LeadPatch(LeadIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class ConvertDealIn(InputSchema):
    title: str | None = Field(None, max_length=200, description="Defaults to the company.")
    amount: str | None = Field(None, max_length=30, description="A decimal string, e.g. 1500.00.")
    currency: CurrencyCode | None = Field(None, description="ISO 4217, e.g. EUR.")
    pipeline_id: RecordId | None = Field(None, description="Defaults to the first pipeline.")


class ConvertIn(InputSchema):
    person_id: RecordId | None = Field(
        None, description="Link this person; else the one with the lead's e-mail, else a new one."
    )
    organization_id: RecordId | None = Field(
        None,
        description="Link this organization; else the one named like the lead's company, "
        "else a new one (when the lead has a company).",
    )
    create_deal: Flag = False
    deal: ConvertDealIn | None = None


class ConvertOut(OutputSchema):
    person_id: int | None
    organization_id: int | None
    deal_id: int | None


class LeadOut(OutputSchema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    company: str
    job_title: str
    source: str
    status: str
    disqualified_reason: str
    notes: str
    score: int | None = Field(
        description="How likely the lead is to convert, 0–100, from the lead scoring of "
        "analytics (a model trained on past leads, or rules while there are fewer than 50 "
        "converted or disqualified leads); null until scored. Read-only."
    )
    score_reasons: list[str] = Field(
        description="The main reasons for the score, strongest first, in the company's "
        "language; each starts with + (raises it) or − (lowers it)."
    )
    owner_id: int
    version: int
    converted_person_id: int | None
    converted_organization_id: int | None
    converted_deal_id: int | None
    converted_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class LeadListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Name, company, e-mail or phone.")
    status: LeadStatus | None = None
    source: LeadSource | None = None
    owner: RecordId | None = Field(None, description="Owner's user id.")
    sort: str = Field(
        selectors.DEFAULT_SORT,
        pattern=r"^-?[a-z_]{1,30}$",
        description="Sort by "
        + ", ".join(f"`{key}`" for key in selectors.SORTS)
        + " (`-key` descends).",
    )


def lead_out(lead: Lead) -> LeadOut:
    return LeadOut(
        id=lead.pk,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        phone=lead.phone,
        company=lead.company,
        job_title=lead.job_title,
        source=lead.source,
        status=lead.status,
        disqualified_reason=lead.disqualified_reason,
        notes=lead.notes,
        score=lead.score,
        score_reasons=list(lead.score_reasons or []),
        owner_id=lead.owner_id,
        version=lead.version,
        converted_person_id=lead.converted_person_id,
        converted_organization_id=lead.converted_organization_id,
        converted_deal_id=lead.converted_deal_id,
        converted_at=lead.converted_at,
        created_at=lead.created_at,
        updated_at=lead.updated_at,
    )


# --- helpers ----------------------------------------------------------------------------


def lead_data(payload: LeadIn) -> services.LeadData:
    raw = payload.model_dump(exclude_unset=True, exclude={"version"})
    data = {k: (v.value if isinstance(v, LeadSource | LeadStatus) else v) for k, v in raw.items()}
    return cast(services.LeadData, data)


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return selectors.lead_get(user=api_user(request), pk=lead_id)


def leads_query(request: HttpRequest, params: LeadListParams) -> QuerySet[Lead]:
    filters, errors = LeadFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.lead_list(user=api_user(request), filters=filters)


#: The descriptions of the generic operations in the OpenAPI document.
LEAD_DOCS = {
    "list": "Filters: `q`, `status`, `source`, `owner`. Newest first by default.",
    "create": "Give at least a name, a company or an e-mail.",
    "update": "Send only the fields to change.",
}


# --- actions ----------------------------------------------------------------------------


@router.post("/leads/{lead_id}/convert", response={200: ConvertOut, **CHANGE_ERRORS})
@require_scope(WRITE)
@idempotent
def convert_lead(request: HttpRequest, lead_id: RecordId, payload: ConvertIn) -> Status[ConvertOut]:
    """Link or create the person and organization, optionally create a deal, and mark
    the lead converted, all at once: if any part is invalid (errors name it, e.g.
    `deal.currency`) nothing is saved. `If-Match` is honoured."""
    version = expected_version(request)
    lead = _lead(request, lead_id)
    deal = payload.deal.model_dump(exclude_none=True) if payload.deal is not None else None
    result = services.lead_convert(
        actor=api_user(request),
        lead=lead,
        person_id=payload.person_id,
        organization_id=payload.organization_id,
        create_deal=payload.create_deal,
        deal=deal,
        expected_version=version,
    )
    return Status(
        200,
        ConvertOut(
            person_id=result.person.pk if result.person else None,
            organization_id=result.organization.pk if result.organization else None,
            deal_id=result.deal.pk if result.deal else None,
        ),
    )
