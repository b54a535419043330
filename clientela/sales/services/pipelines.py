"""Every write to pipelines and their stages (admins only) and ``pipeline_default``.

A pipeline is valid when it has at least one open stage, exactly one won stage and at
least one lost stage. Each change is checked against the pipeline as it would be
*after* the change, and refused (a ``ValidationError`` keyed by the input field) when
it would break that, so a pipeline is never left invalid. Stages that hold deals keep
their won/lost kind and cannot be deleted; a pipeline with deals cannot be deleted.
Every change is audited on the pipeline (its stages as one summarised field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.audit import changes_between, record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.services import RecordWrites, record_create
from clientela.sales.models import Deal, DealStageChange, Pipeline, Stage
from clientela.sales.services.common import Errors, add, raise_errors

#: The stages of a new pipeline: (name, probability, is_won, is_lost).
DEFAULT_STAGES: list[tuple[Any, int, bool, bool]] = [
    (gettext_lazy("New"), 10, False, False),
    (gettext_lazy("Qualified"), 25, False, False),
    (gettext_lazy("Proposal"), 50, False, False),
    (gettext_lazy("Negotiation"), 75, False, False),
    (gettext_lazy("Won"), 100, True, False),
    (gettext_lazy("Lost"), 0, False, True),
]
MAX_STAGES = 30
T = TypeVar("T")


class PipelineData(TypedDict, total=False):
    name: str
    position: int
    is_active: bool


class StageData(TypedDict, total=False):
    name: str
    probability: Any
    is_won: bool
    is_lost: bool


@dataclass
class _StageState:
    """A stage as it would be after a change (``pk`` None: a new one)."""

    pk: int | None
    name: str
    is_won: bool
    is_lost: bool


def _require_admin(actor: Any) -> None:
    """Pipelines are the company's configuration: only admins change them, and for
    anyone else the pages and endpoints do not exist (as on the core settings page)."""
    if not getattr(actor, "is_admin", False):
        raise NotFound()


def pipeline_default() -> Pipeline:
    """The first active pipeline (by position): where new deals go by default."""
    pipeline = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if pipeline is None:
        raise ValidationError(
            {"pipeline_id": [_("There is no active pipeline; an admin must set one up.")]}
        )
    return pipeline


def first_open_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.filter(is_won=False, is_lost=False).order_by("position", "id").first()


def _stages_summary(pipeline: Pipeline) -> list[str]:
    """The stages in order as "Name 25%", for the audit. The won and lost stages carry
    the marks the deal page's stage picker uses (✓, ✗): the entry is stored once and
    read in every reader's language, so no English "(won)" beside a Spanish name."""
    summary = []
    for stage in pipeline.stages.order_by("position", "id"):
        mark = " ✓" if stage.is_won else " ✗" if stage.is_lost else ""
        summary.append(f"{stage.name} {stage.probability}%{mark}")
    return summary


def pipeline_snapshot(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "name": pipeline.name,
        "position": pipeline.position,
        "is_active": pipeline.is_active,
        "stages": _stages_summary(pipeline) if pipeline.pk else [],
    }


def _check_shape(stages: Sequence[_StageState], errors: Errors, field: str) -> None:
    """The rules every pipeline keeps, on the stages as they would be."""
    won = [s for s in stages if s.is_won]
    lost = [s for s in stages if s.is_lost]
    open_ = [s for s in stages if not s.is_won and not s.is_lost]
    if len(won) > 1:
        existing = next((s for s in won if s.pk is not None), won[0])
        add(
            errors,
            field,
            _("A pipeline has exactly one won stage; “%(name)s” already is it.")
            % {"name": existing.name},
        )
    elif not won:
        add(errors, field, _("A pipeline needs exactly one won stage."))
    if not lost:
        add(errors, field, _("A pipeline needs at least one lost stage."))
    if not open_:
        add(errors, field, _("A pipeline needs at least one open stage for new deals."))
    if len(stages) > MAX_STAGES:
        add(errors, field, _("A pipeline has at most %(n)d stages.") % {"n": MAX_STAGES})


def _states(pipeline: Pipeline) -> list[_StageState]:
    return [
        _StageState(s.pk, s.name, s.is_won, s.is_lost)
        for s in pipeline.stages.order_by("position", "id")
    ]


def _clean_name(
    value: Any, field: str, errors: Errors, *, taken: Sequence[str], limit: int = 100
) -> str | None:
    if not isinstance(value, str) or not value.strip():
        add(errors, field, _("Enter a name."))
        return None
    name = " ".join(value.split())
    if len(name) > limit:
        add(errors, field, _("At most %(limit)s characters.") % {"limit": limit})
        return None
    if name.casefold() in {t.casefold() for t in taken}:
        add(errors, field, _("“%(name)s” is already taken.") % {"name": name})
        return None
    return name


def _clean_probability(value: Any, errors: Errors) -> int | None:
    if isinstance(value, bool | float):
        value = None
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if type(value) is not int or not 0 <= value <= 100:
        add(errors, "probability", _("Give a whole percentage from 0 to 100."))
        return None
    return value


def _clean_flags(data: StageData, stage: Stage | None, errors: Errors) -> tuple[bool, bool]:
    is_won = bool(data.get("is_won", stage.is_won if stage else False))
    is_lost = bool(data.get("is_lost", stage.is_lost if stage else False))
    if is_won and is_lost:
        add(errors, "is_lost", _("A stage is either won or lost, not both."))
    return is_won, is_lost


def _lock_pipeline(pipeline: Pipeline, actor: User) -> Pipeline:
    """The pipeline re-read under a row lock (PostgreSQL), so two admins editing its
    stages at once are checked one after the other; for anyone else it does not exist."""
    _require_admin(actor)
    fresh = Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


# --- pipelines --------------------------------------------------------------------------


def pipeline_create(
    *, actor: User, data: PipelineData, stages: Sequence[StageData] | None = None
) -> Pipeline:
    """A new pipeline with ``stages`` (default: the usual New … Won, Lost), placed last."""
    return record_create(
        actor=actor,
        record=Pipeline(),
        data=data,
        apply=lambda actor, pipeline, data: _create(pipeline, data, stages),
        snapshot=pipeline_snapshot,
        authorize=_require_admin,
    )


def _create(pipeline: Pipeline, data: PipelineData, stages: Sequence[StageData] | None) -> None:
    errors: Errors = {}
    names = list(Pipeline.objects.values_list("name", flat=True))
    name = _clean_name(data.get("name"), "name", errors, taken=names)
    is_active = bool(data.get("is_active", True))
    if stages is None:
        stages = [
            StageData(name=str(n), probability=p, is_won=w, is_lost=lost)
            for n, p, w, lost in DEFAULT_STAGES
        ]
    cleaned: list[tuple[str, int, bool, bool]] = []
    stage_errors: Errors = {}
    taken: list[str] = []
    for n, raw in enumerate(stages):
        one: Errors = {}
        stage_name = _clean_name(raw.get("name"), "name", one, taken=taken)
        probability = _clean_probability(raw.get("probability", 0), one)
        is_won, is_lost = _clean_flags(raw, None, one)
        for key, messages in one.items():
            for message in messages:
                add(stage_errors, f"stages.{n}.{key}", message)
        if stage_name is not None:
            taken.append(stage_name)
        if stage_name is not None and probability is not None:
            cleaned.append((stage_name, probability, is_won, is_lost))
    errors.update(stage_errors)
    if not stage_errors:
        _check_shape([_StageState(None, s[0], s[2], s[3]) for s in cleaned], errors, "stages")
    raise_errors(errors)
    assert name is not None
    last = Pipeline.objects.aggregate(m=Max("position"))["m"]
    pipeline.name, pipeline.is_active = name, is_active
    pipeline.position = 0 if last is None else last + 1
    pipeline.save()
    Stage.objects.bulk_create(
        [
            Stage(pipeline=pipeline, name=n, position=i, probability=p, is_won=w, is_lost=lost)
            for i, (n, p, w, lost) in enumerate(cleaned)
        ]
    )


def pipeline_update(*, actor: User, pipeline: Pipeline, data: PipelineData) -> Pipeline:
    return _PIPELINES.update(actor, pipeline, data)


def _change(actor: User, fresh: Pipeline, data: PipelineData) -> None:
    errors: Errors = {}
    if "name" in data:
        names = list(Pipeline.objects.exclude(pk=fresh.pk).values_list("name", flat=True))
        name = _clean_name(data["name"], "name", errors, taken=names)
        if name is not None:
            fresh.name = name
    if "position" in data:
        position = data["position"]
        if type(position) is not int or not 0 <= position <= 10_000:
            add(errors, "position", _("Give a position from 0 to 10,000."))
        else:
            fresh.position = position
    if "is_active" in data:
        active = bool(data["is_active"])
        if (
            not active
            and fresh.is_active
            and not Pipeline.objects.filter(is_active=True).exclude(pk=fresh.pk).exists()
        ):
            add(errors, "is_active", _("At least one pipeline must stay active."))
        else:
            fresh.is_active = active
    raise_errors(errors)
    fresh.save()


_PIPELINES = RecordWrites(apply=_change, snapshot=pipeline_snapshot, lock=_lock_pipeline)
#: A change of the stages: its data is the change itself, ``change(pipeline)``.
_STAGES: RecordWrites[Pipeline] = RecordWrites(
    apply=lambda _actor, fresh, change: change(fresh),
    snapshot=pipeline_snapshot,
    lock=_lock_pipeline,
)


def _in_pipeline(actor: User, pipeline: Pipeline, change: Callable[[Pipeline], T]) -> T:
    """``change(pipeline)`` on the locked pipeline (admins only), audited on it; returns
    what ``change`` returned."""
    done: list[T] = []
    _STAGES.update(actor, pipeline, lambda fresh: done.append(change(fresh)))
    return done[0]


@transaction.atomic
def pipeline_delete(*, actor: User, pipeline: Pipeline) -> None:
    """Delete a pipeline no deal uses (not even one in the trash)."""
    fresh = _lock_pipeline(pipeline, actor)
    used = Deal.objects.filter(pipeline=fresh).count()
    if used:
        raise ValidationError(
            {
                "pipeline": [
                    _(
                        "%(n)d deal(s) use this pipeline (the trash counts too); "
                        "move them to another pipeline first, or make this one inactive."
                    )
                    % {"n": used}
                ]
            }
        )
    if (
        fresh.is_active
        and not Pipeline.objects.filter(is_active=True).exclude(pk=fresh.pk).exists()
    ):
        raise ValidationError({"pipeline": [_("At least one pipeline must stay active.")]})
    record_audit(
        actor=actor,
        instance=fresh,
        action=AuditAction.PURGE,
        changes=changes_between(pipeline_snapshot(fresh), {}),
    )
    fresh.delete()


# --- stages -----------------------------------------------------------------------------


def stage_create(*, actor: User, pipeline: Pipeline, data: StageData) -> Stage:
    """Add a stage at the end of the pipeline's open stages (before won and lost, which
    conventionally close the board), or at the very end for a won/lost stage."""
    return _in_pipeline(actor, pipeline, lambda fresh: _add_stage(fresh, data))


def _add_stage(fresh: Pipeline, data: StageData) -> Stage:
    errors: Errors = {}
    states = _states(fresh)
    name = _clean_name(data.get("name"), "name", errors, taken=[s.name for s in states])
    probability = _clean_probability(data.get("probability", 0), errors)
    is_won, is_lost = _clean_flags(data, None, errors)
    if not errors:
        key = "is_won" if is_won else "is_lost" if is_lost else "name"
        _check_shape([*states, _StageState(None, name or "", is_won, is_lost)], errors, key)
    raise_errors(errors)
    assert name is not None
    assert probability is not None
    ordered = list(fresh.stages.order_by("position", "id"))
    stage = Stage(
        pipeline=fresh, name=name, probability=probability, is_won=is_won, is_lost=is_lost
    )
    if is_won or is_lost:
        ordered.append(stage)
    else:
        closing = next((i for i, s in enumerate(ordered) if s.is_won or s.is_lost), len(ordered))
        ordered.insert(closing, stage)
    stage.position = ordered.index(stage)
    stage.save()
    _renumber(ordered)
    return stage


def _renumber(stages: Sequence[Stage]) -> None:
    changed = []
    for position, stage in enumerate(stages):
        if stage.position != position:
            stage.position = position
            changed.append(stage)
    if changed:
        Stage.objects.bulk_update(changed, ["position"])


def stage_update(*, actor: User, stage: Stage, data: StageData) -> Stage:
    return _in_pipeline(actor, stage.pipeline, lambda p: _change_stage(p, stage.pk, data))


def _change_stage(pipeline: Pipeline, pk: int, data: StageData) -> Stage:
    fresh = pipeline.stages.filter(pk=pk).first()
    if fresh is None:
        raise NotFound()
    errors: Errors = {}
    states = _states(pipeline)
    if "name" in data:
        others = [s.name for s in states if s.pk != fresh.pk]
        name = _clean_name(data["name"], "name", errors, taken=others)
        if name is not None:
            fresh.name = name
    if "probability" in data:
        probability = _clean_probability(data["probability"], errors)
        if probability is not None:
            fresh.probability = probability
    is_won, is_lost = _clean_flags(data, fresh, errors)
    if (is_won, is_lost) != (fresh.is_won, fresh.is_lost) and not errors:
        if Deal.objects.filter(stage=fresh).exists():
            add(
                errors,
                "is_won" if is_won != fresh.is_won else "is_lost",
                _(
                    "Deals are in this stage, so whether it is won or lost cannot change; "
                    "move them out first."
                ),
            )
        else:
            after = [
                _StageState(s.pk, s.name, is_won, is_lost) if s.pk == fresh.pk else s
                for s in states
            ]
            _check_shape(after, errors, "is_won" if is_won != fresh.is_won else "is_lost")
    raise_errors(errors)
    fresh.is_won, fresh.is_lost = is_won, is_lost
    fresh.save()
    return fresh


def stage_reorder(*, actor: User, pipeline: Pipeline, stage_ids: Sequence[Any]) -> Pipeline:
    """Put the pipeline's stages in the order of ``stage_ids`` (all of them, once each)."""
    return _in_pipeline(actor, pipeline, lambda fresh: _reorder(fresh, stage_ids))


def _reorder(pipeline: Pipeline, stage_ids: Sequence[Any]) -> Pipeline:
    stages = {s.pk: s for s in pipeline.stages.all()}
    ids = list(stage_ids) if isinstance(stage_ids, list | tuple) else []
    if any(type(i) is not int for i in ids) or len(ids) != len(stages) or set(ids) != set(stages):
        raise ValidationError({"stage_ids": [_("Give every stage of the pipeline once.")]})
    _renumber([stages[i] for i in ids])
    return pipeline


@transaction.atomic
def stage_move(*, actor: User, stage: Stage, offset: int) -> Pipeline:
    """Move a stage up (−1) or down (+1) one place (the settings page's arrows)."""
    _require_admin(actor)
    ordered = list(stage.pipeline.stages.order_by("position", "id").values_list("pk", flat=True))
    if stage.pk not in ordered:
        raise NotFound()
    index = ordered.index(stage.pk)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    return stage_reorder(actor=actor, pipeline=stage.pipeline, stage_ids=ordered)


def stage_delete(*, actor: User, stage: Stage) -> None:
    """Delete a stage that holds no deal and that no deal's history mentions."""
    _in_pipeline(actor, stage.pipeline, lambda pipeline: _delete_stage(pipeline, stage.pk))


def _delete_stage(pipeline: Pipeline, pk: int) -> None:
    fresh = pipeline.stages.filter(pk=pk).first()
    if fresh is None:
        raise NotFound()
    errors: Errors = {}
    used = Deal.objects.filter(stage=fresh).count()
    if used:
        add(
            errors,
            "stage",
            _("%(n)d deal(s) are in this stage (the trash counts too); move them first.")
            % {"n": used},
        )
    elif DealStageChange.objects.filter(stage=fresh).exists() or (
        DealStageChange.objects.filter(from_stage=fresh).exists()
    ):
        add(
            errors,
            "stage",
            _(
                "Deals have passed through this stage and their history refers to it, "
                "so it cannot be deleted; rename it instead."
            ),
        )
    else:
        _check_shape([s for s in _states(pipeline) if s.pk != fresh.pk], errors, "stage")
    raise_errors(errors)
    fresh.delete()
    _renumber(list(pipeline.stages.order_by("position", "id")))
