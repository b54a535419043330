"""Conditions on a segment's and a static list's members ("in segment", "on list"):
each counts only the segments and lists the user sees, and segments that name each
other end at a depth instead of looping."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from clientela.contacts.models import Person
from clientela.core.conditions import ConditionError, compile_conditions, parse_conditions
from clientela.marketing.conditions import _segment_q
from clientela.marketing.models import Segment
from clientela.marketing.services.segments import (
    list_add_members,
    list_create,
    segment_create,
    segment_trash,
    segment_update,
)

pytestmark = pytest.mark.django_db

PERSON = Person.RESOURCE
MADRID = {"all": [{"field": "tags", "op": "contains", "value": "Madrid"}]}


def _picked(user: Any, tree: Any) -> set[str]:
    q = compile_conditions(user, PERSON, parse_conditions(PERSON, tree))
    return set(Person.objects.filter(q).values_list("first_name", flat=True))


def test_in_a_segment_and_on_a_list(marketer: Any, person_factory: Any) -> None:
    ana = person_factory(marketer, first_name="Ana", tags=["Madrid"])
    bea = person_factory(marketer, first_name="Bea", tags=["Sevilla"])
    person_factory(marketer, first_name="Cai", tags=["Madrid"])
    madrid = segment_create(
        actor=marketer,
        data={"name": "Madrid", "rules": MADRID},
    )
    vips = list_create(actor=marketer, data={"name": "VIPs"})
    list_add_members(actor=marketer, static_list=vips, person_ids=[ana.pk, bea.pk])

    def leaf(field: str, op: str, value: Any) -> dict[str, Any]:
        return {"all": [{"field": field, "op": op, "value": value}]}

    assert _picked(marketer, leaf("segment", "eq", str(madrid.pk))) == {"Ana", "Cai"}
    assert _picked(marketer, leaf("segment", "ne", str(madrid.pk))) == {"Bea"}
    assert _picked(marketer, leaf("static_list", "eq", str(vips.pk))) == {"Ana", "Bea"}
    assert _picked(marketer, leaf("static_list", "ne", str(vips.pk))) == {"Cai"}
    both = {
        "all": [leaf("segment", "eq", str(madrid.pk)), leaf("static_list", "in", [str(vips.pk)])]
    }
    assert _picked(marketer, both) == {"Ana"}


def _in(segment: Any) -> dict[str, Any]:
    return {"field": "segment", "op": "eq", "value": str(segment.pk)}


def test_segments_that_name_each_other_end(marketer: Any, person_factory: Any) -> None:
    person_factory(marketer, first_name="Ana", tags=["Madrid"])
    first = segment_create(actor=marketer, data={"name": "First", "rules": {"all": []}})
    second = segment_create(
        actor=marketer,
        data={
            "name": "Second",
            "rules": {"all": [{"field": "segment", "op": "eq", "value": str(first.pk)}]},
        },
    )
    segment_update(
        actor=marketer,
        segment=first,
        data={"rules": {"all": [_in(second)]}},
    )
    tree = {"all": [{"field": "segment", "op": "eq", "value": str(first.pk)}]}
    assert _picked(marketer, tree) == set()


def test_a_segment_in_the_trash_picks_nobody(marketer: Any, person_factory: Any) -> None:
    person_factory(marketer, first_name="Sol", tags=["Madrid"])
    madrid = segment_create(actor=marketer, data={"name": "Madrid", "rules": MADRID})
    tree = {"all": [_in(madrid)]}
    assert _picked(marketer, tree) == {"Sol"}
    segment_trash(actor=marketer, segment=madrid)
    assert not Segment.objects.alive().filter(pk=madrid.pk).exists()
    with pytest.raises(ConditionError):
        parse_conditions(PERSON, tree)  # no longer offered
    leaf = parse_conditions(PERSON, {"all": []})
    assert _segment_q(marketer, "eq", str(madrid.pk)) == Q(pk__in=[])
    assert leaf.parts == ()
