"""``/api/v1/webhooks``: the secret once, bad input as 422 naming the field, nothing
half-saved, admins only (404), the scopes, and the actions on a loopback receiver."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from clientela.automation.models import WebhookDelivery, WebhookSubscription
from clientela.automation.tests.helpers import loopback, sample_events  # noqa: F401
from clientela.core.testing.api import Api, fields
from clientela.core.testing.http_server import (  # noqa: F401 - fixture
    LoopbackHttpServer,
    http_server_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_events", "loopback")]

SCOPES = ("automation:read", "webhooks:write")


@pytest.fixture
def api(admin: Any) -> Api:
    return Api(admin, SCOPES)


def _create(api: Api, url: str, events: list[str] | None = None) -> Any:
    return api.post("/api/v1/webhooks", {"url": url, "events": events or ["hooktest.created"]})


def test_the_secret_is_in_the_create_answer_only(api: Api, http_server: Any) -> None:
    created = _create(api, http_server.url + "/hook")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["hooktest.created"]
    assert body["enabled"] is True
    again = api.get(f"/api/v1/webhooks/{body['id']}")
    assert again.status_code == 200
    assert again.json()["secret"] is None
    listed = api.get("/api/v1/webhooks").json()["items"]
    assert [w["secret"] for w in listed] == [None]
    changed = api.patch(f"/api/v1/webhooks/{body['id']}", {"description": "CRM sync"})
    assert changed.status_code == 200
    assert changed.json()["secret"] is None


def test_every_event_is_star(api: Api, http_server: Any) -> None:
    created = _create(api, http_server.url + "/hook", ["hooktest.created", "*"])
    assert created.json()["events"] == ["*"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["hooktest.created"]}, "url"),
        ({"url": "https://93.184.215.14/h"}, "events"),
        ({"url": "https://93.184.215.14/h", "events": []}, "events"),
        ({"url": "https://93.184.215.14/h", "events": ["nosuch.event"]}, "events"),
        ({"url": "not a url", "events": ["*"]}, "url"),
        ({"url": "ftp://93.184.215.14/h", "events": ["*"]}, "url"),
        ({"url": "https://169.254.169.254/latest", "events": ["*"]}, "url"),
        ({"url": "https://no-such-host.invalid/h", "events": ["*"]}, "url"),
        ({"url": "https://93.184.215.14/h", "events": ["*"], "secret": "whsec_x"}, "secret"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/v1/webhooks", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not WebhookSubscription.objects.exists()


def test_an_unknown_event_is_named(api: Api) -> None:
    response = api.post(
        "/api/v1/webhooks", {"url": "https://93.184.215.14/h", "events": ["nosuch.event"]}
    )
    assert "nosuch.event" in response.json()["errors"][0]["message"]


def test_private_addresses_need_the_flag(api: Api, settings: Any) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = False
    response = _create(api, "http://127.0.0.1:9/hook")
    assert response.status_code == 422
    assert "CLIENTELA_WEBHOOKS_ALLOW_PRIVATE" in response.json()["errors"][0]["message"]


def test_plain_http_is_refused_in_production(api: Api, settings: Any) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_HTTP = False
    response = _create(api, "http://93.184.215.14/hook")
    assert response.status_code == 422
    assert "https://" in response.json()["errors"][0]["message"]
    assert _create(api, "https://93.184.215.14/hook").status_code == 201


def test_a_bad_change_leaves_the_webhook_as_it_was(api: Api, http_server: Any) -> None:
    created = _create(api, http_server.url + "/hook").json()
    url = f"/api/v1/webhooks/{created['id']}"
    response = api.patch(url, {"description": "new", "events": ["nosuch.event"]})
    assert response.status_code == 422
    webhook = WebhookSubscription.objects.get()
    assert (webhook.description, webhook.events) == ("", ["hooktest.created"])


@pytest.mark.parametrize("role", ["manager_north", "rep_north", "marketer", "support", "reader"])
def test_anyone_but_an_admin_finds_nothing(
    request: pytest.FixtureRequest, api: Api, http_server: Any, role: str
) -> None:
    created = _create(api, http_server.url + "/hook").json()
    other = Api(request.getfixturevalue(role), SCOPES)
    base = f"/api/v1/webhooks/{created['id']}"
    assert other.get("/api/v1/webhooks").status_code == 404
    assert other.get(base).status_code == 404
    assert other.get(base + "/deliveries").status_code == 404
    assert other.post(base + "/ping", {}).status_code == 404
    assert other.post(base + "/rotate-secret", {}).status_code == 404
    assert other.patch(base, {"description": "x"}).status_code == 404
    assert other.delete(base).status_code == 404
    assert _create(other, "https://93.184.215.14/h").status_code == 404
    assert http_server.requests == []
    assert WebhookSubscription.objects.count() == 1


def test_reading_needs_automation_read_and_changing_webhooks_write(
    admin: Any, api: Api, http_server: Any
) -> None:
    created = _create(api, http_server.url + "/hook").json()
    reader = Api(admin, ("automation:read",))
    assert reader.get(f"/api/v1/webhooks/{created['id']}/deliveries").status_code == 200
    assert reader.post(f"/api/v1/webhooks/{created['id']}/ping", {}).status_code == 403
    assert _create(reader, "https://93.184.215.14/h").status_code == 403
    writer = Api(admin, ("webhooks:write",))
    assert writer.get("/api/v1/webhooks").status_code == 403


def test_ping_deliveries_and_redeliver(api: Api, http_server: LoopbackHttpServer) -> None:
    created = _create(api, http_server.url + "/hook").json()
    base = f"/api/v1/webhooks/{created['id']}"
    http_server.reply(503, "busy")
    ping = api.post(base + "/ping", {})
    assert ping.status_code == 200, ping.content
    assert ping.json()["status"] == "failed"
    assert ping.json()["attempt_log"][0]["status_code"] == 503
    assert ping.json()["attempt_log"][0]["response"] == "busy"
    listed = api.get(base + "/deliveries").json()["items"]
    assert [d["type"] for d in listed] == ["webhook.ping"]
    again = api.post(f"{base}/deliveries/{listed[0]['id']}/redeliver", {})
    assert again.status_code == 202
    assert again.json()["status"] == "pending"
    assert (
        api.get(base + "/deliveries", {"status": "pending"}).json()["items"][0]["id"]
        == (listed[0]["id"])
    )
    assert api.post(f"{base}/deliveries/999999/redeliver", {}).status_code == 404


def test_a_delivery_of_another_webhook_is_not_found(api: Api, http_server: Any) -> None:
    one = _create(api, http_server.url + "/one").json()
    two = _create(api, http_server.url + "/two").json()
    ping = api.post(f"/api/v1/webhooks/{one['id']}/ping", {}).json()
    url = f"/api/v1/webhooks/{two['id']}/deliveries/{ping['id']}/redeliver"
    assert api.post(url, {}).status_code == 404


def test_rotate_secret_answers_with_the_new_one(api: Api, http_server: LoopbackHttpServer) -> None:
    created = _create(api, http_server.url + "/hook").json()
    rotated = api.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", {})
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new.startswith("whsec_")
    assert new != created["secret"]
    api.post(f"/api/v1/webhooks/{created['id']}/ping", {})
    [request] = http_server.requests
    Webhook(created["secret"]).verify(request.body, request.headers)
    Webhook(new).verify(request.body, request.headers)


def test_delete_removes_the_webhook_and_its_log(api: Api, http_server: Any) -> None:
    created = _create(api, http_server.url + "/hook").json()
    api.post(f"/api/v1/webhooks/{created['id']}/ping", {})
    assert api.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()
