"""What a change means, as the domain services emit it: a deal's stage change with
from/to and its win, a task done, a ticket's status change and closing, a lead's
conversion; each in the same transaction as the change."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.activities.services import task_complete
from clientela.core.models import OutboxEvent
from clientela.core.testing.kinds import kind_factories, unique_label
from clientela.sales.models import Stage
from clientela.sales.services.deals import deal_move
from clientela.sales.services.leads import lead_convert
from clientela.service.services.tickets import ticket_set_status

pytestmark = pytest.mark.django_db


def _types(resource: str, pk: int) -> list[str]:
    rows = OutboxEvent.objects.filter(resource=resource, record_id=pk).order_by("id")
    return list(rows.values_list("type", flat=True))


def test_a_deal_moved_to_its_won_stage(admin: Any) -> None:
    deal = kind_factories()["sales.deal"].make(admin, unique_label())
    won = Stage.objects.get(pipeline=deal.pipeline, is_won=True)
    deal_move(actor=admin, deal=deal, stage_id=won.pk)
    assert _types("sales.deal", deal.pk) == [
        "deal.created",
        "deal.updated",
        "deal.stage_changed",
        "deal.won",
    ]
    moved = OutboxEvent.objects.get(type="deal.stage_changed")
    assert moved.data["from_stage"] == {"id": deal.stage_id, "name": deal.stage.name}
    assert moved.data["to_stage"] == {"id": won.pk, "name": won.name}
    assert moved.data["stage_id"] == won.pk


def test_a_task_done(admin: Any) -> None:
    task = kind_factories()["activities.task"].make(admin, unique_label())
    task_complete(actor=admin, task=task)
    assert _types("activities.task", task.pk)[-1] == "task.completed"
    assert OutboxEvent.objects.get(type="task.completed").data["status"] == "done"


def test_a_ticket_closed(admin: Any) -> None:
    ticket = kind_factories()["service.ticket"].make(admin, unique_label())
    before = ticket.status
    ticket_set_status(actor=admin, ticket=ticket, status="closed")
    assert _types("service.ticket", ticket.pk)[-2:] == ["ticket.status_changed", "ticket.closed"]
    changed = OutboxEvent.objects.get(type="ticket.status_changed")
    assert (changed.data["from_status"], changed.data["to_status"]) == (before, "closed")


def test_a_lead_converted_names_what_it_became(admin: Any) -> None:
    lead = kind_factories()["sales.lead"].make(admin, unique_label())
    result = lead_convert(actor=admin, lead=lead, create_person=True)
    assert _types("sales.lead", lead.pk)[-1] == "lead.converted"
    assert result.person is not None
    assert OutboxEvent.objects.filter(type="person.created", record_id=result.person.pk).exists()
