"""The order import (one row per order line): shop exports guessed and imported, the
order kept whole, customers and products found or created, dry run, report and undo."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from clientela.contacts.models import Person
from clientela.contacts.services import EmailInput
from clientela.core.choices import Interface
from clientela.core.context import interface
from clientela.core.models import AuditEntry, SearchEntry
from clientela.integrations import services
from clientela.integrations.imports import orders
from clientela.integrations.models import ImportJob, ImportStatus
from clientela.integrations.tests.test_import_services import DATA, _media, import_file, upload
from clientela.sales.models import Order, OrderLine, Product
from clientela.sales.services.catalogue import product_create
from clientela.sales.services.orders import order_create

pytestmark = pytest.mark.django_db

__all__ = ["_media"]


def all_issues(job: Any, dry_run: bool = False) -> list[tuple[int, str, str]]:
    return [
        (i.row, i.kind, i.message) for i in job.issues.filter(dry_run=dry_run).order_by("row", "id")
    ]


def test_shopify_export_is_guessed_and_imported(manager_north: Any) -> None:
    job = import_file(manager_north, DATA / "shopify_orders.csv")
    assert job.kind == "orders"
    assert job.status == ImportStatus.DONE, all_issues(job)
    assert (job.created, job.failed) == (4, 0), all_issues(job)
    orders = {o.external_id: o for o in Order.objects.all()}
    assert sorted(orders) == ["#1001", "#1002", "#1003"]
    first = orders["#1001"]
    assert first.total == Decimal("59.80")
    assert first.currency == "EUR"
    assert first.status == "fulfilled"
    assert first.person is not None
    assert first.person.email == "ana@example.com"
    assert first.notes == "Gift wrap please"
    assert orders["#1002"].status == "open"
    assert orders["#1003"].status == "cancelled"
    assert orders["#1003"].person_id == first.person_id
    assert Person.objects.count() == 2
    assert set(Product.objects.values_list("sku", flat=True)) == {"MUG-01", "TOWEL-02"}
    assert OrderLine.objects.filter(order=first).count() == 2


@pytest.mark.parametrize(
    ("name", "orders", "lines", "total", "statuses"),
    [
        ("woocommerce_orders.csv", 3, 4, Decimal("77.50"), {"fulfilled", "open", "cancelled"}),
        ("prestashop_orders.csv", 2, 3, Decimal("27.00"), {"fulfilled", "open"}),
        ("square_items.csv", 2, 3, Decimal("1362.75"), {"fulfilled"}),
    ],
)
def test_shop_exports_are_guessed_and_imported(
    manager_north: Any, name: str, orders: int, lines: int, total: Decimal, statuses: set[str]
) -> None:
    job = import_file(manager_north, DATA / name)
    assert job.kind == "orders"
    assert (job.created, job.failed) == (lines, 0), all_issues(job)
    assert Order.objects.count() == orders
    assert OrderLine.objects.count() == lines
    assert sum(o.total for o in Order.objects.all()) == total
    assert set(Order.objects.values_list("status", flat=True)) == statuses


def test_square_splits_date_and_time_and_reads_dollar_amounts(manager_north: Any) -> None:
    import_file(manager_north, DATA / "square_items.csv")
    order = Order.objects.get(external_id="T101")
    assert order.total == Decimal("1350.00")
    assert order.ordered_at.isoformat().startswith("2024-06-02T14:02:10")
    assert order.person is not None
    assert order.person.external_id == "SQ-CUST-2"
    assert str(order.person) == "Hal Reed"


def test_bad_cells_fail_their_row_and_an_order_whose_lines_disagree_fails_whole(
    manager_north: Any,
) -> None:
    job = import_file(manager_north, DATA / "orders_mistakes.csv")
    found = all_issues(job)
    errors = {(row, message) for row, kind, message in found if kind == "error"}
    assert (3, "The order number is missing.") in errors
    assert any(r == 4 and "“XYZ” is not a currency we know" in m for r, m in errors)
    assert (5, "The quantity must be a positive number with at most 3 decimals.") in errors
    assert (6, "This date does not exist.") in errors
    assert any(
        r == 7 and m == "The lines of order A-6 disagree on the currency: EUR, USD."
        for r, m in errors
    )
    assert any(r == 8 for r, m in errors)  # the other line of A-6
    assert (10, "The product is missing: give its SKU or name.") in errors
    # An unknown status is left out (the order is kept, taken as fulfilled).
    notes = [m for row, kind, m in found if row == 9 and kind == "note"]
    assert notes == [
        "Left out: “teleported” is not a status we know; the order is taken as fulfilled."
    ]
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["A-1", "A-7"]
    assert (job.created, job.failed, job.partial) == (2, 7, 1)
    assert Order.objects.get(external_id="A-7").status == "fulfilled"


def test_dry_run_writes_nothing_and_says_what_will_happen(manager_north: Any) -> None:
    job = import_file(manager_north, DATA / "shopify_orders.csv", dry_run=True)
    assert job.preview["created"] == 4
    assert job.preview["failed"] == 0
    assert [row["row"] for row in job.preview["rows"]] == [2, 4, 5]
    assert Order.objects.count() == Person.objects.count() == Product.objects.count() == 0


def test_the_same_file_again_skips_every_order(manager_north: Any) -> None:
    import_file(manager_north, DATA / "woocommerce_orders.csv")
    job = import_file(manager_north, DATA / "woocommerce_orders.csv")
    assert (job.created, job.skipped, job.failed) == (0, 4, 0)
    assert Order.objects.count() == 3
    assert Person.objects.count() == 2


def test_existing_customers_and_products_are_used(manager_north: Any, person_factory: Any) -> None:

    ana = person_factory(
        manager_north, first_name="Ana", last_name="Ruiz", emails=[EmailInput("ANA@example.com")]
    )
    mug = product_create(
        actor=manager_north,
        data={"sku": "mug-01", "name": "Mug", "unit_price": "9.00", "currency": "EUR"},
    )
    import_file(manager_north, DATA / "shopify_orders.csv")
    assert Order.objects.get(external_id="#1001").person_id == ana.pk
    assert OrderLine.objects.filter(product=mug).count() == 2
    assert Person.objects.count() == 2  # Ana was there; Bea is new


def test_a_rep_imports_orders_with_unknown_products_as_text(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "prestashop_orders.csv")
    assert (job.created, job.failed) == (3, 0), all_issues(job)
    assert Product.objects.count() == 0
    assert set(OrderLine.objects.values_list("description", flat=True)) == {
        "Notebook A5",
        "Pencil set",
    }
    notes = [m for _r, kind, m in all_issues(job) if kind == "note"]
    assert any("could not be added (Only admins and managers" in m for m in notes)


def test_undo_trashes_orders_and_what_the_import_created(
    manager_north: Any, person_factory: Any
) -> None:

    person_factory(
        manager_north, first_name="Bea", last_name="Soto", emails=[EmailInput("bea@example.com")]
    )
    job = import_file(manager_north, DATA / "shopify_orders.csv")
    done = services.import_undo(actor=manager_north, job=job)
    assert done == 3 + 1 + 2  # orders, Ana (created), two products; Bea was there
    assert not Order.objects.alive().exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert list(Person.objects.alive().values_list("last_name", flat=True)) == ["Soto"]
    assert not Product.objects.filter(deleted_at__isnull=True).exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE


def test_an_order_split_over_the_chunk_size_stays_whole(
    manager_north: Any, monkeypatch: Any
) -> None:
    rows = ["Order,Email,Date,SKU,Quantity,Unit price,Currency"]
    for n in range(1, 8):
        rows += [f"N-{n},c{n}@example.com,2024-02-0{n},S{k},1,1.00,EUR" for k in range(3)]
    monkeypatch.setattr(orders, "CHUNK", 4)  # chunks of 4 rows would cut every order
    job = import_file(manager_north, ("\n".join(rows) + "\n").encode(), "cut.csv")
    assert (job.created, job.failed) == (21, 0), all_issues(job)
    assert set(Order.objects.values_list("total", flat=True)) == {Decimal("3.00")}


def test_the_mapping_must_name_an_order_a_customer_a_product_and_a_price(
    manager_north: Any,
) -> None:

    job = upload(manager_north, DATA / "shopify_orders.csv")
    with pytest.raises(ValidationError) as caught:
        services.import_configure(
            actor=manager_north, job=job, kind="orders", mapping=[""] * len(job.headers)
        )
    assert caught.value.message_dict["mapping"] == [
        "Map a column to the order number.",
        "Map a column to the customer (e-mail, customer id or name).",
        "Map a column to the product (SKU or name).",
        "Map a column to the unit price or the line total.",
        "Map a column to the date of the order.",
    ]


def test_an_imported_order_is_the_order_the_service_makes(manager_north: Any) -> None:
    """Same order, lines, totals, audit entry and search entry as ``order_create``
    (only the number, the timestamps and the fulfilment time differ: an imported order
    was fulfilled when it was placed)."""

    job = import_file(manager_north, DATA / "shopify_orders.csv")
    imported = Order.objects.get(external_id="#1001")
    made, _created = order_create(
        actor=manager_north,
        data={
            "external_id": "#1001-service",
            "person_id": imported.person_id,
            "currency": "EUR",
            "status": "fulfilled",
            "ordered_at": imported.ordered_at,
            "notes": "Gift wrap please",
            "lines": [
                {
                    "product_id": line.product_id,
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                    "discount_percent": "0",
                    "tax_rate": "0",
                }
                for line in imported.lines.all()
            ],
        },
    )
    skip = {"id", "number", "external_id", "created_at", "updated_at", "fulfilled_at"}

    def fields(order: Order) -> dict[str, Any]:
        return {
            f.attname: getattr(order, f.attname)
            for f in Order._meta.concrete_fields
            if f.attname not in skip
        }

    def lines(order: Order) -> list[tuple[Any, ...]]:
        # Every column of a line but its own id and order's (not the writer's list).
        names = [f.attname for f in OrderLine._meta.concrete_fields]
        kept = [n for n in names if n not in ("id", "order_id", "created_at", "updated_at")]
        return list(order.lines.values_list(*kept))

    made.refresh_from_db()
    assert fields(imported) == fields(made)
    assert lines(imported) == lines(made)
    content_type = ContentType.objects.get_for_model(Order)

    def audit(order: Order) -> tuple[Any, ...]:
        entry = AuditEntry.objects.get(content_type=content_type, object_id=order.pk)
        changes = {k: v for k, v in entry.changes.items() if k not in ("number", "external_id")}
        return entry.action, entry.actor_id, entry.object_repr == order.number, changes

    assert audit(imported) == audit(made)
    assert AuditEntry.objects.get(content_type=content_type, object_id=imported.pk).interface == (
        Interface.IMPORT
    )

    def entry(order: Order) -> tuple[Any, ...]:
        found = SearchEntry.objects.get(resource=Order.RESOURCE, object_id=order.pk)
        own = set(order.number.lower().replace("-", " ").split())
        own |= set(order.external_id.lower().replace("#", " ").replace("-", " ").split())
        text = [w for w in found.text.split() if w not in own]
        return found.owner_id, found.team_id, found.subtitle, found.title == order.number, text

    with interface(Interface.WEB):
        assert entry(imported) == entry(made)
    assert job.created == 4


def test_the_import_pages_show_an_order_file(client: Any, manager_north: Any) -> None:
    """Uploaded on the page, guessed as orders, mapped, checked and imported: every page
    answers and says what it does."""
    client.force_login(manager_north)
    data = (DATA / "shopify_orders.csv").read_bytes()
    response = client.post(
        reverse("integrations:import-new-kind", kwargs={"kind": "orders"}),
        {"file": SimpleUploadedFile("orders.csv", data, content_type="text/csv"), "kind": ""},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.kind == "orders"
    page = client.get(response["Location"]).content.decode()
    assert "Order number" in page
    assert "Lineitem sku" in page
    services.import_check(actor=manager_north, job=job)
    page = client.get(response["Location"]).content.decode()
    assert "4 rows will be imported, 0 with 0 cells left out, 0 will fail." in page
    assert "#1001 · Ana Ruiz" in page
    job.refresh_from_db()
    services.import_start(actor=manager_north, job=job)
    services.import_run(job=job)
    page = client.get(response["Location"]).content.decode()
    assert "4 rows imported" in page
    orders_page = client.get(reverse("sales:order-list")).content.decode()
    assert reverse("integrations:import-new-kind", kwargs={"kind": "orders"}) in orders_page


def test_an_excel_order_file_with_real_dates_and_numbers(manager_north: Any, tmp_path: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Order number", "Email", "Order date", "SKU", "Quantity", "Unit price"])
    # Excel keeps no time zone: a naive date and time is the installation's.
    at = datetime.datetime(2024, 7, 1, 9, 30)  # noqa: DTZ001
    sheet.append(["X-1", "kim@example.com", at, "TEA", 2, 3.5])
    sheet.append(["X-1", "kim@example.com", at, "CUP", 1, 12])
    sheet.append(["X-2", "kim@example.com", datetime.date(2024, 7, 3), "TEA", 1, 3.5])
    path = tmp_path / "orders.xlsx"
    book.save(path)
    job = import_file(manager_north, path)
    assert job.kind == "orders"
    assert (job.created, job.failed) == (3, 0), all_issues(job)
    first = Order.objects.get(external_id="X-1")
    assert first.total == Decimal("19.00")
    assert first.ordered_at.isoformat().startswith("2024-07-01T09:30:00")
    assert first.currency == "USD"  # the base currency: the file has none
