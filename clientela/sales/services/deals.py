"""Every write to deals: create, update, move to another stage, trash and restore.

A deal's ``status`` follows its stage: open on an open stage, won on the pipeline's won
stage, lost on a lost stage (an explicit ``status`` must agree with the stage). The
probability takes the stage's default on create and on every stage change unless the
input gives one. Every stage change closes the deal's current ``DealStageChange`` row
and opens a new one, so time in stage and stage-to-stage conversion can be reported.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.links import clean_organization, clean_people
from clientela.contacts.models import Organization, Person
from clientela.core import search
from clientela.core.models import Team, User
from clientela.core.services import (
    RecordWrites,
    lock_for_update,
    record_restore,
    record_trash,
)
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


def _default_pipeline(errors: c.Errors) -> Pipeline | None:
    try:
        return pipeline_default()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                c.add(errors, key, message)
        return None


def _clean_placement(
    deal: Deal, data: DealData, errors: c.Errors
) -> tuple[Pipeline | None, Stage | None]:
    """The deal's pipeline and the stage it moves to (None: it stays where it is): the
    stage must belong to the (new) pipeline; a new deal, or one moved to another
    pipeline without a stage, goes to the pipeline's first open stage."""
    creating = deal.pk is None
    pipeline: Pipeline | None = None if creating else deal.pipeline
    if data.get("pipeline_id") is not None:
        pipeline = _clean_pipeline(data["pipeline_id"], errors)
        if pipeline is not None and not pipeline.is_active and pipeline.pk != deal.pipeline_id:
            c.add(errors, "pipeline_id", _("This pipeline is no longer in use."))
    stage: Stage | None = None
    if data.get("stage_id") is not None:
        stage = _clean_stage(data["stage_id"], pipeline, errors)
        if pipeline is None and stage is not None and "pipeline_id" not in errors:
            pipeline = stage.pipeline
    if pipeline is None and "pipeline_id" not in errors and "stage_id" not in errors:
        pipeline = _default_pipeline(errors)
    if pipeline is None:
        return pipeline, stage
    if creating and not pipeline.is_active and "pipeline_id" not in errors:
        c.add(errors, "pipeline_id", _("This pipeline is no longer in use."))
    moved = creating or pipeline.pk != deal.pipeline_id
    if stage is None and "stage_id" not in errors and moved:
        stage = first_open_stage(pipeline)
        if stage is None:
            c.add(errors, "stage_id", _("This pipeline has no open stage."))
    return pipeline, stage


def _clean_money(deal: Deal, data: DealData, errors: c.Errors) -> tuple[str | None, Any]:
    """(currency, amount). The currency first, so the amount is checked against its
    decimals. On an update, a currency or amount sent as null/empty is "not given"."""
    creating = deal.pk is None
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
    return currency, amount


def _clean_probability_on(target: Stage | None, data: DealData, errors: c.Errors) -> int | None:
    """The probability given (None: not given); a won or lost deal's is fixed."""
    if data.get("probability") is None or data.get("probability") == "":
        return None
    probability = _clean_probability(data["probability"], errors)
    if target is None or probability is None:
        return probability
    status = stage_status(target)
    fixed = 100 if status == DealStatus.WON else 0 if status == DealStatus.LOST else None
    if fixed is not None and probability != fixed:
        c.add(
            errors,
            "probability",
            _("A %(status)s deal has a probability of %(fixed)d%%.")
            % {"status": DealStatus(status).label.lower(), "fixed": fixed},
        )
    return probability


def _clean_owner(
    actor: User, deal: Deal, data: DealData, errors: c.Errors
) -> tuple[User, Team] | None:
    """(owner, team) of a new deal or a new owner (None: unchanged)."""
    if deal.pk is not None and data.get("owner_id") is None:
        return None
    owner = c.clean_owner_id(data.get("owner_id"), errors)
    if "owner_id" in errors:
        return None
    return c.assign_owner_team(actor, Deal.RESOURCE, owner, errors)


@dataclass(frozen=True)
class _Changes:
    """``DealData`` checked against the deal: what to write (None: leave as it is)."""

    text: dict[str, str]
    pipeline: Pipeline | None
    #: The stage the deal moves to, and the one it ends up on.
    stage: Stage | None
    target: Stage | None
    currency: str | None
    amount: Any
    probability: int | None
    close_date: tuple[bool, datetime.date | None]
    people: list[Person] | None
    organization: tuple[bool, Organization | None]
    owner_team: tuple[User, Team] | None


def _clean(actor: User, deal: Deal, data: DealData) -> _Changes:
    """Check all of ``data`` against ``deal`` (new or locked); every problem at once."""
    errors: c.Errors = {}
    creating = deal.pk is None
    text = _clean_text(data, errors)
    if creating and "title" not in text and "title" not in errors:
        c.add(errors, "title", _("Enter a title."))
    pipeline, stage = _clean_placement(deal, data, errors)
    target = stage if stage is not None else (None if creating else deal.stage)
    if data.get("status") is not None and target is not None:
        _check_status(data["status"], target, errors)
    currency, amount = _clean_money(deal, data, errors)
    probability = _clean_probability_on(target, data, errors)
    close_date = (
        _clean_close_date(data["close_date"], errors) if "close_date" in data else (False, None)
    )
    people = clean_people(actor, data["person_ids"], errors) if "person_ids" in data else None
    organization = (
        (True, clean_organization(actor, data["organization_id"], errors))
        if "organization_id" in data
        else (False, None)
    )
    owner_team = _clean_owner(actor, deal, data, errors)
    c.raise_errors(errors)
    assert pipeline is not None or not creating
    return _Changes(
        text,
        pipeline,
        stage,
        target,
        currency,
        amount,
        probability,
        close_date,
        people,
        organization,
        owner_team,
    )


def _start(deal: Deal, stage: Stage, actor: User, now: datetime.datetime) -> None:
    """Save a new deal on its first stage, with the first row of its stage history."""
    deal.stage = stage
    deal.stage_entered_at = now
    deal.status = stage_status(stage)
    deal.closed_at = now if deal.status != DealStatus.OPEN else None
    deal.probability = stage.probability
    deal.save()
    DealStageChange.objects.create(
        deal=deal, from_stage=None, stage=stage, entered_at=now, actor=actor
    )


def _place(deal: Deal, new: _Changes, actor: User, now: datetime.datetime) -> None:
    """Stage and probability: a new deal starts on its stage, a moved one enters the
    new stage with its probability; won is 100%, lost 0%, else the probability given."""
    if deal.pk is None:
        assert new.stage is not None
        _start(deal, new.stage, actor, now)
    elif new.stage is not None and new.stage.pk != deal.stage_id:
        _enter_stage(deal, new.stage, actor, now)
        deal.probability = new.stage.probability
    if new.target is not None and new.target.is_won:
        deal.probability = 100
    elif new.target is not None and new.target.is_lost:
        deal.probability = 0
    elif new.probability is not None:
        deal.probability = new.probability


def _write(actor: User, deal: Deal, new: _Changes) -> None:
    for name, value in new.text.items():
        setattr(deal, name, value)
    if new.pipeline is not None:
        deal.pipeline = new.pipeline
    if new.currency is not None:
        deal.currency = new.currency
    if new.amount is not None:
        deal.amount = new.amount
    if new.close_date[0]:
        deal.close_date = new.close_date[1]
    if new.organization[0]:
        deal.organization = new.organization[1]
    if new.owner_team is not None:
        deal.owner, deal.team = new.owner_team
    _place(deal, new, actor, timezone.now())
    deal.save()
    if new.people is not None:
        deal.people.set(new.people)
    deal_reindex(deal)


def _save(actor: User, deal: Deal, data: DealData) -> None:
    """Validate all of ``data`` against ``deal`` (new or locked), then write it."""
    _write(actor, deal, _clean(actor, deal, data))


# --- use cases --------------------------------------------------------------------------


def deal_create(*, actor: User, data: DealData) -> Deal:
    return _DEALS.create(actor, Deal(), data)


def _lock(deal: Deal, actor: User, action: str = "update") -> Deal:
    fresh = lock_for_update(deal, actor, action)
    return (
        Deal.objects.select_related("pipeline", "stage", "organization", "owner")
        .filter(pk=fresh.pk)
        .get()
    )


_DEALS = RecordWrites(apply=_save, snapshot=deal_snapshot, lock=_lock)


def deal_update(
    *, actor: User, deal: Deal, data: DealData, expected_version: int | None = None
) -> Deal:
    """Change the fields present in ``data``; a new ``stage_id`` moves the deal (with
    its stage history), ``person_ids`` replaces the whole list."""
    fresh = _DEALS.update(actor, deal, data, expected_version)
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
