"""Test data of the service kinds for the generic tests in ``core.testing``: a ticket
is made by its owner (its creator while nobody is assigned), in no queue, so its team
is the owner's and the role's scope alone decides who sees it."""

from __future__ import annotations

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.service.models import Article, Ticket
from clientela.service.services import articles, tickets

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
