"""Campaigns: create, change, trash, restore; send (now or at its time), pause, resume,
cancel; a test send to oneself.

Create and update take a partial mapping (``CampaignData``); every problem is reported
at once and nothing is saved. The content (subject, HTML, template, audience, purpose,
schedule) can change while the campaign is a draft or scheduled; once it is sending,
only its name, description and cost. Sending checks what a draft may lack: an
audience that is not empty, a sender, content, a time not in the past.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.merge_fields import template_problem
from clientela.core.models import User
from clientela.core.services import (
    RecordWrites,
    lock_for_update,
    record_restore,
    record_trash,
    tags_from_names,
)
from clientela.core.validation import (
    Errors,
    add,
    assign_owner_team,
    clean_datetime,
    clean_ids,
    clean_text,
    raise_errors,
)
from clientela.marketing.choices import AbMetric, CampaignChannel, CampaignStatus, DeliveryStatus
from clientela.marketing.models import (
    Campaign,
    CampaignLink,
    CampaignVariant,
    ConsentPurpose,
    Delivery,
    EmailTemplate,
    Segment,
    StaticList,
)
from clientela.marketing.rendering import MERGE_FIELDS
from clientela.marketing.tracking import collect_links
from clientela.sales.money import is_currency

TEXT = ("name", "description", "from_name", "reply_to")
EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
#: What may still change once a campaign is on its way.
ALWAYS = frozenset({"name", "description", "cost", "currency", "tags"})
MAX_VARIANTS = 4
#: A schedule this far in the past is a mistake, not "now".
PAST_GRACE = datetime.timedelta(minutes=1)


class VariantData(TypedDict, total=False):
    subject: str
    html: str
    text: str  # a text message's body (SMS campaigns)


class CampaignData(TypedDict, total=False):
    name: str
    description: str
    channel: str
    purpose: str  # the purpose's key
    segment_ids: list[int]
    list_ids: list[int]
    excluded_segment_ids: list[int]
    excluded_list_ids: list[int]
    template_id: int | None
    subject: str
    html: str
    text: str
    variants: list[VariantData]  # further variants of an A/B test ("B", "C"…)
    from_name: str
    from_email: str
    reply_to: str
    send_at: datetime.datetime | None
    local_time: bool
    throttle: int | None
    ab_share: int
    ab_metric: str
    ab_wait_minutes: int
    cost: Decimal | str | None
    currency: str
    tags: list[str]


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "description": campaign.description,
        "channel": campaign.channel,
        "purpose": campaign.purpose.key if campaign.purpose_id else None,
        "template": str(campaign.template) if campaign.template_id else None,
        "from_name": campaign.from_name,
        "from_email": campaign.from_email,
        "reply_to": campaign.reply_to,
        "send_at": campaign.send_at.isoformat() if campaign.send_at else None,
        "local_time": campaign.local_time,
        "throttle": campaign.throttle,
        "ab_share": campaign.ab_share,
        "ab_metric": campaign.ab_metric,
        "ab_wait_minutes": campaign.ab_wait_minutes,
        "cost": str(campaign.cost) if campaign.cost is not None else None,
        "currency": campaign.currency,
        "status": campaign.status,
    }


# --- checks -----------------------------------------------------------------------------


def _clean_purpose(campaign: Campaign, data: CampaignData, errors: Errors) -> None:
    if "purpose" in data:
        key = data["purpose"]
        found = ConsentPurpose.objects.filter(key=key, active=True).first() if key else None
        if found is None:
            add(errors, "purpose", _("Choose the consent purpose the campaign is sent for."))
        else:
            campaign.purpose = found
    elif campaign.purpose_id is None:
        add(errors, "purpose", _("Choose the consent purpose the campaign is sent for."))
    if "channel" in data:
        if data["channel"] not in CampaignChannel.values:
            add(errors, "channel", _("Choose e-mail or SMS."))
        else:
            campaign.channel = data["channel"]


def _visible(model: Any, actor: User, ids: list[int]) -> list[Any] | None:
    found = {r.pk: r for r in model.objects.alive().visible_to(actor).filter(pk__in=ids)}
    return [found[i] for i in ids] if len(found) == len(ids) else None


_AUDIENCE = (
    ("segment_ids", Segment, "segments"),
    ("list_ids", StaticList, "lists"),
    ("excluded_segment_ids", Segment, "excluded_segments"),
    ("excluded_list_ids", StaticList, "excluded_lists"),
)


def _clean_audience(actor: User, data: CampaignData, errors: Errors) -> dict[str, list[Any]]:
    chosen: dict[str, list[Any]] = {}
    for field, model, relation in _AUDIENCE:
        if field not in data:
            continue
        ids = clean_ids(data[field] or [], field, errors)  # type: ignore[literal-required]
        if ids is None:
            continue
        found = _visible(model, actor, ids)
        if found is None:
            add(errors, field, _("One of these does not exist or you cannot see it."))
        else:
            chosen[relation] = found
    return chosen


def _clean_content(
    actor: User, campaign: Campaign, data: CampaignData, errors: Errors
) -> list[VariantData] | None:
    """The variants' content ("A" from ``subject``/``html``, then ``variants``), each
    checked as a template of the merge fields; the template, if named."""
    if "template_id" in data:
        pk = data["template_id"]
        found = _visible(EmailTemplate, actor, [pk]) if type(pk) is int else None
        campaign.template = found[0] if found else None
        if pk is not None and campaign.template is None:
            add(errors, "template_id", _("There is no such template."))
    if not any(k in data for k in ("subject", "html", "text", "variants")):
        return None
    current = {v.key: v for v in campaign.variants.all()} if campaign.pk else {}
    first = current.get("A")
    variants: list[VariantData] = [
        {
            "subject": data.get("subject", first.subject if first else "") or "",
            "html": data.get("html", first.html if first else "") or "",
            "text": data.get("text", first.body if first else "") or "",
        }
    ]
    extra = data.get("variants")
    if extra is None:
        extra = [
            {"subject": v.subject, "html": v.html, "text": v.body}
            for k, v in sorted(current.items())
            if k != "A"
        ]
    if not isinstance(extra, list) or len(extra) > MAX_VARIANTS - 1:
        add(errors, "variants", _("At most %(n)s variants.") % {"n": MAX_VARIANTS})
        return None
    variants += extra
    for i, variant in enumerate(variants):
        _check_variant(variant, "" if i == 0 else f"variants[{i - 1}].", errors)
    return variants


#: Each part of a variant: is it HTML, may it hold conditions, its longest length.
_PARTS = (
    ("subject", False, True, 300),
    ("html", True, True, 500_000),
    ("text", False, False, 1600),
)


def _check_variant(variant: Any, prefix: str, errors: Errors) -> None:
    for part, html, conditions, limit in _PARTS:
        value = variant.get(part, "") if isinstance(variant, dict) else None
        if not isinstance(value, str):
            add(errors, f"{prefix}{part}", _("Enter text."))
        elif len(value) > limit:
            add(errors, f"{prefix}{part}", _("At most %(n)s characters.") % {"n": limit})
        else:
            problem = template_problem(value, MERGE_FIELDS, html=html, conditions=conditions)
            if problem is not None:
                add(errors, f"{prefix}{part}", str(problem))


def _clean_schedule(campaign: Campaign, data: CampaignData, errors: Errors) -> None:
    if "send_at" in data:
        when = clean_datetime(data["send_at"], "send_at", errors, required=False)
        if when is not None and when < timezone.now() - PAST_GRACE:
            add(errors, "send_at", _("This time has passed: choose a later one, or send now."))
        elif "send_at" not in errors:
            campaign.send_at = when
    if "local_time" in data:
        campaign.local_time = bool(data["local_time"])
    if "throttle" in data:
        throttle = data["throttle"]
        if throttle is not None and (type(throttle) is not int or throttle < 1):
            add(errors, "throttle", _("At least 1 message a minute, or leave it empty."))
        else:
            campaign.throttle = throttle
    for field, low, high in (("ab_share", 0, 50), ("ab_wait_minutes", 10, 7 * 24 * 60)):
        if field in data:
            value = data[field]  # type: ignore[literal-required]
            if type(value) is not int or not low <= value <= high:
                add(
                    errors,
                    field,
                    _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
                )
            else:
                setattr(campaign, field, value)
    if "ab_metric" in data:
        if data["ab_metric"] not in AbMetric.values:
            add(errors, "ab_metric", _("Choose opens or clicks."))
        else:
            campaign.ab_metric = data["ab_metric"]


def _clean_sender_and_cost(campaign: Campaign, data: CampaignData, errors: Errors) -> None:
    for field in ("from_email", "reply_to"):
        address = data.get(field)
        if address:
            try:
                validate_email(str(address))
            except ValidationError:
                add(errors, field, _("Enter a valid e-mail address."))
                continue
            setattr(campaign, field, str(address).strip())
    if "cost" in data:
        raw = data["cost"]
        try:
            cost = None if raw in (None, "") else Decimal(str(raw))
        except InvalidOperation:
            cost = Decimal(-1)
        if cost is not None and (not cost.is_finite() or cost < 0 or cost >= 10**12):
            add(errors, "cost", _("Enter an amount of 0 or more."))
        else:
            campaign.cost = cost
    if "currency" in data:
        if data["currency"] and not is_currency(data["currency"]):
            add(errors, "currency", _("Enter an ISO 4217 currency code, e.g. EUR."))
        else:
            campaign.currency = data["currency"] or ""
    if campaign.cost is not None and not campaign.currency and "currency" not in errors:
        add(errors, "currency", _("Give the cost's currency."))


def _refuse_locked(campaign: Campaign, data: CampaignData) -> None:
    """Once a campaign is on its way only its name, description and cost change."""
    locked = sorted(set(data) - ALWAYS)
    if campaign.pk is not None and campaign.status not in EDITABLE and locked:
        message = _("The campaign is on its way: only its name, description and cost can change.")
        raise_errors({locked[0]: [message]})


def _clean_tags(data: CampaignData, errors: Errors) -> list[Any] | None:
    if "tags" not in data:
        return None
    try:
        return list(tags_from_names(data["tags"] or []))
    except ValidationError as exc:
        add(errors, "tags", " ".join(exc.messages))
        return None


def _check_ab(campaign: Campaign, variants: list[VariantData] | None, errors: Errors) -> None:
    count = (
        len(variants) if variants is not None else campaign.variants.count() if campaign.pk else 1
    )
    if campaign.ab_share and count < 2 and "ab_share" not in errors:
        add(errors, "ab_share", _("An A/B test needs a second variant."))


def _apply(actor: User, campaign: Campaign, data: CampaignData) -> None:
    _refuse_locked(campaign, data)
    errors: Errors = {}
    for name, value in clean_text(Campaign, data, TEXT, errors).items():
        setattr(campaign, name, value)
    if not campaign.name and "name" not in errors:
        add(errors, "name", _("Give the campaign a name."))
    _clean_purpose(campaign, data, errors)
    audience = _clean_audience(actor, data, errors)
    variants = _clean_content(actor, campaign, data, errors)
    _clean_schedule(campaign, data, errors)
    _clean_sender_and_cost(campaign, data, errors)
    _check_ab(campaign, variants, errors)
    tags = _clean_tags(data, errors)
    raise_errors(errors)
    if campaign.pk is None:
        assigned = assign_owner_team(actor, Campaign.RESOURCE, None, errors)
        raise_errors(errors)
        assert assigned is not None
        campaign.owner, campaign.team = assigned
    campaign.full_clean(exclude=["owner", "team", "tags", "purpose", "template"])
    campaign.save()
    for relation, records in audience.items():
        getattr(campaign, relation).set(records)
    if variants is not None:
        _save_variants(campaign, variants)
    elif not campaign.variants.exists():
        CampaignVariant.objects.create(campaign=campaign, key="A")
    if tags is not None:
        campaign.tags.set(tags)


def _save_variants(campaign: Campaign, variants: list[VariantData]) -> None:
    keys = "ABCD"
    campaign.variants.exclude(key__in=keys[: len(variants)]).delete()
    for key, variant in zip(keys, variants, strict=False):
        CampaignVariant.objects.update_or_create(
            campaign=campaign,
            key=key,
            defaults={
                "subject": variant.get("subject", ""),
                "html": variant.get("html", ""),
                "body": variant.get("text", ""),
            },
        )


_CAMPAIGNS = RecordWrites(apply=_apply, snapshot=campaign_snapshot)


def campaign_create(*, actor: User, data: CampaignData) -> Campaign:
    return _CAMPAIGNS.create(actor, Campaign(), data)


def campaign_update(
    *, actor: User, campaign: Campaign, data: CampaignData, expected_version: int | None = None
) -> Campaign:
    return _CAMPAIGNS.update(actor, campaign, data, expected_version)


def campaign_trash(*, actor: User, campaign: Campaign, expected_version: int | None = None) -> None:
    if campaign.status in (CampaignStatus.SENDING, CampaignStatus.TESTING):
        raise_errors({"status": [_("Pause or cancel the campaign before deleting it.")]})
    record_trash(actor=actor, record=campaign, expected_version=expected_version)


def campaign_restore(*, actor: User, campaign: Campaign) -> None:
    record_restore(actor=actor, record=campaign, reindex=lambda _campaign: None)


# --- sending ----------------------------------------------------------------------------


def _status_change(actor: User, campaign: Campaign, status: str, **fields: Any) -> Campaign:
    before = campaign.status
    Campaign.objects.filter(pk=campaign.pk).update(status=status, **fields)
    campaign.status = status
    for name, value in fields.items():
        setattr(campaign, name, value)
    record_audit(
        actor=actor,
        instance=campaign,
        action=AuditAction.UPDATE,
        changes={"status": [before, status]},
    )
    return campaign


def _ready_to_send(campaign: Campaign) -> Errors:
    """What a campaign still lacks before it can go out."""
    from clientela.marketing.sending.sources import audience_people  # noqa: PLC0415

    errors: Errors = {}
    variants = list(campaign.variants.all())
    if campaign.channel == CampaignChannel.EMAIL:
        if campaign.template_id is None and not any(v.html for v in variants):
            add(errors, "html", _("Write the message or choose a template."))
        if not any(v.subject for v in variants) and campaign.template_id is None:
            add(errors, "subject", _("Give the message a subject."))
    elif not all(v.body.strip() for v in variants):
        add(errors, "text", _("Write the text message."))
    if campaign.send_at is not None and campaign.send_at < timezone.now() - PAST_GRACE:
        add(errors, "send_at", _("This time has passed: choose a later one, or send now."))
    if not errors and not audience_people(campaign).exists():
        add(
            errors,
            "segment_ids",
            _(
                "Nobody would get this campaign: its segments and lists are empty, or "
                "nobody in them agreed to this purpose."
            ),
        )
    return errors


def _links(campaign: Campaign) -> None:
    urls: dict[str, None] = {}
    sources = [v.html for v in campaign.variants.all()]
    if campaign.template_id is not None:
        sources += [v.html for v in campaign.template.versions.all()]  # type: ignore[union-attr]
    for html in sources:
        for url in collect_links(html):
            urls.setdefault(url, None)
    CampaignLink.objects.filter(campaign=campaign).delete()
    CampaignLink.objects.bulk_create(
        CampaignLink(campaign=campaign, number=i, url=url[:2000]) for i, url in enumerate(urls)
    )


@transaction.atomic
def campaign_send(*, actor: User, campaign: Campaign) -> Campaign:
    """Send the campaign now, or at its ``send_at``: it is checked, its links are
    numbered, and a worker takes it up at its time."""
    fresh = lock_for_update(campaign, actor)
    if fresh.status != CampaignStatus.DRAFT:
        raise_errors({"status": [_("Only a draft can be sent.")]})
    raise_errors(_ready_to_send(fresh))
    _links(fresh)
    _status_change(actor, fresh, CampaignStatus.SCHEDULED)
    _queue(fresh)
    return fresh


def _queue(campaign: Campaign) -> None:
    from clientela.marketing.tasks import send_campaign  # noqa: PLC0415

    when = campaign.send_at if campaign.send_at and campaign.send_at > timezone.now() else None
    transaction.on_commit(lambda: send_campaign.using(run_after=when).enqueue(campaign.pk))


@transaction.atomic
def campaign_pause(*, actor: User, campaign: Campaign) -> Campaign:
    fresh = lock_for_update(campaign, actor)
    if fresh.status not in (
        CampaignStatus.SCHEDULED,
        CampaignStatus.SENDING,
        CampaignStatus.TESTING,
    ):
        raise_errors({"status": [_("Only a scheduled or sending campaign can be paused.")]})
    return _status_change(actor, fresh, CampaignStatus.PAUSED)


@transaction.atomic
def campaign_resume(*, actor: User, campaign: Campaign) -> Campaign:
    fresh = lock_for_update(campaign, actor)
    if fresh.status != CampaignStatus.PAUSED:
        raise_errors({"status": [_("Only a paused campaign can be resumed.")]})
    status = CampaignStatus.SENDING if fresh.started_at else CampaignStatus.SCHEDULED
    _status_change(actor, fresh, status)
    _queue(fresh)
    return fresh


@transaction.atomic
def campaign_cancel(*, actor: User, campaign: Campaign) -> Campaign:
    """Stop for good: what was not sent is not sent (a row a worker is sending right
    now may still leave)."""
    fresh = lock_for_update(campaign, actor)
    if fresh.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED, CampaignStatus.DRAFT):
        raise_errors(
            {"status": [_("Only a scheduled, sending or paused campaign can be cancelled.")]}
        )
    Delivery.objects.filter(
        campaign=fresh, status__in=(DeliveryStatus.PENDING, DeliveryStatus.HELD)
    ).update(status=DeliveryStatus.CANCELLED)
    return _status_change(actor, fresh, CampaignStatus.CANCELLED, finished_at=timezone.now())
