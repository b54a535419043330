"""The domain events of sales (``core.events``): each kind's created / updated /
deleted / restored, and what its changes mean: ``lead.converted``,
``deal.stage_changed`` (with the stages it left and entered), ``deal.won``,
``deal.lost``, ``quote.sent``, ``quote.accepted``. An accepted quote's order is an
``order.created``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.events import EventType
from clientela.core.events.records import (
    NAMED_REF,
    RecordEvents,
    named,
    record_schema,
    register_record_events,
)
from clientela.core.kinds import record_kind
from clientela.sales.choices import DealStatus, LeadStatus, QuoteStatus
from clientela.sales.models import Deal, Lead, Order, Quote

Found = list[tuple[str, dict[str, Any]]]


def _on_status(
    statuses: Mapping[str, str],
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Found]:
    """The event of the status a change entered (``{status: event type}``)."""

    def derive(before: Mapping[str, Any], after: Mapping[str, Any]) -> Found:
        status = str(after.get("status") or "")
        if status != before.get("status") and status in statuses:
            return [(statuses[status], {})]
        return []

    return derive


def _deal_events(before: Mapping[str, Any], after: Mapping[str, Any]) -> Found:
    found: Found = []
    if before and before.get("stage") != after.get("stage"):
        moved = {"from_stage": named(before.get("stage")), "to_stage": named(after.get("stage"))}
        found.append(("deal.stage_changed", moved))
    return found + _on_status({DealStatus.WON: "deal.won", DealStatus.LOST: "deal.lost"})(
        before, after
    )


def _types(resource: str, described: Mapping[str, Any]) -> list[EventType]:
    kind = record_kind(resource)
    return [
        EventType(name=name, description=text, schema=record_schema(kind), resource=resource)
        for name, text in described.items()
    ]


def register() -> None:
    deal_kind = record_kind(Deal.RESOURCE)
    register_record_events(
        RecordEvents(
            resource=Lead.RESOURCE,
            prefix="lead",
            derive=_on_status({LeadStatus.CONVERTED: "lead.converted"}),
            extra=_types(
                Lead.RESOURCE,
                {
                    "lead.converted": _(
                        "A lead was converted; data names the person, organization and "
                        "deal it became."
                    )
                },
            ),
        )
    )
    register_record_events(
        RecordEvents(
            resource=Deal.RESOURCE,
            prefix="deal",
            derive=_deal_events,
            field_names={"people": "person_ids"},
            extra=[
                EventType(
                    name="deal.stage_changed",
                    description=_(
                        "A deal moved to another stage; from_stage and to_stage say which."
                    ),
                    schema=record_schema(
                        deal_kind, {"from_stage": NAMED_REF, "to_stage": NAMED_REF}
                    ),
                    resource=Deal.RESOURCE,
                ),
                *_types(
                    Deal.RESOURCE,
                    {
                        "deal.won": _("A deal was won (it entered a won stage)."),
                        "deal.lost": _("A deal was lost (it entered a lost stage)."),
                    },
                ),
            ],
        )
    )
    register_record_events(
        RecordEvents(
            resource=Quote.RESOURCE,
            prefix="quote",
            derive=_on_status(
                {QuoteStatus.SENT: "quote.sent", QuoteStatus.ACCEPTED: "quote.accepted"}
            ),
            extra=_types(
                Quote.RESOURCE,
                {
                    "quote.sent": _("A quote was sent to the customer."),
                    "quote.accepted": _(
                        "The customer accepted a quote (its order follows as order.created)."
                    ),
                },
            ),
        )
    )
    register_record_events(RecordEvents(resource=Order.RESOURCE, prefix="order"))
