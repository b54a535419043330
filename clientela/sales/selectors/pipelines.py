"""Reads of pipelines and stages: the company's configuration, which everyone may read."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.sales.models import Pipeline, Stage


def pipeline_list(*, active_only: bool = False) -> QuerySet[Pipeline]:
    """Pipelines by position, each with its stages in order (one extra query)."""
    qs = Pipeline.objects.order_by("position", "id").prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )
    return qs.filter(is_active=True) if active_only else qs


def pipeline_get(*, pk: Any) -> Pipeline:
    pipeline = pipeline_list().filter(pk=parse_id(pk)).first()
    if pipeline is None:
        raise NotFound()
    return pipeline


def stage_get(*, pk: Any) -> Stage:
    stage = Stage.objects.select_related("pipeline").filter(pk=parse_id(pk)).first()
    if stage is None:
        raise NotFound()
    return stage


def stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.order_by("position", "id"))
