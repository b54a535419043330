"""Deliveries against a real HTTP server on loopback: what is sent (body, signature),
the retry schedule (time moved on by passing ``now``, never by sleeping), what is not
retried, slow and odd receivers, redirects, the lease, giving up and disabling."""

from __future__ import annotations

import datetime
import email.utils
import itertools
import json
import socket
import threading
import time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from clientela.automation.choices import DeliveryStatus
from clientela.automation.models import WebhookDelivery
from clientela.automation.services import deliveries as service
from clientela.automation.services.subscriptions import secrets_in_use, webhook_rotate_secret
from clientela.automation.tests.helpers import (  # noqa: F401 - fixtures
    event,
    loopback,
    sample_events,
    subscribe,
)
from clientela.automation.webhooks.sending import post, retry_after
from clientela.core.testing.http_server import (  # noqa: F401 - fixture
    LoopbackHttpServer,
    http_server_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample_events", "loopback")]

MINUTE = datetime.timedelta(minutes=1)


def _only_delivery() -> WebhookDelivery:
    [delivery] = WebhookDelivery.objects.all()
    return delivery


def _deliver(admin: Any, http_server: LoopbackHttpServer, **kwargs: Any) -> WebhookDelivery:
    subscribe(admin, http_server.url + "/hook")
    service.webhooks_for_event(event(**kwargs))
    return _only_delivery()


def test_an_event_is_delivered_signed_to_each_subscription_that_wants_it(
    admin: Any, http_server: LoopbackHttpServer
) -> None:
    wanted = subscribe(admin, http_server.url + "/a")
    subscribe(admin, http_server.url + "/all", ["*"])
    subscribe(admin, http_server.url + "/other", ["othertest.done"])
    service.webhooks_for_event(event(data={"id": 7, "first_name": "Ana"}, id_="evt_7"))
    assert WebhookDelivery.objects.count() == 2
    sent = service.deliveries_send_due()
    assert len(sent) == 2
    assert sorted(r.path for r in http_server.requests) == ["/a", "/all"]
    request = next(r for r in http_server.requests if r.path == "/a")
    assert request.headers["webhook-id"] == "evt_7"
    assert request.headers["content-type"] == "application/json"
    body = Webhook(wanted.secret).verify(request.body, request.headers)
    assert body["type"] == "hooktest.created"
    assert body["data"] == {"id": 7, "first_name": "Ana"}
    assert body["timestamp"].endswith("Z")
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_disabled_subscription_gets_no_delivery(admin: Any, http_server: Any) -> None:
    webhook = subscribe(admin, http_server.url + "/hook")
    webhook.enabled = False
    webhook.save()
    service.webhooks_for_event(event())
    assert not WebhookDelivery.objects.exists()


def test_the_same_event_twice_makes_one_delivery(admin: Any, http_server: Any) -> None:
    subscribe(admin, http_server.url + "/hook")
    service.webhooks_for_event(event(id_="evt_same"))
    service.webhooks_for_event(event(id_="evt_same"))
    assert WebhookDelivery.objects.count() == 1


def test_500_twice_then_200_is_retried_on_the_schedule(
    admin: Any, http_server: LoopbackHttpServer
) -> None:
    delivery = _deliver(admin, http_server)
    t0 = delivery.next_attempt_at
    assert t0 is not None
    http_server.reply(500, "oops")
    http_server.reply(500, "oops again")
    http_server.reply(200, {"ok": True})
    assert service.deliveries_send_due(t0) == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == t0 + MINUTE
    # Not due yet a second before; due at the minute.
    assert service.deliveries_send_due(t0 + MINUTE - datetime.timedelta(seconds=1)) == []
    assert service.deliveries_send_due(t0 + MINUTE) == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == t0 + MINUTE + 5 * MINUTE
    assert service.deliveries_send_due(t0 + 6 * MINUTE) == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert delivery.next_attempt_at is None
    log = list(delivery.attempt_log.order_by("at"))
    assert [a.status_code for a in log] == [500, 500, 200]
    assert log[0].response == "oops"
    # Every attempt of a delivery carries the same id and body.
    assert len({r.headers["webhook-id"] for r in http_server.requests}) == 1
    assert len({r.body for r in http_server.requests}) == 1
    # The success cleared the subscription's failure clock.
    delivery.subscription.refresh_from_db()
    assert delivery.subscription.failing_since is None


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_other_4xx_are_not_retried(
    admin: Any, http_server: LoopbackHttpServer, status: int
) -> None:
    delivery = _deliver(admin, http_server)
    http_server.reply(status, {"error": "no"})
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.FAILED, None)
    assert len(http_server.requests) == 1


@pytest.mark.parametrize("status", [408, 429, 502, 503])
def test_408_429_and_5xx_are_retried(admin: Any, http_server: Any, status: int) -> None:
    delivery = _deliver(admin, http_server)
    http_server.reply(status)
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_429_waits_as_long_as_retry_after_says(admin: Any, http_server: Any) -> None:
    delivery = _deliver(admin, http_server)
    now = timezone.now()
    http_server.reply(429, "slow down", headers={"Retry-After": "900"})
    service.deliveries_send_due(now)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + datetime.timedelta(seconds=900)


def test_a_short_retry_after_does_not_shorten_the_schedule(admin: Any, http_server: Any) -> None:
    delivery = _deliver(admin, http_server)
    now = timezone.now()
    http_server.reply(429, headers={"Retry-After": "2"})
    service.deliveries_send_due(now)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + MINUTE


def test_a_receiver_that_never_answers_times_out_and_is_retried(
    admin: Any, http_server: LoopbackHttpServer
) -> None:
    delivery = _deliver(admin, http_server)
    http_server.reply(200, hang=True)
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error == "No answer in time."
    assert attempt.duration_ms < 5000


def test_a_garbage_answer_is_kept_short_and_readable(admin: Any, http_server: Any) -> None:
    delivery = _deliver(admin, http_server)
    http_server.reply(200, b"\x00\xff\xfe garbage " * 500)
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    [attempt] = delivery.attempt_log.all()
    assert 0 < len(attempt.response.encode()) <= 4 * 1024
    assert "\x00" not in attempt.response


def test_nobody_listening_is_a_network_error_retried(admin: Any, http_server: Any) -> None:
    url = http_server.url
    http_server.stop()
    subscribe(admin, url + "/hook")
    service.webhooks_for_event(event())
    service.deliveries_send_due()
    delivery = _only_delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempt_log.get().error.startswith("Network error")


def test_a_redirect_is_not_followed(admin: Any, http_server: LoopbackHttpServer) -> None:
    delivery = _deliver(admin, http_server)
    http_server.reply(302, "", headers={"Location": "http://169.254.169.254/latest/"})
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "169.254.169.254" in delivery.attempt_log.get().error
    assert len(http_server.requests) == 1


def test_an_address_refused_at_sending_is_not_retried(
    admin: Any, http_server: Any, settings: Any
) -> None:
    delivery = _deliver(admin, http_server)
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = False
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "private" in delivery.attempt_log.get().error
    assert http_server.requests == []


def test_a_delivery_held_by_a_worker_is_not_sent_by_another(
    admin: Any, http_server: LoopbackHttpServer
) -> None:
    delivery = _deliver(admin, http_server)
    now = timezone.now()
    assert service._claim([delivery.pk], now, due=True) == [delivery]
    assert service._claim([delivery.pk], now, due=True) == []
    assert service.deliveries_send_due(now) == []
    # A worker that died: its lease runs out and the delivery goes out.
    later = now + service.lease_time() + datetime.timedelta(seconds=1)
    assert service.deliveries_send_due(later) == [delivery.pk]
    assert len(http_server.requests) == 1


def test_a_delivery_failing_for_three_days_is_given_up(admin: Any, http_server: Any) -> None:
    delivery = _deliver(admin, http_server)
    now = delivery.started_at
    for _ in range(30):
        http_server.reply(503)
        service.deliveries_send_due(now)
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        now = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.GAVE_UP
    times = list(delivery.attempt_log.order_by("at").values_list("at", flat=True))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    hours = datetime.timedelta(hours=1)
    assert gaps[:5] == [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * hours, 8 * hours]
    assert set(gaps[5:]) == {8 * hours}
    assert times[-1] - times[0] <= service.RETRY_WINDOW


def test_a_subscription_failing_for_three_days_is_disabled_and_its_admin_told(
    admin: Any, http_server: LoopbackHttpServer, django_capture_on_commit_callbacks: Any
) -> None:
    admin.email = "alice@example.com"
    admin.save()
    webhook = subscribe(admin, http_server.url + "/hook")
    service.webhooks_for_event(event(id_="e1"))
    start = timezone.now()
    http_server.reply(500)
    service.deliveries_send_due(start)
    webhook.refresh_from_db()
    assert webhook.failing_since == start
    # Another event fails on and on: three days after the first failure, disabled.
    later = start + service.RETRY_WINDOW
    service.webhooks_for_event(event(id_="e2", at=later))
    WebhookDelivery.objects.update(next_attempt_at=later)
    http_server.reply(500)
    http_server.reply(500)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        service.deliveries_send_due(later)
    webhook.refresh_from_db()
    assert not webhook.enabled
    assert "3 days" in webhook.disabled_reason
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert webhook.url in message.body
    assert f"/webhooks/{webhook.pk}/" in message.body


def test_a_rotated_secret_signs_beside_the_new_one_for_a_day(
    admin: Any, http_server: LoopbackHttpServer
) -> None:
    webhook = subscribe(admin, http_server.url + "/hook")
    old = webhook.secret
    rotated = webhook_rotate_secret(actor=admin, webhook=webhook)
    service.webhooks_for_event(event())
    service.deliveries_send_due()
    [request] = http_server.requests
    Webhook(old).verify(request.body, request.headers)
    Webhook(rotated.secret).verify(request.body, request.headers)
    # A day on, the old secret no longer signs.
    tomorrow = timezone.now() + datetime.timedelta(hours=24, seconds=1)
    assert secrets_in_use(rotated, tomorrow) == [rotated.secret]


def test_a_ping_is_sent_at_once_and_tried_once(admin: Any, http_server: LoopbackHttpServer) -> None:
    webhook = subscribe(admin, http_server.url + "/hook")
    http_server.reply(500)
    delivery = service.webhook_ping(actor=admin, webhook=webhook)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.event_type == "webhook.ping"
    body = json.loads(http_server.requests[0].body)
    assert body["type"] == "webhook.ping"
    assert body["data"]["webhook_id"] == webhook.pk
    webhook.refresh_from_db()
    assert webhook.failing_since is None  # a ping does not count


def test_a_redelivery_sends_the_same_message_again(
    admin: Any, http_server: LoopbackHttpServer
) -> None:
    delivery = _deliver(admin, http_server)
    http_server.reply(410)
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    service.delivery_redeliver(actor=admin, delivery=delivery)
    assert delivery.status == DeliveryStatus.PENDING
    service.deliveries_send_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempt_log.count() == 2
    first, second = http_server.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body


def test_a_receiver_that_hangs_does_not_hold_up_the_others(
    admin: Any, http_server: LoopbackHttpServer, settings: Any
) -> None:
    """The hanging receiver answers only once the other got its request: sent one after
    the other, the first would time out (a long timeout here) and stay pending."""
    settings.CLIENTELA_WEBHOOKS_TIMEOUT = 30
    other = LoopbackHttpServer()
    other.start()

    def release_when_the_other_is_called() -> None:
        for _ in range(600):
            if other.requests:
                http_server.released.set()
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=release_when_the_other_is_called, daemon=True)
    try:
        subscribe(admin, http_server.url + "/slow")
        subscribe(admin, other.url + "/fast")
        http_server.reply(200, hang=True)
        service.webhooks_for_event(event())
        watcher.start()
        assert len(service.deliveries_send_due()) == 2
        statuses = dict(WebhookDelivery.objects.values_list("subscription__url", "status"))
        assert statuses == {
            http_server.url + "/slow": DeliveryStatus.SUCCEEDED,
            other.url + "/fast": DeliveryStatus.SUCCEEDED,
        }
    finally:
        http_server.released.set()
        watcher.join()
        other.stop()


def test_a_receiver_that_trickles_its_answer_gets_the_total_time_and_no_more() -> None:
    """One byte now and then resets a read timeout; the total deadline still ends it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def trickle() -> None:
        conn, _addr = listener.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400:
                if stop.wait(0.1):
                    return
                try:
                    conn.send(bytes([byte]))
                except OSError:
                    return

    server = threading.Thread(target=trickle, daemon=True)
    server.start()
    try:
        outcome = post(f"http://127.0.0.1:{port}/hook", b"{}", {})
    finally:
        stop.set()
        server.join()
        listener.close()
    assert outcome.status is None
    assert outcome.error == "No answer in time."
    assert outcome.retry


def test_retry_after_may_be_an_http_date() -> None:
    now = 1_765_112_400.0
    later = email.utils.formatdate(now + 120, usegmt=True)
    assert retry_after(later, now) == 120
    assert retry_after("30", now) == 30
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None
