"""Running a condition tree (``core.conditions``) on the records of one kind as
automation's rules do: parsed against the kind's fields, compiled for a user, and
tested on one record at a time (``Model.objects.filter(pk=…)``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet

from clientela.core.conditions import ConditionError, compile_conditions, parse_conditions


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def matching(
    user: Any, resource: str, records: QuerySet[Any], *parts: dict[str, Any], label: str
) -> set[Any]:
    """The ``label`` of each of ``records`` that ``{"all": parts}`` picks, each record
    tested alone the way a rule tests the record of its event; the same as filtering
    them all at once (checked)."""
    condition = parse_conditions(resource, {"all": list(parts)})
    q = compile_conditions(user, resource, condition)
    one_by_one = {
        value
        for pk, value in records.values_list("pk", label)
        if records.model.objects.filter(q, pk=pk).exists()
    }
    assert set(records.filter(q).values_list(label, flat=True)) == one_by_one
    return one_by_one


def error_of(resource: str, *parts: dict[str, Any]) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse_conditions(resource, {"all": list(parts)})
    return caught.value
