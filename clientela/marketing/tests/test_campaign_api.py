"""``/api/v1/campaigns`` and its actions: create with the issue's fields, send, pause,
resume, cancel, stats, a test send to a real SMTP server; bad input answered with the
field and nothing saved or sent; who may do what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from clientela.core.testing.api import Api, fields
from clientela.marketing.choices import CampaignStatus
from clientela.marketing.models import Campaign, CampaignVariant, Delivery
from clientela.marketing.sending import engine
from clientela.marketing.tests import campaign_setup as setup

pytestmark = pytest.mark.django_db
SCOPES = ("marketing:read", "marketing:write")


def _body(group: setup.Audience, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Spring offers",
        "purpose": "newsletter",
        "list_ids": [group.static_list.pk],
        "subject": "Hola {{ first_name }}",
        "html": setup.HTML,
        "from_email": "news@shop.example",
        **extra,
    }


def test_create_send_and_read_the_stats(
    smtp_server: Any, settings: Any, marketer: Any, person_factory: Any
) -> None:
    smtp_server.use(settings)
    group = setup.audience(marketer, person_factory, n=3)
    api = Api(marketer, SCOPES)
    created = api.post("/api/v1/campaigns", _body(group, cost="50.00", currency="EUR"))
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert (campaign["status"], campaign["purpose"], campaign["list_ids"]) == (
        "draft",
        "newsletter",
        [group.static_list.pk],
    )
    sent = api.post(f"/api/v1/campaigns/{campaign['id']}/send", {})
    assert sent.status_code == 200
    assert sent.json()["status"] == "scheduled"
    engine.campaign_run(campaign["id"])
    stats = api.get(f"/api/v1/campaigns/{campaign['id']}/stats").json()
    assert stats["status"] == "sent"
    assert (stats["total"]["recipients"], stats["total"]["sent"]) == (3, 3)
    assert stats["cost"] == "50.00"
    assert stats["roi"] == -1.0
    assert len(smtp_server.messages) == 3


def test_the_test_send_arrives(
    smtp_server: Any, settings: Any, marketer: Any, person_factory: Any
) -> None:
    smtp_server.use(settings)
    group = setup.audience(marketer, person_factory, n=1)
    campaign = setup.campaign(marketer, group)
    api = Api(marketer, SCOPES)
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/test", {"to": "me@example.com"})
    assert response.status_code == 200
    assert response.json() == {"sent": 1}
    message = smtp_server.messages[0]
    assert message["To"] == "me@example.com"
    assert message["Subject"].startswith("[Test]")
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"html": "<p>{{ first_name </p>"}, "html"),
        ({"subject": "Hi {{ shoe_size }}"}, "subject"),
        ({"purpose": "nonsense"}, "purpose"),
        ({"purpose": None}, "purpose"),
        ({"throttle": 0}, "throttle"),
        ({"send_at": "2001-01-01T09:00:00+00:00"}, "send_at"),
        ({"list_ids": [999999]}, "list_ids"),
        ({"cost": "-5", "currency": "EUR"}, "cost"),
        ({"from_email": "not an address"}, "from_email"),
        ({"ab_share": 20}, "ab_share"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    marketer: Any, person_factory: Any, extra: dict[str, Any], field: str
) -> None:
    group = setup.audience(marketer, person_factory, n=1)
    response = Api(marketer, SCOPES).post("/api/v1/campaigns", _body(group, **extra))
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Campaign.objects.exists()
    assert not CampaignVariant.objects.exists()


def test_a_template_error_says_the_line(marketer: Any, person_factory: Any) -> None:
    group = setup.audience(marketer, person_factory, n=1)
    html = "<p>Hola</p>\n<p>{% for x in y %}</p>"
    response = Api(marketer, SCOPES).post("/api/v1/campaigns", _body(group, html=html))
    message = next(e["message"] for e in response.json()["errors"] if e["field"] == "html")
    assert "2" in message


def test_an_empty_audience_cannot_be_sent(marketer: Any, person_factory: Any) -> None:
    group = setup.audience(marketer, person_factory, n=0)
    api = Api(marketer, SCOPES)
    campaign = api.post("/api/v1/campaigns", _body(group)).json()
    response = api.post(f"/api/v1/campaigns/{campaign['id']}/send", {})
    assert response.status_code == 422
    assert "segment_ids" in fields(response)
    assert Campaign.objects.get().status == CampaignStatus.DRAFT


def test_a_sending_campaign_keeps_its_content(marketer: Any, person_factory: Any) -> None:
    group = setup.audience(marketer, person_factory, n=1)
    api = Api(marketer, SCOPES)
    later = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    campaign = api.post("/api/v1/campaigns", _body(group, send_at=later)).json()
    api.post(f"/api/v1/campaigns/{campaign['id']}/send", {})
    api.post(f"/api/v1/campaigns/{campaign['id']}/pause", {})
    Campaign.objects.filter(pk=campaign["id"]).update(status=CampaignStatus.SENDING)
    changed = api.patch(f"/api/v1/campaigns/{campaign['id']}", {"subject": "Other"})
    assert changed.status_code == 422
    assert "subject" in fields(changed)
    renamed = api.patch(f"/api/v1/campaigns/{campaign['id']}", {"name": "Spring offers (2)"})
    assert renamed.status_code == 200
    assert api.post(f"/api/v1/campaigns/{campaign['id']}/resume", {}).status_code == 422


def test_sales_reps_read_campaigns_but_do_not_send_them(
    marketer: Any, rep_north: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=1)
    campaign = setup.campaign(marketer, group)
    rep = Api(rep_north, SCOPES)
    assert rep.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 200
    assert rep.get(f"/api/v1/campaigns/{campaign.pk}/stats").status_code == 200
    assert rep.post(f"/api/v1/campaigns/{campaign.pk}/send", {}).status_code == 403
    assert rep.post("/api/v1/campaigns", _body(group)).status_code == 403


def test_a_campaign_out_of_sight_is_not_found(
    manager_north: Any, marketer: Any, person_factory: Any
) -> None:
    group = setup.audience(marketer, person_factory, n=1)
    campaign = setup.campaign(marketer, group)  # the South team's
    manager = Api(manager_north, SCOPES)
    for url in (f"/api/v1/campaigns/{campaign.pk}", f"/api/v1/campaigns/{campaign.pk}/stats"):
        assert manager.get(url).status_code == 404
    assert manager.post(f"/api/v1/campaigns/{campaign.pk}/send", {}).status_code == 404
