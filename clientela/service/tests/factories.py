"""Test data of the service kinds for the generic tests in ``core.testing``: a ticket
is made by its owner (its creator while nobody is assigned), in no queue, so its team
is the owner's and the role's scope alone decides who sees it."""

from __future__ import annotations

from typing import Any

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.service.models import (
    Article,
    BusinessCalendar,
    CannedAnswer,
    Queue,
    SlaPolicy,
    Ticket,
)
from clientela.service.services import articles, canned, config, config_sla, tickets
from clientela.service.tests.helpers import SPANISH_HOURS

TICKETS = register_kind_factory(
    KindFactory(
        resource=Ticket.RESOURCE,
        make=lambda owner, label: tickets.ticket_create(actor=owner, data={"subject": label}),
        api_body=lambda actor, label: {"subject": label},
        change={"subject": "Renamed"},
        required_field="subject",
        owner_key=None,
    )
)

ARTICLES = register_kind_factory(
    KindFactory(
        resource=Article.RESOURCE,
        make=lambda owner, label: articles.article_create(
            actor=owner, data={"title": label, "body": f"About {label}."}
        ),
        api_body=lambda actor, label: {"title": label, "body": f"About {label}."},
        change={"title": "Renamed"},
        required_field="title",
        owner_key=None,
    )
)


def _calendar_body(actor: Any, label: str) -> dict[str, Any]:
    return {"name": label, "time_zone": "Europe/Madrid", "hours": SPANISH_HOURS}


def _policy_body(actor: Any, label: str) -> dict[str, Any]:
    calendar = config_sla.business_calendar_create(
        actor=actor,
        data=_calendar_body(actor, f"{label}cal"),  # type: ignore[arg-type]
    )
    targets = [{"priority": "high", "first_response_minutes": 60, "resolution_minutes": 480}]
    return {"name": label, "calendar_id": calendar.pk, "targets": targets}


# The service desk's settings: admins' alone to change, and to read but for the list of
# queues (404 for the rest). The bodies are the services' data too (TypedDicts there).


def _settings(resource: str, make: Any, body: Any, **extra: Any) -> KindFactory:
    return register_kind_factory(
        KindFactory(
            resource=resource,
            make=lambda owner, label: make(actor=owner, data=body(owner, label)),
            api_body=body,
            change={"name": "Renamed"},
            required_field="name",
            owner_key=None,
            managers=("admin",),
            readers=("admin",),
            **extra,
        )
    )


CALENDARS = _settings(
    BusinessCalendar.RESOURCE, config_sla.business_calendar_create, _calendar_body
)
SLA_POLICIES = _settings(SlaPolicy.RESOURCE, config_sla.sla_policy_create, _policy_body)
QUEUES = _settings(
    Queue.RESOURCE,
    config.queue_create,
    lambda actor, label: {"name": label, "team_id": actor.team_id},
    api_list_open=True,
)


def _canned_body(actor: Any, label: str) -> dict[str, Any]:
    return {"title": label, "body": f"Hello {{{{ customer_first_name }}}}, about {label}."}


# Canned answers: read by anyone who may read tickets (every default role), kept by
# admins and managers; the others, who can see them, are refused (403).
CANNED_ANSWERS = register_kind_factory(
    KindFactory(
        resource=CannedAnswer.RESOURCE,
        make=lambda owner, label: canned.canned_answer_create(
            actor=owner,
            data=_canned_body(owner, label),  # type: ignore[arg-type]
        ),
        api_body=_canned_body,
        change={"title": "Renamed"},
        required_field="title",
        owner_key=None,
        managers=("admin", "manager"),
    )
)
