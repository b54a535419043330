"""The conditions analytics offers to lower apps' segments through
``core.registry.register_segment_condition`` (issue 13, item 3): "RFM segment is …" and
"ABC class is …" on people and organizations, each counting only what the user sees
(the same selectors as the pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.analytics import selectors
from clientela.analytics.choices import AbcClass, AbcOf, Segment
from clientela.core.registry import SegmentCondition, register_segment_condition

_KEYS = {"contacts.person": "person_id", "contacts.organization": "organization_id"}


def _rfm(key: str) -> Any:
    def matches(user: Any, value: str) -> Q:
        if value not in Segment.values:
            return Q(pk__in=[])
        return Q(pk__in=selectors.rfm_rows(user, value).exclude(**{key: None}).values(key))

    return matches


def _abc(key: str) -> Any:
    def matches(user: Any, value: str) -> Q:
        if value not in AbcClass.values:
            return Q(pk__in=[])
        items = selectors.abc(user, AbcOf.CUSTOMERS).of_class(value, limit=10**9)
        return Q(pk__in=[getattr(i, key) for i in items if getattr(i, key)])

    return matches


def register() -> None:
    for resource, key in _KEYS.items():
        register_segment_condition(
            SegmentCondition(
                "analytics.rfm_segment",
                _("RFM segment"),
                resource,
                lambda: list(Segment.choices),
                _rfm(key),
            )
        )
        register_segment_condition(
            SegmentCondition(
                "analytics.abc_class",
                _("ABC class"),
                resource,
                lambda: list(AbcClass.choices),
                _abc(key),
            )
        )
