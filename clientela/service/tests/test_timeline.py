"""Tickets on a person's and an organization's timeline: for those who may read them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.activities.timeline import timeline
from clientela.contacts.services import organization_create
from clientela.service.services import tickets as services

pytestmark = pytest.mark.django_db


def test_a_ticket_shows_on_its_customers_timeline_and_their_organizations(
    client: Client, admin: Any, rep_north: Any, person_factory: Any
) -> None:
    org = organization_create(actor=rep_north, data={"name": "Acme"})
    ana = person_factory(rep_north, memberships=[])
    ticket = services.ticket_create(
        actor=rep_north, data={"subject": "Broken lid", "person_id": ana.pk}
    )
    from_org = services.ticket_create(
        actor=rep_north, data={"subject": "Invoice", "organization_id": org.pk}
    )
    entries = timeline(user=rep_north, person=ana, kind="ticket").entries
    assert [e.obj for e in entries] == [ticket]
    assert [
        e.obj for e in timeline(user=rep_north, organization=org).entries if e.kind == "ticket"
    ] == [from_org]
    client.force_login(rep_north)
    page = client.get(f"/timeline/person/{ana.pk}/").content.decode()
    entry = page.split(f'id="entry-ticket-{ticket.pk}"')[1].split("</li>")[0]
    assert f'href="{reverse("service:ticket-detail", kwargs={"pk": ticket.pk})}"' in entry
    assert ticket.label in entry
    assert "Broken lid" in entry


def test_another_teams_rep_sees_no_ticket_on_a_shared_customer(
    admin: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    ana = person_factory(rep_south)
    other = person_factory(rep_north)
    services.ticket_create(actor=rep_north, data={"subject": "Hidden", "person_id": other.pk})
    mine = services.ticket_create(actor=admin, data={"subject": "Theirs", "person_id": ana.pk})
    seen = [e.obj for e in timeline(user=rep_south, person=ana).entries if e.kind == "ticket"]
    assert seen == [mine]
    # The North team's ticket is not rep_south's to read, whoever it is about.
    assert [e for e in timeline(user=rep_south, person=other).entries if e.kind == "ticket"] == []
