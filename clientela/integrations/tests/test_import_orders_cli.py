"""``clientela import FILE --kind orders --user NAME``: as the people import."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from clientela.integrations.tests.test_import_cli import run_cli
from clientela.integrations.tests.test_import_services import DATA, _media
from clientela.sales.models import Order

pytestmark = pytest.mark.django_db

__all__ = ["_media"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: Any) -> None:
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_orders_import_from_the_command_line(manager_north: Any, capsys: Any) -> None:
    path = str(DATA / "shopify_orders.csv")
    args = ("import", path, "--kind", "orders", "--user", manager_north.username, "--no-progress")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert out.strip().splitlines()[-2:] == [
        "4 rows imported, 0 with 0 cells left out, 0 failed.",
        "created 4, updated 0, skipped 0, failed 0",
    ]
    assert "Name → order_number" in err
    assert Order.objects.count() == 3
    # Again: every order is there already.
    code, out, _err = run_cli(capsys, *args)
    assert code == 0
    assert out.strip().splitlines()[-1] == "created 0, updated 0, skipped 4, failed 0"


def test_failed_order_rows_exit_1_and_are_listed(manager_north: Any, capsys: Any) -> None:
    path = str(DATA / "orders_mistakes.csv")
    code, out, err = run_cli(
        capsys, "import", path, "--user", manager_north.username, "--no-progress"
    )
    assert code == 1
    assert out.strip().splitlines()[-1] == "created 2, updated 0, skipped 0, failed 7"
    assert "line 3, Order: The order number is missing." in err
    assert "line 6, Date “31/02/2024”: This date does not exist." in err
    assert "Traceback" not in err
