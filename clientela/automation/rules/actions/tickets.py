"""Open a ticket for the record's customer, through the service desk's ``ticket_create``:
``{"type": "create_ticket", "subject": "Check the installation", "priority": "high",
"queue": 2, "description": "…"}``. The ticket names the record's person and
organization, and the deal, quote or order the rule runs on. In a queue, the queue's
assignment picks the agent; without one, the ticket goes to the record's owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.rules.actions import ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.sales.models import Deal, Order, Quote
from clientela.service.choices import TicketPriority
from clientela.service.models import Ticket
from clientela.service.selectors.active import active_queues
from clientela.service.services.tickets import TicketData, ticket_create

SUBJECT_CHARS = Ticket._meta.get_field("subject").max_length or 200
DESCRIPTION_CHARS = 20000
#: The sales record a ticket names, by the kind of record the rule runs on.
SALES_LINKS = {Deal: "deal_id", Quote: "quote_id", Order: "order_id"}


def _queue_choices() -> list[tuple[str, Any]]:
    queues = sorted(active_queues().values(), key=lambda q: (q.name, q.pk))
    return [(str(q.pk), q.name) for q in queues[:500]]


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"subject", "priority", "queue", "description"})
    found: dict[str, Any] = {
        "subject": c.text(params, "subject", SUBJECT_CHARS, required=True),
        "priority": c.choice(params, "priority", TicketPriority.values, TicketPriority.NORMAL),
    }
    if params.get("queue") not in (None, ""):
        pk = c.an_id(params, "queue")
        c.known(lambda: pk in active_queues(), "queue", _("There is no active queue with this id."))
        found["queue"] = pk
    description = c.text(params, "description", DESCRIPTION_CHARS, required=False)
    if description:
        found["description"] = description
    return found


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    record = c.record_of(context)
    person, organization = c.person_of(record), c.organization_of(record)
    if person is None and organization is None:
        raise c.failed(_("The record has no customer to open a ticket for."))
    data: dict[str, Any] = {
        "subject": params["subject"],
        "priority": params["priority"],
        "description": params.get("description", ""),
        "person_id": person.pk if person is not None else None,
        "organization_id": organization.pk if organization is not None else None,
    }
    link = SALES_LINKS.get(type(record))
    if link is not None:
        data[link] = record.pk
    if "queue" in params:
        data["queue_id"] = params["queue"]
    else:
        data["assignee_id"] = c.owner_of(record).pk
    ticket = ticket_create(actor=context.actor, data=cast(TicketData, data))
    return Outcome(
        _("Ticket %(ticket)s opened: “%(subject)s”.")
        % {"ticket": ticket.label, "subject": ticket.subject},
        c.page_of(Ticket.RESOURCE, ticket),
    )


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="create_ticket",
            label=gettext_lazy("Create a ticket"),
            params=(
                Param("subject", gettext_lazy("Subject")),
                Param(
                    "priority",
                    gettext_lazy("Priority"),
                    kind="choice",
                    required=False,
                    choices=lambda: list(TicketPriority.choices),
                ),
                Param(
                    "queue",
                    gettext_lazy("Queue"),
                    kind="choice",
                    required=False,
                    choices=_queue_choices,
                    help=gettext_lazy("Without a queue the ticket goes to the record's owner."),
                ),
                Param("description", gettext_lazy("Description"), kind="longtext", required=False),
            ),
            clean=_clean,
            run=_run,
            resources=c.customer_kinds(),
            order=70,
        )
    ]
