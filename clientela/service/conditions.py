"""The condition fields of tickets (``core.conditions``), what automation's rules test
on the ticket an event is about (issue 16): its own columns (status, priority, type,
category, channel, queue, assignee, SLA state, due times), owner, team, creation day,
tags and custom fields (``custom.<key>``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.conditions import (
    ConditionField,
    FieldType,
    register_condition_field,
    register_field_source,
)
from clientela.core.conditions.build import (
    column_q,
    custom_field_source,
    id_q,
    record_fields,
    tag_links,
    user_choices,
)
from clientela.service.choices import (
    CategoryKind,
    SlaState,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from clientela.service.models import Category, Queue, Ticket

TICKET = Ticket.RESOURCE
#: Columns always filled in: no "filled in" test.
CHOICE_OPS = ("eq", "ne", "in")


def queue_choices() -> list[tuple[str, Any]]:
    return [(str(q.pk), q.name) for q in Queue.objects.order_by("name")]


def category_choices() -> list[tuple[str, Any]]:
    categories = Category.objects.filter(kind=CategoryKind.TICKET).order_by("name")
    return [(str(c.pk), c.name) for c in categories]


def ticket_fields() -> list[ConditionField]:
    group, deadlines = _("Ticket"), _("Deadlines")

    def f(
        key: str, label: Any, kind: str, q: Any, group: Any = group, order: int = 10, **extra: Any
    ) -> ConditionField:
        return ConditionField(
            key=key, label=label, resource=TICKET, type=kind, q=q, group=group, order=order, **extra
        )

    def fixed(key: str, label: Any, choices: Any) -> ConditionField:
        return f(
            key, label, FieldType.CHOICE, column_q(key), ops=CHOICE_OPS, choices=lambda: choices
        )

    return [
        f("subject", _("Subject"), FieldType.TEXT, column_q("subject")),
        fixed("status", _("Status"), list(TicketStatus.choices)),
        fixed("priority", _("Priority"), list(TicketPriority.choices)),
        fixed("type", _("Type"), list(TicketType.choices)),
        fixed("channel", _("Channel"), list(TicketChannel.choices)),
        fixed("sla_state", _("SLA"), list(SlaState.choices)),
        f(
            "category",
            _("Category"),
            FieldType.CHOICE,
            id_q("category_id"),
            choices=category_choices,
        ),
        f("queue", _("Queue"), FieldType.CHOICE, id_q("queue_id"), choices=queue_choices),
        f(
            "assignee",
            _("Assignee"),
            FieldType.CHOICE,
            id_q("assignee_id"),
            choices=user_choices,
        ),
        *record_fields(TICKET, group, tags=tag_links(Ticket), order=10),
        f(
            "next_due_at",
            _("Next due"),
            FieldType.DATE,
            column_q("next_due_at", empty=None, moment=True),
            group=deadlines,
            help=_("The earlier SLA deadline still to meet. Not filled in: none running."),
            order=30,
        ),
        f(
            "resolution_due_at",
            _("Resolution due"),
            FieldType.DATE,
            column_q("resolution_due_at", empty=None, moment=True),
            group=deadlines,
            order=30,
        ),
    ]


def register() -> None:
    for condition_field in ticket_fields():
        register_condition_field(condition_field)
    register_field_source(custom_field_source(TICKET))
