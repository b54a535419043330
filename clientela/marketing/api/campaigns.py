"""``/campaigns`` (``core.api.records`` serves list, create, retrieve, patch and delete
from the kind's declaration in ``marketing.kinds``) and its actions: ``POST
/campaigns/{id}/send``, ``/pause``, ``/resume``, ``/cancel``, ``/test``, and ``GET
/campaigns/{id}/stats``. A campaign the token's user may not read is a 404; a
campaign that cannot go out yet (no audience, no content, a time that has passed) is a
422 naming the field."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router

from clientela.core import sms
from clientela.core.api import CHANGE_ERRORS, DETAIL_ERRORS, PageParams, api_user, require_scope
from clientela.core.api.schemas import InputSchema, OutputSchema, RecordId
from clientela.marketing.choices import CampaignStatus
from clientela.marketing.filters import CampaignFilters
from clientela.marketing.models import Campaign
from clientela.marketing.selectors import campaigns as selectors
from clientela.marketing.services import campaign_tests
from clientela.marketing.services import campaigns as services

router = Router(tags=["campaigns"])
READ, WRITE = "marketing:read", "marketing:write"


class VariantIn(InputSchema):
    subject: str = Field("", max_length=300)
    html: str = Field("", max_length=500_000)
    text: str = Field("", max_length=1600)


class CampaignIn(InputSchema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    channel: str | None = Field(None, description="`email` (default) or `sms`.")
    purpose: str | None = Field(
        None, description="The consent purpose's key (`newsletter`, `offers`…)."
    )
    segment_ids: list[RecordId] | None = None
    list_ids: list[RecordId] | None = None
    excluded_segment_ids: list[RecordId] | None = None
    excluded_list_ids: list[RecordId] | None = None
    template_id: RecordId | None = None
    subject: str | None = Field(None, max_length=300, description="Variant A's subject.")
    html: str | None = Field(None, max_length=500_000, description="Variant A's HTML.")
    text: str | None = Field(
        None, max_length=1600, description="Variant A's text message (channel `sms`)."
    )
    variants: list[VariantIn] | None = Field(
        None, description="Further variants of an A/B test (B, C, D)."
    )
    from_name: str | None = Field(None, max_length=100)
    from_email: str | None = Field(None, max_length=254)
    reply_to: str | None = Field(None, max_length=254)
    send_at: datetime.datetime | None = Field(
        None, description="When to send (with its time zone); empty: when sent."
    )
    local_time: bool | None = Field(
        None, description="Send at send_at's time of day in each recipient's time zone."
    )
    throttle: int | None = Field(None, description="Messages per minute; empty: no limit.")
    ab_share: int | None = Field(None, description="Per variant, % of the audience (0–50).")
    ab_metric: str | None = Field(None, description="`opens` or `clicks`.")
    ab_wait_minutes: int | None = None
    cost: Decimal | None = None
    currency: str | None = Field(None, max_length=3)
    tags: list[str] | None = None


class CampaignPatch(CampaignIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class SmsLengthOut(OutputSchema):
    encoding: str = Field(description="`GSM-7` or `UCS-2`.")
    characters: int
    segments: int


class CampaignOut(OutputSchema):
    id: int
    name: str
    description: str
    channel: str
    purpose: str
    status: str
    segment_ids: list[int]
    list_ids: list[int]
    excluded_segment_ids: list[int]
    excluded_list_ids: list[int]
    template_id: int | None
    subject: str
    text: str
    sms_length: SmsLengthOut | None = Field(
        description="A text message's encoding and parts (merge fields as written)."
    )
    from_name: str
    from_email: str
    reply_to: str
    send_at: datetime.datetime | None
    local_time: bool
    throttle: int | None
    ab_share: int
    ab_metric: str
    ab_wait_minutes: int
    ab_winner: str
    recipients: int
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    cost: Decimal | None
    currency: str
    owner_id: int
    team_id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CountsOut(OutputSchema):
    recipients: int
    sent: int
    delivered: int
    failed: int
    skipped: int
    bounced: int
    opened: int
    opens: int
    clicked: int
    clicks: int
    unsubscribed: int
    complained: int


class LinkOut(OutputSchema):
    number: int
    url: str
    clicks: int
    people: int


class StatsOut(OutputSchema):
    status: str
    total: CountsOut
    variants: dict[str, CountsOut]
    links: list[LinkOut]
    ab_winner: str
    ab_p_value: float | None
    leads_first_touch: int
    leads_last_touch: int
    deals_won: int
    revenue: Decimal
    currency: str
    cost: Decimal | None
    roi: float | None = Field(description="(revenue − cost) / cost; null without a cost.")


class CampaignParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the name.")
    status: str | None = Field(None, max_length=20, description="Only campaigns in this status.")
    sort: str = Field("-created", max_length=20, pattern=r"^-?(name|created|send_at)$")


class TestIn(InputSchema):
    to: str | None = Field(None, max_length=254, description="Default: your own address.")
    person_id: RecordId | None = Field(None, description="Fill the merge fields as this person.")


class TestOut(OutputSchema):
    sent: int = Field(description="How many test messages left (one per variant).")


# --- what the kind's generic endpoints call ---------------------------------------------


def _length(body: str) -> SmsLengthOut:
    found = sms.segments(body)
    return SmsLengthOut(
        encoding=found.encoding, characters=found.characters, segments=found.segments
    )


def campaign_out(campaign: Campaign) -> CampaignOut:
    variants = {v.key: v for v in campaign.variants.all()}
    first = variants.get("A")
    return CampaignOut(
        id=campaign.pk,
        name=campaign.name,
        description=campaign.description,
        channel=campaign.channel,
        purpose=campaign.purpose.key,
        status=campaign.status,
        segment_ids=[s.pk for s in campaign.segments.all()],
        list_ids=[s.pk for s in campaign.lists.all()],
        excluded_segment_ids=[s.pk for s in campaign.excluded_segments.all()],
        excluded_list_ids=[s.pk for s in campaign.excluded_lists.all()],
        template_id=campaign.template_id,
        subject=first.subject if first else "",
        text=first.body if first else "",
        sms_length=_length(first.body) if first and first.body else None,
        from_name=campaign.from_name,
        from_email=campaign.from_email,
        reply_to=campaign.reply_to,
        send_at=campaign.send_at,
        local_time=campaign.local_time,
        throttle=campaign.throttle,
        ab_share=campaign.ab_share,
        ab_metric=campaign.ab_metric,
        ab_wait_minutes=campaign.ab_wait_minutes,
        ab_winner=campaign.ab_winner,
        recipients=campaign.recipients,
        started_at=campaign.started_at,
        finished_at=campaign.finished_at,
        cost=campaign.cost,
        currency=campaign.currency,
        owner_id=campaign.owner_id,
        team_id=campaign.team_id,
        version=campaign.version,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
    )


def campaign_data(payload: InputSchema) -> Any:
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    if data.get("variants") is not None:
        data["variants"] = [dict(v) for v in data["variants"]]
    return data


def campaigns_query(request: HttpRequest, params: CampaignParams) -> QuerySet[Campaign]:
    filters, errors = CampaignFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.campaign_list(user=api_user(request), filters=filters).prefetch_related(
        "segments", "lists", "excluded_segments", "excluded_lists", "variants"
    )


CAMPAIGN_DOCS = {
    "list": "Filters: `q` (words of the name), `status`.",
    "create": "A `name` and a `purpose` are required; the campaign starts as a draft.",
    "get": "The campaign; what came of it is at /campaigns/{id}/stats.",
    "update": "Send only the fields to change; once sending, only name, description and cost.",
}


# --- actions ----------------------------------------------------------------------------


def _act(request: HttpRequest, campaign_id: int, action: Any) -> CampaignOut:
    user = api_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    return campaign_out(action(actor=user, campaign=campaign))


@router.post("/campaigns/{campaign_id}/send", response={200: CampaignOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def send(request: HttpRequest, campaign_id: RecordId) -> CampaignOut:
    """Send a draft now, or at its `send_at`."""
    return _act(request, campaign_id, services.campaign_send)


@router.post("/campaigns/{campaign_id}/pause", response={200: CampaignOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def pause(request: HttpRequest, campaign_id: RecordId) -> CampaignOut:
    """Stop sending until resumed; what was sent stays sent."""
    return _act(request, campaign_id, services.campaign_pause)


@router.post("/campaigns/{campaign_id}/resume", response={200: CampaignOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def resume(request: HttpRequest, campaign_id: RecordId) -> CampaignOut:
    return _act(request, campaign_id, services.campaign_resume)


@router.post("/campaigns/{campaign_id}/cancel", response={200: CampaignOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def cancel(request: HttpRequest, campaign_id: RecordId) -> CampaignOut:
    """Stop for good: nobody else gets it."""
    return _act(request, campaign_id, services.campaign_cancel)


@router.post("/campaigns/{campaign_id}/test", response={200: TestOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def test_send(request: HttpRequest, campaign_id: RecordId, payload: TestIn) -> TestOut:
    """Send each variant to one address (yours by default), marked as a test."""
    user = api_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    sent = campaign_tests.campaign_test_send(
        actor=user, campaign=campaign, to=payload.to or "", person_id=payload.person_id
    )
    return TestOut(sent=sent)


def _counts_out(counts: selectors.Counts) -> CountsOut:
    return CountsOut(**counts.__dict__)


@router.get("/campaigns/{campaign_id}/stats", response={200: StatsOut, **DETAIL_ERRORS})
@require_scope(READ)
def stats(request: HttpRequest, campaign_id: RecordId) -> StatsOut:
    """Deliveries, opens, clicks (unique and total, per variant and per link),
    bounces, unsubscribes, complaints; the leads, won deals and revenue it brought."""
    user = api_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    results = selectors.campaign_stats(user=user, campaign=campaign)
    return StatsOut(
        status=campaign.status,
        total=_counts_out(results.total),
        variants={k: _counts_out(v) for k, v in results.variants.items()},
        links=[LinkOut(number=n, url=u, clicks=c, people=p) for n, u, c, p in results.links],
        ab_winner=campaign.ab_winner,
        ab_p_value=campaign.ab_p_value,
        leads_first_touch=results.leads_first_touch,
        leads_last_touch=results.leads_last_touch,
        deals_won=results.deals_won,
        revenue=results.revenue,
        currency=results.currency,
        cost=campaign.cost,
        roi=results.roi,
    )


STATUSES = CampaignStatus.values
