"""Test helpers for pipelines and deals (plain functions, so importing them defines no
fixtures twice)."""

from __future__ import annotations

from typing import Any

from clientela.sales.models import Deal, Pipeline, Stage
from clientela.sales.services import deals as services

#: (name, probability, is_won, is_lost)
STAGES = [
    ("Lead in", 10, False, False),
    ("Demo", 40, False, False),
    ("Offer", 70, False, False),
    ("Closed won", 100, True, False),
    ("Closed lost", 0, False, True),
]


def make_pipeline(name: str = "Test pipeline", position: int = 0) -> Pipeline:
    """A valid pipeline with the stages of ``STAGES`` (made directly: setup, not a test
    of the pipeline services)."""
    pipeline = Pipeline.objects.create(name=name, position=position)
    for i, (stage, probability, won, lost) in enumerate(STAGES):
        Stage.objects.create(
            pipeline=pipeline,
            name=stage,
            position=i,
            probability=probability,
            is_won=won,
            is_lost=lost,
        )
    return pipeline


def stage(pipeline: Pipeline, name: str) -> Stage:
    return pipeline.stages.get(name=name)


def make_deal(actor: Any, pipeline: Pipeline, **data: Any) -> Deal:
    data.setdefault("title", "Ovens for the bakery")
    data.setdefault("amount", "1000.00")
    data.setdefault("currency", "USD")
    data.setdefault("pipeline_id", pipeline.pk)
    return services.deal_create(actor=actor, data=data)  # type: ignore[arg-type]
