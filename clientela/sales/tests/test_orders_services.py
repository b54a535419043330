"""Order services: create (totals, idempotent push, the race of two pushes), status
changes, trash and restore, and bad input (nothing is saved)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.selectors import audit_history
from clientela.sales.models import DocumentSequence, ExchangeRate, Order, Product, SalesSettings
from clientela.sales.selectors.orders import orders_for
from clientela.sales.services import orders as services

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC)


# --- fixtures shared by the order tests (imported by the other test modules) ------------


@pytest.fixture
def chair(db: Any) -> Product:
    return Product.objects.create(
        sku="CH-1",
        name="Chair",
        unit_price=Decimal("100.00"),
        currency="EUR",
        tax_rate=Decimal("21"),
    )


@pytest.fixture
def rates(db: Any) -> None:
    """Base currency USD; 1 EUR = 1.10 USD; no rate for GBP."""
    settings = SalesSettings.load()
    settings.base_currency = "USD"
    settings.save()
    ExchangeRate.objects.create(
        currency="EUR", rate=Decimal("1.10"), valid_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz")


@pytest.fixture
def acme(rep_north: Any, organization_factory: Any) -> Any:
    return organization_factory(rep_north, name="Acme")


@pytest.fixture
def sid(rep_south: Any, person_factory: Any) -> Any:
    return person_factory(rep_south, first_name="Sid", last_name="South")


def order_data(**extra: Any) -> services.OrderData:
    data: dict[str, Any] = {
        "currency": "EUR",
        "ordered_at": WHEN,
        "lines": [{"description": "Table", "quantity": "1", "unit_price": "50.00"}],
        **extra,
    }
    return data  # type: ignore[return-value]


def make_order(actor: Any, **extra: Any) -> Order:
    order, _created = services.order_create(actor=actor, data=order_data(**extra))
    return order


# --- create -------------------------------------------------------------------------------


def test_totals_are_computed_per_line_and_rounded(rep_north: Any, ana: Any, chair: Any) -> None:
    order = make_order(
        rep_north,
        person_id=ana.pk,
        lines=[
            {"product_id": chair.pk, "quantity": "2", "discount_percent": "10"},
            {"description": "Delivery", "quantity": "1.5", "unit_price": "9.99", "tax_rate": "0"},
        ],
        total="232.79",
    )
    assert order.number.startswith("O-")
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("194.99"),
        Decimal("37.80"),
        Decimal("232.79"),
    )
    first, second = order.lines.order_by("position")
    assert first.description == "Chair"
    assert first.unit_price == Decimal("100.00")
    assert (first.subtotal, first.tax, first.total) == (
        Decimal("180.00"),
        Decimal("37.80"),
        Decimal("217.80"),
    )
    assert second.total == Decimal("14.99")  # 14.985 rounded half up
    assert (order.owner, order.team) == (rep_north, rep_north.team)
    entry = audit_history(record=order).get(action="create")
    assert entry.changes["total"] == [None, "232.79"]


def test_pushing_an_external_id_again_returns_the_first_order(rep_north: Any, ana: Any) -> None:
    first, created = services.order_create(
        actor=rep_north, data=order_data(person_id=ana.pk, external_id="shop-1001")
    )
    again, created_again = services.order_create(
        actor=rep_north,
        data=order_data(person_id=ana.pk, external_id=" shop-1001 ", currency="USD"),
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.currency == "EUR"
    assert Order.objects.filter(external_id="shop-1001").count() == 1


def test_a_race_of_two_pushes_ends_with_one_order(
    rep_north: Any, ana: Any, monkeypatch: Any
) -> None:
    """The other push commits between our check and our insert: the unique constraint
    refuses ours, its savepoint rolls back (number included), and we return theirs."""
    theirs = make_order(rep_north, person_id=ana.pk, external_id="shop-7")
    real = services._existing_by_external_id
    calls = {"n": 0}

    def not_yet_on_first_look(actor: Any, external_id: str) -> Order | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(actor, external_id)

    monkeypatch.setattr(services, "_existing_by_external_id", not_yet_on_first_look)
    ours, created = services.order_create(
        actor=rep_north, data=order_data(person_id=ana.pk, external_id="shop-7")
    )
    assert not created
    assert ours.pk == theirs.pk
    assert calls["n"] == 2
    assert Order.objects.count() == 1
    # The rolled-back insert gave its number back: numbering has no gap.
    assert DocumentSequence.objects.get(kind="order").last == 1


def test_an_external_id_of_another_team_is_a_conflict_without_details(
    rep_north: Any, rep_south: Any, ana: Any, sid: Any
) -> None:
    make_order(rep_north, person_id=ana.pk, external_id="shop-9")
    with pytest.raises(ValidationError) as exc:
        services.order_create(
            actor=rep_south, data=order_data(person_id=sid.pk, external_id="shop-9")
        )
    assert set(exc.value.message_dict) == {"external_id"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (
            {"lines": [{"description": "X", "quantity": "-2", "unit_price": "5"}]},
            "lines.0.quantity",
        ),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "ESP"}, "currency"),
        (
            {"lines": [{"description": "X", "unit_price": "5", "discount_percent": "120"}]},
            "lines.0.discount_percent",
        ),
        ({"lines": [{"description": "X", "unit_price": 5.5}]}, "lines.0.unit_price"),
        ({"lines": [{"description": "X", "unit_price": "-1"}]}, "lines.0.unit_price"),
        ({"lines": [{"description": "X"}]}, "lines.0.unit_price"),
        ({"lines": [{"product_id": 999999, "quantity": "1"}]}, "lines.0.product_id"),
        ({"lines": []}, "lines"),
        ({"total": "51.00"}, "total"),
        ({"total": "fifty"}, "total"),
        ({"person_id": 999999}, "person_id"),
        ({"status": "shipped"}, "status"),
        ({"ordered_at": datetime.datetime(2025, 3, 1, 10, 0)}, "ordered_at"),  # noqa: DTZ001
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    rep_north: Any, ana: Any, extra: dict[str, Any], field: str
) -> None:
    extra.setdefault("person_id", ana.pk)
    with pytest.raises(ValidationError) as exc:
        services.order_create(actor=rep_north, data=order_data(**extra))
    assert field in exc.value.message_dict
    assert Order.objects.count() == 0
    assert not DocumentSequence.objects.filter(last__gt=0).exists()


def test_a_customer_is_required_and_must_be_visible(rep_north: Any, sid: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.order_create(actor=rep_north, data=order_data())
    assert "person_id" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.order_create(actor=rep_north, data=order_data(person_id=sid.pk))
    assert "person_id" in exc.value.message_dict  # South's person: unknown to North
    assert Order.objects.count() == 0


def test_a_bad_line_does_not_also_report_a_wrong_total(rep_north: Any, ana: Any) -> None:
    lines = [
        {"description": "Table", "quantity": "1", "unit_price": "50.00"},
        {"description": "Lamp", "quantity": "0", "unit_price": "10.00"},
    ]
    with pytest.raises(ValidationError) as exc:
        services.order_create(
            actor=rep_north, data=order_data(person_id=ana.pk, lines=lines, total="60.00")
        )
    assert set(exc.value.message_dict) == {"lines.1.quantity"}


def test_a_read_only_user_cannot_create(reader: Any, ana: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.order_create(actor=reader, data=order_data(person_id=ana.pk))


# --- status changes -----------------------------------------------------------------------


def test_fulfil_then_cancel_stamps_times_and_is_audited(rep_north: Any, ana: Any) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    fulfilled = services.order_set_status(
        actor=rep_north, order=order, status="fulfilled", expected_version=1
    )
    assert fulfilled.status == "fulfilled"
    assert fulfilled.fulfilled_at is not None
    assert fulfilled.version == 2
    cancelled = services.order_set_status(actor=rep_north, order=fulfilled, status="cancelled")
    assert cancelled.cancelled_at is not None
    assert cancelled.version == 3
    changes = [e.changes for e in audit_history(record=order).filter(action="update")]
    assert any(c.get("status") == ["open", "fulfilled"] for c in changes)
    assert any(c.get("status") == ["fulfilled", "cancelled"] for c in changes)


def test_a_cancelled_order_cannot_be_fulfilled_or_reopened(rep_north: Any, ana: Any) -> None:
    order = make_order(rep_north, person_id=ana.pk, status="cancelled")
    assert order.cancelled_at is not None
    for status in ("fulfilled", "open"):
        with pytest.raises(ValidationError) as exc:
            services.order_set_status(actor=rep_north, order=order, status=status)
        assert "status" in exc.value.message_dict
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.version == 1


def test_setting_the_same_status_changes_nothing(rep_north: Any, ana: Any) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    same = services.order_set_status(actor=rep_north, order=order, status="open")
    assert same.version == 1
    assert not audit_history(record=order).filter(action="update").exists()


def test_a_stale_version_is_refused(rep_north: Any, ana: Any) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    services.order_set_status(actor=rep_north, order=order, status="fulfilled")
    with pytest.raises(VersionConflict):
        services.order_set_status(
            actor=rep_north, order=order, status="cancelled", expected_version=1
        )


def test_another_team_cannot_change_or_trash_the_order(
    rep_north: Any, rep_south: Any, ana: Any
) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    with pytest.raises(NotFound):
        services.order_set_status(actor=rep_south, order=order, status="cancelled")
    with pytest.raises(NotFound):
        services.order_trash(actor=rep_south, order=order)
    order.refresh_from_db()
    assert order.status == "open"
    assert order.deleted_at is None


def test_trash_and_restore(rep_north: Any, rep_north2: Any, admin: Any, ana: Any) -> None:
    order = make_order(rep_north, person_id=ana.pk)
    services.order_trash(actor=rep_north, order=order, expected_version=1)
    assert not orders_for(rep_north).filter(pk=order.pk).exists()
    with pytest.raises(NotFound):  # a teammate did not delete it
        services.order_restore(actor=rep_north2, order=order)
    services.order_restore(actor=admin, order=order)
    assert orders_for(rep_north).filter(pk=order.pk).exists()
    actions = set(audit_history(record=order).values_list("action", flat=True))
    assert {"create", "delete", "restore"} <= actions
