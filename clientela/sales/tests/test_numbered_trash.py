"""Deleting a numbered document voids it: a quote becomes void, an order cancelled, both
go to the trash with their number still taken (numbering has no gaps), come back with
the status they had, and are never purged; the trash says so."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.core.errors import NotFound
from clientela.core.selectors import audit_history
from clientela.core.services import record_purge, trash_purge
from clientela.sales.models import Order, Quote
from clientela.sales.services import orders as order_services
from clientela.sales.services import quotes as quote_services
from clientela.sales.tests.quote_helpers import make_quote
from clientela.sales.tests.test_orders_services import make_order
from clientela.sales.tests.test_quotes_services import ana, sent

pytestmark = pytest.mark.django_db

__all__ = ["ana"]  # the fixture


def test_a_deleted_quote_is_void_keeps_its_number_and_comes_back_as_it_was(
    rep_north: Any, rep_north2: Any, ana: Any
) -> None:
    quote = sent(rep_north, make_quote(rep_north, ana))
    number = quote.number
    quote_services.quote_trash(actor=rep_north, quote=quote, expected_version=quote.version)
    stored = Quote.objects.get(pk=quote.pk)
    assert (stored.status, stored.status_before_void, stored.number) == ("void", "sent", number)
    assert stored.deleted_at is not None
    # The next quote takes the next number: none is given back, none is skipped.
    following = make_quote(rep_north, ana)
    assert int(following.number[-4:]) == int(number[-4:]) + 1
    with pytest.raises(NotFound):  # a teammate who did not delete it
        quote_services.quote_restore(actor=rep_north2, quote=stored)
    assert Quote.objects.get(pk=quote.pk).status == "void"  # nothing changed
    quote_services.quote_restore(actor=rep_north, quote=stored)
    back = Quote.objects.get(pk=quote.pk)
    assert (back.status, back.status_before_void, back.deleted_at) == ("sent", "", None)
    changes = [e.changes.get("status") for e in audit_history(record=back) if e.changes]
    assert ["sent", "void"] in changes
    assert ["void", "sent"] in changes


def test_a_deleted_order_is_cancelled_and_comes_back_open(
    rep_north: Any, admin: Any, ana: Any
) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    order_services.order_trash(actor=rep_north, order=order, expected_version=1)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.status_before_void) == ("cancelled", "open")
    assert stored.cancelled_at is not None
    order_services.order_restore(actor=admin, order=stored)
    back = Order.objects.get(pk=order.pk)
    assert (back.status, back.cancelled_at, back.deleted_at) == ("open", None, None)


def test_a_cancelled_order_deleted_and_restored_stays_cancelled(rep_north: Any, ana: Any) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    order = order_services.order_set_status(
        actor=rep_north, order=order, status="cancelled", expected_version=1
    )
    cancelled_at = Order.objects.get(pk=order.pk).cancelled_at
    order_services.order_trash(actor=rep_north, order=order)
    order_services.order_restore(actor=rep_north, order=Order.objects.get(pk=order.pk))
    back = Order.objects.get(pk=order.pk)
    assert (back.status, back.cancelled_at) == ("cancelled", cancelled_at)


def test_numbered_documents_are_never_purged(rep_north: Any, admin: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    order = make_order(rep_north, person_id=ana.pk)
    quote_services.quote_trash(actor=rep_north, quote=quote)
    order_services.order_trash(actor=rep_north, order=order)
    purged, kept = record_purge(
        actor=admin, records=[Quote.objects.get(pk=quote.pk), Order.objects.get(pk=order.pk)]
    )
    assert purged == 0
    assert {type(r) for r in kept} == {Quote, Order}
    # Long past the trash's days, the automatic purge leaves them too.
    old = timezone.now() - datetime.timedelta(days=3650)
    Quote.objects.filter(pk=quote.pk).update(deleted_at=old)
    Order.objects.filter(pk=order.pk).update(deleted_at=old)
    assert trash_purge(models=[Quote, Order]) == 0
    assert Quote.objects.filter(pk=quote.pk).exists()
    assert Order.objects.filter(pk=order.pk).exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_trash_says_why_a_document_stays(
    client: Client, rep_north: Any, ana: Any, language: str
) -> None:
    rep_north.language = language
    rep_north.save()
    quote = make_quote(rep_north, ana)
    quote_services.quote_trash(actor=rep_north, quote=quote)
    client.force_login(rep_north)
    page = client.get("/trash/").content.decode()
    assert quote.number in page
    expected = {
        "en": "Void: the trash keeps it for good, so its number stays taken.",
        "es": "Anulado: la papelera lo guarda para siempre, así que su número sigue ocupado.",
    }
    assert expected[language] in page
