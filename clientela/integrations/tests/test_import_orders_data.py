"""The order import on real purchase histories (``../shared/data``, golden figures in its
README): CDNOW's 69,659 purchases and Chinook's invoices, imported as a shop's order
files through the same services as the page and the command line, totals to the cent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.db.models import Sum

from clientela.contacts.models import Person
from clientela.core.testing.data import shared_data
from clientela.integrations import services
from clientela.integrations.models import ImportJob, ImportStatus
from clientela.integrations.tests.order_data import cdnow_csv, chinook_csv
from clientela.integrations.tests.test_import_services import _media
from clientela.sales.models import Order, OrderLine, Product

pytestmark = [pytest.mark.django_db, pytest.mark.bigdata]

__all__ = ["_media"]


def run_import(user: Any, path: Path) -> ImportJob:
    """Upload, guess, dry run and import in this process (as ``clientela import``)."""
    with path.open("rb") as handle:
        job = services.import_upload(
            actor=user, upload=File(handle), filename=path.name, read_now=True
        )
    assert job.kind == "orders"
    job = services.import_configure(actor=user, job=job, kind=job.kind, mapping=job.mapping)
    counts = services.import_check_run(job=job)
    assert counts.failed == 0
    services.import_start(actor=user, job=job, queue=False)
    services.import_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    return job


def total(model: Any) -> Decimal:
    return sum(model.objects.values_list("total", flat=True), Decimal(0))


def test_cdnow_purchases_import_to_the_cent(admin: Any, tmp_path: Path) -> None:
    path = tmp_path / "cdnow-orders.csv"
    assert cdnow_csv(shared_data("cdnow", "CDNOW_master.txt"), path) == 69_659
    job = run_import(admin, path)
    assert (job.rows_total, job.created, job.failed, job.skipped) == (69_659, 69_659, 0, 0)
    assert Order.objects.count() == 69_659
    # Summed in Python: SQLite sums decimals as floats.
    assert total(Order) == total(OrderLine) == Decimal("2500315.63")
    assert Person.objects.count() == 23_570
    assert Product.objects.count() == 1
    # The CDs bought: a line total no single price gives is two lines, same quantity.
    assert OrderLine.objects.aggregate(n=Sum("quantity"))["n"] == 167_881
    first = Order.objects.get(external_id="CD-1")
    assert first.person is not None
    assert (first.person.external_id, str(first.person), first.total) == (
        "00001",
        "Customer 00001",
        Decimal("11.77"),
    )


def test_chinook_invoices_import_to_the_cent(admin: Any, tmp_path: Path) -> None:
    path = tmp_path / "chinook-orders.csv"
    assert chinook_csv(shared_data("chinook", "chinook.json"), path) == 2240
    job = run_import(admin, path)
    assert (job.created, job.failed) == (2240, 0)
    assert Order.objects.count() == 412
    assert total(Order) == total(OrderLine) == Decimal("2328.60")
    assert Person.objects.count() == 59
    assert OrderLine.objects.count() == 2240
    # The same track name is one product.
    assert Product.objects.count() == OrderLine.objects.values("product").distinct().count()
