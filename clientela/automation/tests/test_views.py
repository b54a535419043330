"""The webhook pages: the secret shown once, the form's errors on the page, the ping
and redeliver buttons, the log; 404 for anyone but an admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.automation.models import WebhookDelivery, WebhookSubscription
from clientela.automation.tests.helpers import (  # noqa: F401 - fixtures
    loopback,
    sample_events,
    subscribe,
)
from clientela.core.testing.http_server import (  # noqa: F401 - fixture
    LoopbackHttpServer,
    http_server_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_events", "loopback")]


@pytest.fixture
def admin_client(client: Client, admin: Any) -> Client:
    client.force_login(admin)
    return client


def test_a_new_webhook_shows_its_secret_once(admin_client: Client, http_server: Any) -> None:
    form = admin_client.get(reverse("automation:webhook-create")).content.decode()
    assert 'value="hooktest.created"' in form
    assert 'value="*"' in form
    response = admin_client.post(
        reverse("automation:webhook-create"),
        {"url": http_server.url + "/hook", "events": ["hooktest.created"], "description": "ERP"},
        follow=True,
    )
    webhook = WebhookSubscription.objects.get()
    html = response.content.decode()
    assert webhook.secret in html
    assert "it is shown only once" in html
    again = admin_client.get(reverse("automation:webhook-detail", kwargs={"pk": webhook.pk}))
    assert webhook.secret not in again.content.decode()


def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(
    admin_client: Client, settings: Any
) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = False
    url = reverse("automation:webhook-create")
    response = admin_client.post(url, {"url": "http://127.0.0.1:9/hook", "events": ["*"]})
    assert response.status_code == 200
    assert "CLIENTELA_WEBHOOKS_ALLOW_PRIVATE" in response.content.decode()
    response = admin_client.post(url, {"url": "https://93.184.215.14/h"})
    assert "Choose at least one event." in response.content.decode()
    response = admin_client.post(url, {"url": "https://93.184.215.14/h", "events": ["nosuch"]})
    assert response.status_code == 200
    assert not WebhookSubscription.objects.exists()


def test_ping_redeliver_and_the_log(
    admin: Any, admin_client: Client, http_server: LoopbackHttpServer
) -> None:
    webhook = subscribe(admin, http_server.url + "/hook")
    http_server.reply(503, "down for maintenance")
    detail = reverse("automation:webhook-detail", kwargs={"pk": webhook.pk})
    page = admin_client.post(
        reverse("automation:webhook-ping", kwargs={"pk": webhook.pk}), follow=True
    )
    assert page.redirect_chain[-1][0] == detail
    html = page.content.decode()
    assert "The ping was not delivered" in html
    assert "down for maintenance" in html
    assert "webhook.ping" in html
    delivery = WebhookDelivery.objects.get()
    admin_client.post(
        reverse(
            "automation:webhook-redeliver", kwargs={"pk": webhook.pk, "delivery_id": delivery.pk}
        )
    )
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_rotating_shows_the_new_secret_once(admin: Any, admin_client: Client) -> None:
    webhook = subscribe(admin, "https://93.184.215.14/h")
    page = admin_client.post(
        reverse("automation:webhook-rotate", kwargs={"pk": webhook.pk}), follow=True
    )
    webhook.refresh_from_db()
    assert webhook.secret in page.content.decode()
    assert webhook.previous_secret


@pytest.mark.parametrize("role", ["manager_north", "rep_north", "marketer", "support", "reader"])
def test_the_pages_are_404_for_anyone_but_an_admin(
    request: pytest.FixtureRequest, client: Client, admin: Any, role: str
) -> None:
    webhook = subscribe(admin, "https://93.184.215.14/h")
    client.force_login(request.getfixturevalue(role))
    pk = {"pk": webhook.pk}
    for name, kwargs in [
        ("webhook-list", None),
        ("webhook-create", None),
        ("webhook-detail", pk),
        ("webhook-edit", pk),
    ]:
        assert client.get(reverse(f"automation:{name}", kwargs=kwargs)).status_code == 404
    for name in ("webhook-ping", "webhook-rotate", "webhook-delete"):
        assert client.post(reverse(f"automation:{name}", kwargs=pk)).status_code == 404
    webhook.refresh_from_db()
    assert not WebhookDelivery.objects.exists()
    assert not webhook.previous_secret


def test_the_settings_menu_links_the_webhooks_for_admins(admin_client: Client) -> None:
    html = admin_client.get(reverse("core:settings")).content.decode()
    assert reverse("automation:webhook-list") in html
