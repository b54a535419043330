"""E-mail from a deal's page: the activities composer is offered on the deal (a panel
registered by the resource's name), and what is sent is logged on the deal and on
every person it went to."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.activities.models import Interaction
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline

pytestmark = pytest.mark.django_db


def test_an_email_from_a_deal_is_on_the_deal_and_on_every_person(
    client: Any, smtp_server: Any, settings: Any, rep_north: Any, person_factory: Any
) -> None:
    smtp_server.use(settings)
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@client.example")
    luis = person_factory(
        rep_north, first_name="Luis", last_name="Gil", email="luis@client.example"
    )
    deal = make_deal(rep_north, make_pipeline(), person_ids=[ana.pk, luis.pk])
    client.force_login(rep_north)
    page = client.get(reverse("sales:deal-detail", args=[deal.pk]))
    assert f"related=sales.deal%3A{deal.pk}".encode() in page.content
    compose = page.content.decode().split('id="email-compose"')[0].rsplit('href="', 1)[1]
    form = client.get(compose.split('"')[0].replace("&amp;", "&"))
    assert form.context["form"].initial["to"] == "ana@client.example, luis@client.example"
    response = client.post(
        compose.replace("&amp;", "&"),
        {"to": "ana@client.example, luis@client.example", "subject": "The offer", "body": "Hi"},
        follow=True,
    )
    assert response.status_code == 200
    interaction = Interaction.objects.get(channel="email")
    assert (interaction.related_type, interaction.related_id) == ("sales.deal", deal.pk)
    assert set(interaction.people.all()) == {ana, luis}
    assert smtp_server.envelopes[0][1] == ["ana@client.example", "luis@client.example"]
    assert b"The offer" in client.get(reverse("sales:deal-detail", args=[deal.pk])).content
