"""From a change to a receiver, end to end: a person created by a rep is an outbox
event; the dispatcher hands it to the webhooks subscriber; the worker's pass posts it to
the subscribed receiver (a real HTTP server on loopback), signed so that the Standard
Webhooks library verifies it, with the person as the API shows it. An event type the
subscription did not ask for goes nowhere."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from clientela.automation.models import WebhookDelivery
from clientela.automation.services import deliveries as service
from clientela.automation.tests.helpers import loopback, subscribe  # noqa: F401 - fixture
from clientela.contacts.details import EmailInput
from clientela.contacts.services import person_update
from clientela.core.events.dispatch import dispatch_pending
from clientela.core.models import OutboxEvent
from clientela.core.testing.api import Api
from clientela.core.testing.http_server import (  # noqa: F401 - fixture
    LoopbackHttpServer,
    http_server_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback")]


def test_a_person_created_reaches_the_subscribed_receiver_signed(
    admin: Any, rep_north: Any, person_factory: Any, http_server: LoopbackHttpServer
) -> None:
    webhook = subscribe(admin, http_server.url + "/crm", ["person.created"])
    person = person_factory(rep_north, first_name="Ana", emails=[EmailInput("ana@example.com")])
    person_update(actor=rep_north, person=person, data={"last_name": "Ruiz"})  # not subscribed
    assert OutboxEvent.objects.filter(type="person.updated", record_id=person.pk).exists()
    dispatch_pending()
    assert WebhookDelivery.objects.count() == 1
    service.deliveries_send_due()
    [request] = http_server.requests
    body = Webhook(webhook.secret).verify(request.body, request.headers)
    assert body["type"] == "person.created"
    shown = Api(rep_north).get(f"/api/v1/people/{person.pk}").json()
    assert body["data"]["id"] == shown["id"] == person.pk
    assert body["data"]["emails"] == shown["emails"]
    assert body["data"]["first_name"] == "Ana"
    # Dispatched again (a second worker pass): nothing is delivered twice.
    dispatch_pending()
    service.deliveries_send_due()
    assert len(http_server.requests) == 1
