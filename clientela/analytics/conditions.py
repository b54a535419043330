"""The conditions analytics offers on people and organizations through the condition
fields registry (``core.conditions``, issue 13 item 3; marketing's segments combine
them): "RFM segment is …" and "ABC class is …", each counting only what the user sees
(the same selectors as the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.analytics import selectors
from clientela.analytics.choices import AbcClass, AbcOf, Segment
from clientela.core.conditions import ConditionField, FieldType, register_condition_field

_KEYS = {"contacts.person": "person_id", "contacts.organization": "organization_id"}
_OPS = ("eq", "ne", "in")


def _choice_q(matches: Callable[[Any, str], Q]) -> Callable[[Any, str, Any], Q]:
    """eq / ne / in over a test of one value."""

    def q(user: Any, op: str, value: Any) -> Q:
        values = value if op == "in" else [value]
        found = Q(pk__in=[])
        for one in values:
            found |= matches(user, one)
        return ~found if op == "ne" else found

    return q


def _rfm(key: str) -> Callable[[Any, str], Q]:
    def matches(user: Any, value: str) -> Q:
        if value not in Segment.values:
            return Q(pk__in=[])
        return Q(pk__in=selectors.rfm_rows(user, value).exclude(**{key: None}).values(key))

    return matches


def _abc(key: str) -> Callable[[Any, str], Q]:
    def matches(user: Any, value: str) -> Q:
        if value not in AbcClass.values:
            return Q(pk__in=[])
        items = selectors.abc(user, AbcOf.CUSTOMERS).of_class(value, limit=10**9)
        return Q(pk__in=[getattr(i, key) for i in items if getattr(i, key)])

    return matches


def register() -> None:
    for resource, key in _KEYS.items():
        register_condition_field(
            ConditionField(
                key="analytics.rfm_segment",
                label=_("RFM segment"),
                resource=resource,
                type=FieldType.CHOICE,
                ops=_OPS,
                choices=lambda: list(Segment.choices),
                q=_choice_q(_rfm(key)),
                group=_("Analytics"),
                order=80,
            )
        )
        register_condition_field(
            ConditionField(
                key="analytics.abc_class",
                label=_("ABC class"),
                resource=resource,
                type=FieldType.CHOICE,
                ops=_OPS,
                choices=lambda: list(AbcClass.choices),
                q=_choice_q(_abc(key)),
                group=_("Analytics"),
                order=80,
            )
        )
