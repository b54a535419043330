"""What marketing offers segments and rules over people (``core.conditions``): consent,
"agreed to <purpose> by <channel>" (``{"field": "consent", "op": "eq", "value":
"newsletter.email"}``), counting only consent that stands now — granted, confirmed where
double opt-in was asked, and the address not suppressed (``selectors.consent``); the
membership of a segment (its rules as a subquery, a segment inside a segment at most
``SEGMENT_DEPTH`` deep, so two that name each other end) and of a static list, each
counting only the segments and lists the user sees."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.contacts.models import Person
from clientela.core.conditions import (
    ConditionError,
    ConditionField,
    FieldType,
    register_condition_field,
)
from clientela.marketing.choices import ConsentChannel
from clientela.marketing.models import ConsentPurpose, ListMember, Segment, StaticList
from clientela.marketing.selectors.consent import consented_q


def _choices() -> list[tuple[str, Any]]:
    purposes = ConsentPurpose.objects.filter(active=True).order_by("order", "pk")
    return [
        (f"{p.key}.{channel}", f"{p.name} · {label}")
        for p in purposes
        for channel, label in ConsentChannel.choices
    ]


def _consent_q(user: Any, op: str, value: Any) -> Q:
    wanted = value if isinstance(value, list | tuple) else [value]
    found = Q(pk__in=[])
    for item in wanted:
        purpose, _dot, channel = str(item).partition(".")
        found |= consented_q(purpose, channel)
    return ~found if op == "ne" else found


#: Segments named inside segments, at most this deep (a loop ends there, matching none).
SEGMENT_DEPTH = 3
_depth: ContextVar[int] = ContextVar("clientela_segment_depth", default=0)
NOBODY = Q(pk__in=[])


def _ids(value: Any) -> list[int]:
    wanted = value if isinstance(value, list | tuple) else [value]
    return [int(v) for v in wanted if str(v).isdigit()]


def _segment_q(user: Any, op: str, value: Any) -> Q:
    from clientela.marketing.selectors.segments import rules_q  # noqa: PLC0415 - cycle

    depth = _depth.get()
    found = NOBODY
    if depth < SEGMENT_DEPTH:
        token = _depth.set(depth + 1)
        try:
            for segment in Segment.objects.alive().visible_to(user).filter(pk__in=_ids(value)):
                try:
                    found |= rules_q(user=user, rules=segment.rules)
                except ConditionError:
                    continue  # a segment that no longer holds matches nobody
        finally:
            _depth.reset(token)
    return ~found if op == "ne" else found


def _list_q(user: Any, op: str, value: Any) -> Q:
    lists = StaticList.objects.alive().visible_to(user).filter(pk__in=_ids(value))
    found = Q(pk__in=ListMember.objects.filter(list__in=lists).values("person_id"))
    return ~found if op == "ne" else found


def _named(model: Any) -> Any:
    def choices() -> list[tuple[str, Any]]:
        return [(str(pk), name) for pk, name in model.objects.alive().values_list("pk", "name")]

    return choices


def register() -> None:
    for key, label, q, model in (
        ("segment", _("In segment"), _segment_q, Segment),
        ("static_list", _("On list"), _list_q, StaticList),
    ):
        register_condition_field(
            ConditionField(
                key=key,
                label=label,
                resource=Person.RESOURCE,
                type=FieldType.CHOICE,
                q=q,
                ops=("eq", "ne", "in"),
                choices=_named(model),
                group=_("Marketing"),
                order=60,
            )
        )
    register_condition_field(
        ConditionField(
            key="consent",
            label=_("Consent"),
            resource=Person.RESOURCE,
            type=FieldType.CHOICE,
            q=_consent_q,
            ops=("eq", "ne", "in"),
            choices=_choices,
            group=_("Marketing"),
            help=_("Agreed to this purpose on this channel, and not suppressed."),
            order=60,
        )
    )
