"""Every write to deals: create, update, move to another stage, trash and restore.

A deal's ``status`` follows its stage: open on an open stage, won on the pipeline's won
stage, lost on a lost stage (an explicit ``status`` must agree with the stage). The
probability takes the stage's default on create and on every stage change unless the
input gives one. Every stage change closes the deal's current ``DealStageChange`` row
and opens a new one, so time in stage and stage-to-stage conversion can be reported.
"""

from __future__ import annotations

import datetime
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.links import clean_organization, clean_people
from clientela.contacts.models import Person
from clientela.core import search
from clientela.core.audit import changes_between, created_changes, record_audit
from clientela.core.choices import AuditAction
from clientela.core.models import User
from clientela.core.permissions import require
from clientela.core.services import check_version, lock_for_update, record_restore, record_trash
from clientela.core.validation import clean_text
from clientela.sales import money
from clientela.sales.choices import DealStatus
from clientela.sales.models import Deal, DealStageChange, Pipeline, SalesSettings, Stage
from clientela.sales.services import common as c
from clientela.sales.services.pipelines import first_open_stage, pipeline_default

TEXT_FIELDS = ("title", "next_step", "lost_reason", "notes")


class DealData(TypedDict, total=False):
    title: str
    pipeline_id: int
    #: Default: the pipeline's first open stage.
    stage_id: int
    #: Optional: must agree with the stage (open, or won/lost on a won/lost stage).
    status: str
    #: A decimal string or Decimal (never a float), with the currency's decimals.
    amount: Any
    currency: str
    #: Default: the stage's probability.
    probability: Any
    close_date: datetime.date | str | None
    organization_id: int | None
    person_ids: list[int]
    owner_id: int | None
    next_step: str
    lost_reason: str
    notes: str


def stage_status(stage: Stage) -> str:
    """The status a deal has on ``stage``."""
    if stage.is_won:
        return DealStatus.WON
    if stage.is_lost:
        return DealStatus.LOST
    return DealStatus.OPEN


def deal_snapshot(deal: Deal) -> dict[str, Any]:
    return {
        "title": deal.title,
        "pipeline": deal.pipeline if deal.pipeline_id else None,
        "stage": deal.stage if deal.stage_id else None,
        "status": deal.status,
        "amount": money.money_str(deal.amount, deal.currency) if deal.currency else None,
        "currency": deal.currency,
        "probability": deal.probability,
        "close_date": deal.close_date,
        "organization": deal.organization,
        "people": sorted(str(p) for p in deal.people.all()) if deal.pk else [],
        "owner": deal.owner if deal.owner_id else None,
        "next_step": deal.next_step,
        "lost_reason": deal.lost_reason,
        "notes": deal.notes,
    }


def deal_reindex(deal: Deal) -> None:
    organization = deal.organization.name if deal.organization_id and deal.organization else ""
    search.index_record(
        resource=Deal.RESOURCE,
        object_id=deal.pk,
        owner_id=deal.owner_id,
        team_id=deal.team_id,
        title=deal.title,
        subtitle=organization,
        parts=[deal.title, organization, deal.next_step],
    )


# --- input checks -----------------------------------------------------------------------


def _clean_text(data: DealData, errors: c.Errors) -> dict[str, str]:
    cleaned = clean_text(Deal, data, TEXT_FIELDS, errors)
    if "title" in cleaned and not cleaned["title"]:
        del cleaned["title"]
        c.add(errors, "title", _("Enter a title."))
    return cleaned


def _clean_close_date(value: Any, errors: c.Errors) -> tuple[bool, datetime.date | None]:
    """(ok, date): a ``date``, an ISO "YYYY-MM-DD" string, or None/"" for no date."""
    if value is None or value == "":
        return True, None
    if isinstance(value, datetime.datetime):
        c.add(errors, "close_date", _("Enter a date as YYYY-MM-DD."))
        return False, None
    if isinstance(value, datetime.date):
        return True, value
    if isinstance(value, str):
        try:
            return True, datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    c.add(errors, "close_date", _("Enter a date as YYYY-MM-DD."))
    return False, None


def _clean_probability(value: Any, errors: c.Errors) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if type(value) is not int or not 0 <= value <= 100:
        c.add(errors, "probability", _("Give a whole percentage from 0 to 100."))
        return None
    return value


def _clean_pipeline(value: Any, errors: c.Errors) -> Pipeline | None:
    if type(value) is not int:
        c.add(errors, "pipeline_id", _("Give the pipeline as an id."))
        return None
    pipeline = Pipeline.objects.filter(pk=value).first()
    if pipeline is None:
        c.add(errors, "pipeline_id", _("There is no pipeline with this id."))
    return pipeline


def _clean_stage(value: Any, pipeline: Pipeline | None, errors: c.Errors) -> Stage | None:
    if type(value) is not int:
        c.add(errors, "stage_id", _("Give the stage as an id."))
        return None
    stage = Stage.objects.select_related("pipeline").filter(pk=value).first()
    if stage is None:
        c.add(errors, "stage_id", _("There is no stage with this id."))
        return None
    if pipeline is not None and stage.pipeline_id != pipeline.pk:
        c.add(
            errors,
            "stage_id",
            _("“%(stage)s” is a stage of another pipeline (%(other)s), not of %(pipeline)s.")
            % {"stage": stage.name, "other": stage.pipeline.name, "pipeline": pipeline.name},
        )
        return None
    return stage


def _check_status(value: Any, stage: Stage, errors: c.Errors) -> None:
    if value not in DealStatus.values:
        c.add(errors, "status", _("Choose open, won or lost."))
        return
    expected = stage_status(stage)
    if value != expected:
        c.add(
            errors,
            "status",
            _(
                "A deal on the stage “%(stage)s” is %(expected)s, not %(status)s; "
                "move it to the matching stage instead."
            )
            % {
                "stage": stage.name,
                "expected": DealStatus(expected).label.lower(),
                "status": DealStatus(value).label.lower(),
            },
        )


# --- the shared save --------------------------------------------------------------------


def _enter_stage(deal: Deal, stage: Stage, actor: User, now: datetime.datetime) -> None:
    """Put ``deal`` (already saved) on ``stage``: close the current history row, open a
    new one, and set the status, closing time and time in stage."""
    previous = deal.stage_id
    DealStageChange.objects.filter(deal=deal, left_at__isnull=True).update(left_at=now)
    DealStageChange.objects.create(
        deal=deal, from_stage_id=previous, stage=stage, entered_at=now, actor=actor
    )
    deal.stage = stage
    deal.stage_entered_at = now
    status = stage_status(stage)
    if status == DealStatus.OPEN:
        deal.closed_at = None
    elif deal.status != status or deal.closed_at is None:
        deal.closed_at = now
    deal.status = status


def _save(actor: User, deal: Deal, data: DealData) -> None:
    """Validate all of ``data`` against ``deal`` (new or locked), then write it."""
    errors: c.Errors = {}
    creating = deal.pk is None
    now = timezone.now()
    text = _clean_text(data, errors)
    if creating and "title" not in text and "title" not in errors:
        c.add(errors, "title", _("Enter a title."))

    # Pipeline and stage: the stage must belong to the (new) pipeline.
    pipeline: Pipeline | None = deal.pipeline if not creating else None
    if "pipeline_id" in data and data["pipeline_id"] is not None:
        pipeline = _clean_pipeline(data["pipeline_id"], errors)
        if pipeline is not None and not pipeline.is_active and pipeline.pk != deal.pipeline_id:
            c.add(errors, "pipeline_id", _("This pipeline is no longer in use."))
    stage: Stage | None = None
    if "stage_id" in data and data["stage_id"] is not None:
        stage = _clean_stage(data["stage_id"], pipeline, errors)
        if pipeline is None and stage is not None and "pipeline_id" not in errors:
            pipeline = stage.pipeline
    if pipeline is None and "pipeline_id" not in errors and "stage_id" not in errors:
        try:
            pipeline = pipeline_default()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    c.add(errors, key, message)
    if creating and pipeline is not None and not pipeline.is_active and "pipeline_id" not in errors:
        c.add(errors, "pipeline_id", _("This pipeline is no longer in use."))
    if stage is None and pipeline is not None and "stage_id" not in errors:
        if creating or pipeline.pk != deal.pipeline_id:
            stage = first_open_stage(pipeline)
            if stage is None:
                c.add(errors, "stage_id", _("This pipeline has no open stage."))
    stage_changes = stage is not None and stage.pk != deal.stage_id
    target = stage if stage is not None else (deal.stage if not creating else None)

    if "status" in data and data["status"] is not None and target is not None:
        _check_status(data["status"], target, errors)

    # Money: currency first, so the amount is checked against its decimals.
    # On an update, a currency or amount sent as null/empty is "not given".
    currency: str | None = deal.currency or None
    new_currency = data.get("currency") not in (None, "")
    if creating or new_currency:
        raw_currency = data.get("currency") or SalesSettings.load().base_currency
        currency = c.clean_currency(raw_currency, "currency", errors)
    amount: Any = None
    if creating or new_currency or data.get("amount") not in (None, ""):
        raw_amount = data.get("amount")
        if raw_amount is None or raw_amount == "":
            raw_amount = "0" if creating else deal.amount
        amount = c.clean_amount(raw_amount, "amount", errors, currency=currency)

    probability: int | None = None
    if data.get("probability") is not None and data.get("probability") != "":
        probability = _clean_probability(data["probability"], errors)
    if target is not None and probability is not None and "probability" not in errors:
        status = stage_status(target)
        fixed = 100 if status == DealStatus.WON else 0 if status == DealStatus.LOST else None
        if fixed is not None and probability != fixed:
            c.add(
                errors,
                "probability",
                _("A %(status)s deal has a probability of %(fixed)d%%.")
                % {"status": DealStatus(status).label.lower(), "fixed": fixed},
            )

    close_ok, close_date = (
        _clean_close_date(data["close_date"], errors) if "close_date" in data else (False, None)
    )
    people: list[Person] | None = None
    if "person_ids" in data:
        people = clean_people(actor, data["person_ids"], errors)
    organization = deal.organization if not creating else None
    if "organization_id" in data:
        organization = clean_organization(actor, data["organization_id"], errors)
    owner_team = None
    if creating or data.get("owner_id") is not None:
        owner = c.clean_owner_id(data.get("owner_id"), errors)
        if "owner_id" not in errors:
            owner_team = c.assign_owner_team(actor, Deal.RESOURCE, owner, errors)
    c.raise_errors(errors)

    # Everything is valid: write.
    assert pipeline is not None or not creating
    for name, value in text.items():
        setattr(deal, name, value)
    if pipeline is not None:
        deal.pipeline = pipeline
    if currency is not None:
        deal.currency = currency
    if amount is not None:
        deal.amount = amount
    if close_ok:
        deal.close_date = close_date
    if "organization_id" in data:
        deal.organization = organization
    if owner_team is not None:
        deal.owner, deal.team = owner_team
    if creating:
        assert stage is not None
        deal.stage = stage
        deal.stage_entered_at = now
        deal.status = stage_status(stage)
        deal.closed_at = now if deal.status != DealStatus.OPEN else None
        deal.probability = stage.probability
        deal.save()
        DealStageChange.objects.create(
            deal=deal, from_stage=None, stage=stage, entered_at=now, actor=actor
        )
    elif stage_changes:
        assert stage is not None
        _enter_stage(deal, stage, actor, now)
        deal.probability = stage.probability
    if target is not None and target.is_won:
        deal.probability = 100
    elif target is not None and target.is_lost:
        deal.probability = 0
    elif probability is not None:
        deal.probability = probability
    deal.save()
    if people is not None:
        deal.people.set(people)
    deal_reindex(deal)


# --- use cases --------------------------------------------------------------------------


@transaction.atomic
def deal_create(*, actor: User, data: DealData) -> Deal:
    require(actor, "create", Deal.RESOURCE)
    deal = Deal()
    _save(actor, deal, data)
    record_audit(
        actor=actor,
        instance=deal,
        action=AuditAction.CREATE,
        changes=created_changes(deal_snapshot(deal)),
    )
    return deal


def _lock(deal: Deal, actor: User, action: str = "update") -> Deal:
    fresh = lock_for_update(deal, actor, action)
    return (
        Deal.objects.select_related("pipeline", "stage", "organization", "owner")
        .filter(pk=fresh.pk)
        .get()
    )


@transaction.atomic
def deal_update(
    *, actor: User, deal: Deal, data: DealData, expected_version: int | None = None
) -> Deal:
    """Change the fields present in ``data``; a new ``stage_id`` moves the deal (with
    its stage history), ``person_ids`` replaces the whole list."""
    fresh = _lock(deal, actor)
    check_version(fresh, expected_version)
    before = deal_snapshot(fresh)
    _save(actor, fresh, data)
    changes = changes_between(before, deal_snapshot(fresh))
    if changes:
        fresh.version += 1
        fresh.save(update_fields=["version", "updated_at"])
        record_audit(actor=actor, instance=fresh, action=AuditAction.UPDATE, changes=changes)
    deal.version = fresh.version
    return fresh


def deal_move(
    *,
    actor: User,
    deal: Deal,
    stage_id: Any,
    expected_version: int | None = None,
    lost_reason: str | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline (the board's drag and drop)."""
    data: DealData = {"stage_id": stage_id}
    if lost_reason is not None:
        data["lost_reason"] = lost_reason
    return deal_update(actor=actor, deal=deal, data=data, expected_version=expected_version)


@transaction.atomic
def deal_trash(*, actor: User, deal: Deal, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=deal, expected_version=expected_version)


def deal_restore(*, actor: User, deal: Deal) -> None:
    """Back from the trash (admins only)."""
    record_restore(actor=actor, record=deal, reindex=deal_reindex)


__all__ = [
    "DealData",
    "deal_create",
    "deal_move",
    "deal_restore",
    "deal_snapshot",
    "deal_trash",
    "deal_update",
    "stage_status",
]
