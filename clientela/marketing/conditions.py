"""What marketing offers segments and rules over people (``core.conditions``): consent,
"agreed to <purpose> by <channel>" (``{"field": "consent", "op": "eq", "value":
"newsletter.email"}``), counting only consent that stands now — granted, confirmed where
double opt-in was asked, and the address not suppressed (``selectors.consent``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.contacts.models import Person
from clientela.core.conditions import ConditionField, FieldType, register_condition_field
from clientela.marketing.choices import ConsentChannel
from clientela.marketing.models import ConsentPurpose
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


def register() -> None:
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
