"""A quote's life as domain events: ``quote.sent`` when it is sent (and none if the
mail server refuses it: the send is undone), ``quote.accepted`` followed by its order's
``order.created``, and the daily expiry's ``quote.updated``; each carries the quote as
the API shows it and validates against its schema."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import jsonschema_rs
import pytest
from django.core.exceptions import ValidationError

from clientela.core.events import event_type
from clientela.core.models import OutboxEvent
from clientela.sales.models import Quote
from clientela.sales.services import quotes as services
from clientela.sales.tests.quote_helpers import make_quote

pytestmark = pytest.mark.django_db


def _after(seen: int, **filters: Any) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(pk__gt=seen, **filters).order_by("id"))


def _last_id() -> int:
    last = OutboxEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def _valid(event: OutboxEvent) -> None:
    known = event_type(event.type)
    assert known is not None
    jsonschema_rs.validator_for(dict(known.schema)).validate(event.data)


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@example.com")


def test_a_quote_sent(rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    seen = _last_id()
    services.quote_send(actor=rep_north, quote=quote)
    events = _after(seen, resource=Quote.RESOURCE)
    assert [e.type for e in events] == ["quote.updated", "quote.sent"]
    updated, sent = events
    assert "status" in updated.data["changed_fields"]
    assert (sent.record_id, sent.actor_id) == (quote.pk, rep_north.pk)
    assert (sent.data["id"], sent.data["status"], sent.data["version"]) == (quote.pk, "sent", 2)
    _valid(sent)


def test_a_send_the_mail_server_refuses_emits_nothing(rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    seen = _last_id()
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")),
        pytest.raises(ValidationError),
    ):
        services.quote_send(actor=rep_north, quote=quote)
    assert _after(seen) == []
    assert Quote.objects.get(pk=quote.pk).status == "draft"


def test_a_quote_accepted_then_its_order(rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    services.quote_send(actor=rep_north, quote=quote)
    seen = _last_id()
    order = services.quote_accept(actor=rep_north, quote=Quote.objects.get(pk=quote.pk))
    events = _after(seen)
    assert [e.type for e in events] == ["quote.updated", "quote.accepted", "order.created"]
    accepted, created = events[1:]
    assert (accepted.record_id, accepted.data["status"]) == (quote.pk, "accepted")
    assert (created.record_id, created.data["quote_id"]) == (order.pk, quote.pk)
    _valid(accepted)
    _valid(created)


def test_the_daily_expiry_is_an_update(rep_north: Any, ana: Any) -> None:
    quote = make_quote(
        rep_north, ana, issue_date=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 2, 1)
    )
    services.quote_send(actor=rep_north, quote=quote)
    seen = _last_id()
    assert services.quote_expire_due() == 1
    [expired] = _after(seen)
    assert (expired.type, expired.actor_id) == ("quote.updated", None)
    assert (expired.data["status"], expired.data["changed_fields"]) == ("expired", ["status"])
    _valid(expired)
