"""``clientela demo`` gives the service desk something to show (issue 14, item 15): two
queues on an SLA policy with a Spanish calendar, 500 tickets in every status, breached
ones among them, complaints followed to a resolution."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from clientela.service import demo
from clientela.service.choices import TicketStatus, TicketType
from clientela.service.models import (
    Article,
    KbSearchMiss,
    Queue,
    RatingInvitation,
    SlaPolicy,
    Ticket,
    TicketRating,
)

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_service_desk(capsys: Any) -> None:
    call_command("demo", people=300, organizations=8, verbosity=0)
    assert "Added 500 tickets in two queues" in capsys.readouterr().out
    assert demo.ticket_count(40) == 80
    assert Queue.objects.count() == 2
    assert SlaPolicy.objects.get().calendar.subdivision == "MD"
    tickets = Ticket.objects.all()
    assert tickets.count() == 500
    assert set(tickets.values_list("status", flat=True)) == set(TicketStatus.values)
    assert tickets.filter(sla_state="breached", status__in=["new", "open"]).exists()
    assert tickets.filter(sla_state="met").exists()
    complaints = tickets.filter(type=TicketType.COMPLAINT, status__in=["solved", "closed"])
    assert complaints.exists()
    assert not complaints.filter(resolution="").exists()
    assert all(t.messages.exists() for t in tickets[:50])
    # Every agent of a queue got tickets by its rule.
    assert tickets.filter(assignee__isnull=False).values("assignee").distinct().count() >= 3
    assert tickets.filter(created_at__lt=tickets.order_by("-created_at")[0].created_at).exists()
    # The knowledge base: 30 articles in each language, linked, most published.
    articles = Article.objects.all()
    assert articles.filter(language="en").count() == articles.filter(language="es").count() == 30
    assert articles.filter(language="es", translation_of__language="en").count() == 30
    assert articles.filter(status="draft").exists()
    assert articles.filter(status="published").count() > 40
    assert KbSearchMiss.objects.exists()
    # Ratings on most solved tickets, mostly happy, some with a comment; nobody e-mailed.
    ratings = TicketRating.objects.all()
    done = tickets.filter(status__in=["solved", "closed"]).count()
    assert done // 2 <= ratings.count() <= done
    assert ratings.filter(score__gte=4).count() > ratings.count() // 2
    assert ratings.exclude(comment="").exists()
    assert ratings.values("queue").distinct().count() == 2
    assert not RatingInvitation.objects.exists()
