"""The order import (one row per order line): shop exports guessed and imported, the
order kept whole, customers and products found or created, dry run, report and undo."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clientela.contacts.models import Person
from clientela.integrations import services
from clientela.integrations.models import ImportStatus
from clientela.integrations.tests.test_import_services import DATA, _media, import_file
from clientela.sales.models import Order, OrderLine, Product

pytestmark = pytest.mark.django_db

__all__ = ["_media"]


def all_issues(job: Any, dry_run: bool = False) -> list[tuple[int, str, str]]:
    return [(i.row, i.kind, i.message) for i in job.issues.filter(dry_run=dry_run).order_by("row", "id")]


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
    assert first.person.email == "ana@example.com"
    assert first.notes == "Gift wrap please"
    assert orders["#1002"].status == "open"
    assert orders["#1003"].status == "cancelled"
    assert orders["#1003"].person_id == first.person_id
    assert Person.objects.count() == 2
    assert set(Product.objects.values_list("sku", flat=True)) == {"MUG-01", "TOWEL-02"}
    assert OrderLine.objects.filter(order=first).count() == 2
