"""Quote services: numbering without gaps (also after a failed save), catalogue prices,
totals, editing drafts, revisions, accept (the order, once), reject, expiry, trash,
permissions and bad input (nothing saved)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.selectors import audit_history
from clientela.sales import tasks
from clientela.sales.models import (
    DocumentSequence,
    Order,
    Quote,
    QuoteLine,
    SalesSettings,
)
from clientela.sales.services import catalogue as catalogue_services
from clientela.sales.services import quotes as services
from clientela.sales.services.common import LineInput
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", preferred_language="es")


def year() -> int:
    return timezone.localdate().year


def sent(actor: Any, quote: Quote) -> Quote:
    """Mark a quote sent without e-mail (the sending itself has its own tests)."""
    Quote.objects.filter(pk=quote.pk).update(status="sent", sent_at=timezone.now())
    quote.refresh_from_db()
    return quote


# --- create ---------------------------------------------------------------------------


def test_create_computes_totals_and_defaults(rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    assert quote.number == f"Q-{year()}-00001"
    assert quote.revision == 1
    assert quote.status == "draft"
    assert quote.language == "es"  # the person's language
    assert quote.issue_date == timezone.localdate()
    assert quote.valid_until == quote.issue_date + datetime.timedelta(days=30)
    # 2 × 50 = 100 + 21 % = 121; 8.90 untaxed
    assert (quote.subtotal, quote.tax_total, quote.total) == (D("108.90"), D("21.00"), D("129.90"))
    lines = list(quote.lines.order_by("position"))
    assert [line.total for line in lines] == [D("121.00"), D("8.90")]
    assert sum(line.total for line in lines) == quote.total
    assert (quote.owner, quote.team) == (rep_north, rep_north.team)
    assert [e.action for e in audit_history(record=quote)] == ["create"]


def test_numbers_are_sequential(rep_north: Any, ana: Any) -> None:
    numbers = [make_quote(rep_north, ana).number for _ in range(3)]
    assert numbers == [f"Q-{year()}-0000{n}" for n in (1, 2, 3)]


def test_numbering_has_no_gap_after_a_failed_save(rep_north: Any, ana: Any) -> None:
    make_quote(rep_north, ana)
    # Bad input: refused before a number is taken.
    with pytest.raises(ValidationError):
        make_quote(
            rep_north, ana, lines=[{"description": "X", "quantity": "-1", "unit_price": "1"}]
        )
    # A failure while saving, after the number was taken: the whole transaction rolls back.
    with (
        mock.patch.object(QuoteLine.objects, "bulk_create", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        make_quote(rep_north, ana)
    assert Quote.objects.count() == 1
    assert make_quote(rep_north, ana).number == f"Q-{year()}-00002"
    assert DocumentSequence.objects.get(kind="quote").last == 2


def test_product_lines_take_the_catalogue_price(admin: Any, rep_north: Any, ana: Any) -> None:
    chair = make_product(admin, name="Chair", unit_price="100.00", currency="EUR", tax_rate="21")
    mexico = catalogue_services.price_list_create(
        actor=admin, data={"name": "Mexico", "currency": "MXN"}
    )
    catalogue_services.price_list_set_items(
        actor=admin, price_list=mexico, items=[{"product_id": chair.pk, "unit_price": "2000"}]
    )
    eur = make_quote(rep_north, ana, lines=[{"product_id": chair.pk, "quantity": "2"}])
    line = eur.lines.get()
    assert (line.description, line.unit_price, line.tax_rate) == ("Chair", D("100.00"), D("21"))
    assert eur.total == D("242.00")
    mxn = make_quote(rep_north, ana, currency="MXN", lines=[{"product_id": chair.pk}])
    assert mxn.lines.get().unit_price == D("2000")
    with pytest.raises(ValidationError) as exc:  # no price in GBP anywhere
        make_quote(rep_north, ana, currency="GBP", lines=[{"product_id": chair.pk}])
    assert "lines.0.unit_price" in exc.value.message_dict


def test_jpy_quote_rounds_to_whole_yen(rep_north: Any, ana: Any) -> None:
    quote = make_quote(
        rep_north,
        ana,
        currency="JPY",
        lines=[
            {
                "description": "Tea",
                "quantity": "3",
                "unit_price": "333",
                "discount_percent": "5",
                "tax_rate": "10",
            }
        ],
    )
    assert (quote.subtotal, quote.tax_total, quote.total) == (D("949"), D("95"), D("1044"))


def test_bad_input_is_refused_and_nothing_saved(
    rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    southerner = person_factory(rep_south)
    with pytest.raises(ValidationError) as exc:
        services.quote_create(
            actor=rep_north,
            data={
                "person_id": southerner.pk,  # not visible to North
                "currency": "ABC",
                "language": "fr",
                "issue_date": datetime.date(2025, 3, 10),
                "valid_until": datetime.date(2025, 3, 1),
                "lines": [
                    {"description": "A", "quantity": "-2", "unit_price": "1"},
                    {
                        "description": "B",
                        "quantity": "1",
                        "unit_price": "1",
                        "discount_percent": "101",
                    },
                    {"quantity": "1"},
                ],
            },
        )
    errors = exc.value.message_dict
    assert {"person_id", "currency", "language", "valid_until"} <= set(errors)
    assert "lines.0.quantity" in errors
    assert "lines.1.discount_percent" in errors
    assert "lines.2.description" in errors
    assert not Quote.objects.exists()
    assert not QuoteLine.objects.exists()


def test_a_quote_needs_a_customer_and_lines(rep_north: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.quote_create(actor=rep_north, data={"currency": "EUR", "lines": []})
    assert set(exc.value.message_dict) == {"person_id", "lines"}


def test_readers_cannot_create(reader: Any, admin: Any, person_factory: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_quote(reader, person_factory(admin))


def test_validity_follows_the_settings(admin: Any, rep_north: Any, ana: Any) -> None:
    catalogue_services.sales_settings_update(actor=admin, data={"quote_validity_days": 7})
    quote = make_quote(rep_north, ana, issue_date=datetime.date(2025, 1, 1))
    assert quote.valid_until == datetime.date(2025, 1, 8)
    assert SalesSettings.load().quote_validity_days == 7


# --- update ---------------------------------------------------------------------------


def test_update_a_draft_replaces_lines(rep_north: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    updated = services.quote_update(
        actor=rep_north,
        quote=quote,
        data={
            "lines": [
                {"description": "Sofa", "quantity": "1", "unit_price": "500", "tax_rate": "10"}
            ]
        },
        expected_version=1,
    )
    assert updated.version == 2
    assert updated.total == D("550.00")
    assert [line.description for line in updated.lines.all()] == ["Sofa"]
    with pytest.raises(VersionConflict):
        services.quote_update(actor=rep_north, quote=quote, data={"notes": "x"}, expected_version=1)


def test_an_edit_that_changes_nothing_keeps_the_version(rep_north: Any, ana: Any) -> None:
    quote = make_quote(
        rep_north, ana, lines=[{"description": "Desk", "quantity": "2", "unit_price": "50"}]
    )
    same = services.quote_update(actor=rep_north, quote=quote, data={"notes": ""})
    assert same.version == 1
    assert [e.action for e in audit_history(record=same)] == ["create"]
    # A change of one line's text alone is a change: a new version, audited.
    line: LineInput = {"description": "Oak desk", "quantity": "2", "unit_price": "50"}
    renamed = services.quote_update(actor=rep_north, quote=same, data={"lines": [line]})
    assert renamed.version == 2
    entry = audit_history(record=renamed).first()
    assert entry is not None
    assert list(entry.changes) == ["lines"]
    assert "Oak desk" in str(entry.changes["lines"][1])


def test_changing_the_currency_reprices_existing_lines(rep_north: Any, ana: Any) -> None:
    quote = make_quote(
        rep_north, ana, lines=[{"description": "X", "quantity": "1", "unit_price": "10.40"}]
    )
    updated = services.quote_update(actor=rep_north, quote=quote, data={"currency": "JPY"})
    assert updated.currency == "JPY"
    assert updated.total == D("10")


def test_only_drafts_are_edited(rep_north: Any, ana: Any) -> None:
    quote = sent(rep_north, make_quote(rep_north, ana))
    with pytest.raises(ValidationError) as exc:
        services.quote_update(actor=rep_north, quote=quote, data={"notes": "x"})
    assert "status" in exc.value.message_dict


# --- revisions ------------------------------------------------------------------------


def test_revise_makes_a_new_draft_with_the_same_number(rep_north: Any, ana: Any) -> None:
    first = sent(rep_north, make_quote(rep_north, ana))
    second = services.quote_revise(actor=rep_north, quote=first)
    assert (second.number, second.revision, second.previous_id) == (first.number, 2, first.pk)
    assert second.status == "draft"
    assert second.label == f"{first.number}-2"
    assert second.total == first.total
    assert second.lines.count() == 2
    first.refresh_from_db()
    assert first.status == "sent"
    with pytest.raises(ValidationError):  # only the newest revision
        services.quote_revise(actor=rep_north, quote=first)
    with pytest.raises(ValidationError):  # a draft is edited, not revised
        services.quote_revise(actor=rep_north, quote=second)
    with pytest.raises(ValidationError):  # an old revision cannot be accepted
        services.quote_accept(actor=rep_north, quote=first)


# --- accept, reject, expire -----------------------------------------------------------


def test_accept_creates_the_order_once(rep_north: Any, ana: Any) -> None:
    quote = sent(rep_north, make_quote(rep_north, ana))
    order = services.quote_accept(actor=rep_north, quote=quote)
    assert isinstance(order, Order)
    assert (order.quote_id, order.person_id, order.total, order.currency) == (
        quote.pk,
        ana.pk,
        D("129.90"),
        "EUR",
    )
    assert order.lines.count() == 2
    quote.refresh_from_db()
    assert quote.status == "accepted"
    assert quote.decided_at is not None
    with pytest.raises(ValidationError) as exc:
        services.quote_accept(actor=rep_north, quote=quote)
    assert "status" in exc.value.message_dict
    assert Order.objects.count() == 1


def test_a_draft_or_expired_quote_cannot_be_accepted(rep_north: Any, ana: Any) -> None:
    draft = make_quote(rep_north, ana)
    with pytest.raises(ValidationError):
        services.quote_accept(actor=rep_north, quote=draft)
    old = sent(
        rep_north,
        make_quote(
            rep_north,
            ana,
            issue_date=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2020, 1, 31),
        ),
    )
    with pytest.raises(ValidationError):
        services.quote_accept(actor=rep_north, quote=old)
    assert not Order.objects.exists()
    for quote in (draft, old):
        quote.refresh_from_db()
    assert (draft.status, old.status) == ("draft", "sent")


def test_reject(rep_north: Any, ana: Any) -> None:
    quote = sent(rep_north, make_quote(rep_north, ana))
    services.quote_reject(actor=rep_north, quote=quote)
    quote.refresh_from_db()
    assert quote.status == "rejected"
    with pytest.raises(ValidationError):
        services.quote_accept(actor=rep_north, quote=quote)
    assert services.quote_revise(actor=rep_north, quote=quote).revision == 2


def test_expire_due_marks_only_sent_quotes_past_validity(rep_north: Any, ana: Any) -> None:
    past = sent(
        rep_north,
        make_quote(
            rep_north,
            ana,
            issue_date=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2020, 2, 1),
        ),
    )
    current = sent(rep_north, make_quote(rep_north, ana))
    draft = make_quote(
        rep_north, ana, issue_date=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 2, 1)
    )
    assert services.quote_expire_due() == 1
    assert services.quote_expire_due() == 0
    statuses = {q.pk: q.status for q in Quote.objects.all()}
    assert statuses == {past.pk: "expired", current.pk: "sent", draft.pk: "draft"}


def test_expiry_task_runs_the_service(rep_north: Any, ana: Any) -> None:
    sent(
        rep_north,
        make_quote(
            rep_north,
            ana,
            issue_date=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2020, 2, 1),
        ),
    )
    with mock.patch.object(tasks, "ensure_quote_expiry_scheduled") as ensure:
        assert tasks.expire_due_quotes.call() == 1
    ensure.assert_called_once_with(exclude_running=True)


# --- trash and scope ------------------------------------------------------------------


def test_trash_and_visibility(rep_north: Any, rep_south: Any, ana: Any) -> None:
    quote = make_quote(rep_north, ana)
    with pytest.raises(NotFound):
        services.quote_update(actor=rep_south, quote=quote, data={"notes": "x"})
    with pytest.raises(NotFound):
        services.quote_trash(actor=rep_south, quote=quote)
    services.quote_trash(actor=rep_north, quote=quote)
    quote.refresh_from_db()
    assert quote.deleted_at is not None


def test_an_accepted_quote_cannot_be_trashed(rep_north: Any, ana: Any) -> None:
    quote = sent(rep_north, make_quote(rep_north, ana))
    services.quote_accept(actor=rep_north, quote=quote)
    with pytest.raises(ValidationError):
        services.quote_trash(actor=rep_north, quote=quote)
