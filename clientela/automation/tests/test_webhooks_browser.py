"""Webhooks in Chromium, on a phone's width and in Spanish: create a subscription, copy
its secret (shown once), send a ping to a receiver on loopback and find the delivery,
with the receiver's answer, in the log; no CSP violation."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from clientela.automation.models import WebhookSubscription
from clientela.automation.tests.helpers import loopback, sample_events  # noqa: F401
from clientela.core.testing.http_server import (  # noqa: F401 - fixture
    LoopbackHttpServer,
    http_server_fixture,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sample_events", "loopback"),
]


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (390, "es")])
def test_create_see_the_secret_once_ping_and_read_the_log(
    open_as: Any,
    admin: Any,
    http_server: LoopbackHttpServer,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    page = open_as(admin, width, language=language)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else None)
    page.goto("/webhooks/new/")
    page.fill("#id_url", http_server.url + "/hook")
    page.fill("#id_description", "ERP")
    page.locator('input[name=events][value="hooktest.created"]').check()
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/webhooks/*/")
    webhook = WebhookSubscription.objects.get()
    assert page.locator("#webhook-secret").inner_text() == webhook.secret
    page.reload()
    assert page.locator("#webhook-secret").count() == 0
    http_server.reply(200, {"received": True})
    page.locator("form[action$='/ping/'] button").click()
    page.locator("#deliveries [data-delivery]").first.wait_for()
    log = page.locator("#deliveries")
    assert "webhook.ping" in log.inner_text()
    log.locator("summary").first.click()
    assert '{"received": true}' in log.inner_text()
    [request] = http_server.requests
    assert Webhook(webhook.secret).verify(request.body, request.headers)["type"] == "webhook.ping"
    page.screenshot(path=str(artifacts_dir / f"webhook-{width}-{language}.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width
    assert problems == []
