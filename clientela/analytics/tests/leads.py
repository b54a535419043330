"""Leads for the lead scoring tests (``test_lead_scores``, the browser test): past
leads where the source decides most, and a synchronous scoring run."""

from __future__ import annotations

import random
from typing import Any, Unpack

from django.utils import timezone

from clientela.analytics import services
from clientela.analytics.models import Snapshot
from clientela.sales.choices import LeadStatus
from clientela.sales.models import Lead
from clientela.sales.services.leads import LeadData, lead_create


def computed() -> Snapshot:
    """A lead scoring run, computed now (as the worker would)."""
    snapshot = services.refresh(None, kinds=["lead_scores"], queue=False)[0]
    return services.run_snapshot(snapshot.pk)


def lead(actor: Any, **data: Unpack[LeadData]) -> Lead:
    data.setdefault("last_name", "Lead")
    return lead_create(actor=actor, data=data)


def past_leads(actor: Any, count: int, *, seed: int = 7, converted: float | None = None) -> None:
    """``count`` closed leads where the source decides most: referrals converted 9 times
    in 10, web forms once in 10 (or every lead with chance ``converted``). Their status
    is set directly: how a lead was closed does not matter to the scoring."""
    rng = random.Random(seed)
    for n in range(count):
        referral = n % 2 == 0
        chance = converted if converted is not None else (0.9 if referral else 0.1)
        made = lead(
            actor,
            last_name=f"Past {n}",
            company=f"Company {n}",
            source="referral" if referral else "web_form",
            email=f"p{n}@" + rng.choice(["gmail.com", "example.org"]),
            job_title=rng.choice(["Sales director", "Assistant", "Owner"]),
        )
        won = rng.random() < chance
        Lead.objects.filter(pk=made.pk).update(
            status=LeadStatus.CONVERTED if won else LeadStatus.DISQUALIFIED,
            converted_at=timezone.now() if won else None,
            disqualified_reason="" if won else "No budget",
        )
