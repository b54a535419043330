"""The conditions analytics offers on people and organizations through the condition
fields registry (``core.conditions``, issue 13 item 3; marketing's segments combine
them): "RFM segment is …" and "ABC class is …", each counting only what the user sees
(the same selectors as the pages). And the date rules count from: a customer's
``reorder_due``, the next purchase their cycle expects (``core.conditions.dates``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.analytics import selectors
from clientela.analytics.choices import AbcClass, AbcOf, Segment
from clientela.analytics.models import CustomerCycleRow
from clientela.analytics.selectors_cycles import current_snapshot
from clientela.core.conditions import ConditionField, FieldType, register_condition_field
from clientela.core.conditions.dates import TriggerDate, register_trigger_date

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


def _reorder_due(key: str, resource: str) -> TriggerDate:
    """Customers whose purchase cycle, in the current cycles snapshot, expects their
    next purchase on the day (one read of the snapshot's rows)."""

    def rows() -> Any:
        snapshot = current_snapshot()
        if snapshot is None:
            return CustomerCycleRow.objects.none()
        return CustomerCycleRow.objects.filter(snapshot=snapshot, **{f"{key}__isnull": False})

    def on_day(day: datetime.date) -> Q:
        return Q(pk__in=rows().filter(next_expected=day).values(key))

    def value(record: Any) -> datetime.date | None:
        row = rows().filter(**{key: record.pk}).first()
        return None if row is None else row.next_expected

    return TriggerDate(
        key="reorder_due",
        label=_("Reorder due (purchase cycle)"),
        resource=resource,
        on_day=on_day,
        value=value,
    )


def register_dates() -> None:
    register_trigger_date(_reorder_due("person_id", "contacts.person"))
    register_trigger_date(_reorder_due("organization_id", "contacts.organization"))
