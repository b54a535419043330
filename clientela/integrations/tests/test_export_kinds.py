"""Every exportable kind of the registry gets CSV, XLSX and JSON export (vCard stays
with people and organizations): leads, deals, quotes, orders, products and tasks,
through ``/export/<kind>.<fmt>``, the ``clientela export`` command and the list
actions."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from clientela.activities.schemas import task_out
from clientela.activities.selectors import task_get
from clientela.activities.services import task_create
from clientela.core.kinds import record_kind
from clientela.core.registry import list_actions_for
from clientela.integrations.exports import FORMATS, KINDS, formats_for
from clientela.sales.api.deals import deal_out
from clientela.sales.api.leads import lead_out
from clientela.sales.api.orders_schemas import order_out
from clientela.sales.api.quotes import quote_out
from clientela.sales.selectors.deals import deal_get
from clientela.sales.selectors.leads import lead_get
from clientela.sales.selectors.orders import order_detail
from clientela.sales.selectors.quotes import quote_get
from clientela.sales.services.common import LineInput
from clientela.sales.services.deals import deal_update
from clientela.sales.services.leads import lead_create
from clientela.sales.services.orders import order_create
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage
from clientela.sales.tests.quote_helpers import make_product, make_quote

pytestmark = pytest.mark.django_db

SALES = ["leads", "deals", "quotes", "orders", "products", "tasks"]
TABULAR = ["csv", "xlsx", "json"]
ORDERED = datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC)


def url(kind: str, fmt: str, query: str = "") -> str:
    base = reverse("integrations:export", kwargs={"kind": kind, "fmt": fmt})
    return f"{base}?{query}" if query else base


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def table(fmt: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX export as dicts by header (cells as text)."""
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def get(client: Any, kind: str, fmt: str, query: str = "") -> Any:
    data = body(client.get(url(kind, fmt, query)))
    return json.loads(data) if fmt == "json" else table(fmt, data)


@pytest.fixture
def sales(
    admin: Any, rep_north: Any, rep_south: Any, person_factory: Any, organization_factory: Any
) -> dict[str, Any]:
    """One record of each sales kind owned in the North, one in the South."""
    pipeline = make_pipeline("Bakeries")
    acme = organization_factory(rep_north, name="Acme Ovens")
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz")
    sid = person_factory(rep_south, first_name="Sid", last_name="South")
    deal = make_deal(
        rep_north,
        pipeline,
        title="North ovens",
        amount="1234.5",
        currency="EUR",
        close_date="2026-05-31",
        organization_id=acme.pk,
        person_ids=[ana.pk],
    )
    lines: list[LineInput] = [
        {"description": "Table", "quantity": "2", "unit_price": "50.00", "tax_rate": "21"}
    ]
    north_order, _new = order_create(
        actor=rep_north,
        data={"currency": "EUR", "ordered_at": ORDERED, "person_id": ana.pk, "lines": lines},
    )
    return {
        "deal": deal,
        "south_deal": make_deal(rep_south, pipeline, title="South ovens"),
        "lead": lead_create(
            actor=rep_north, data={"first_name": "Nina", "last_name": "Norte", "company": "N SL"}
        ),
        "south_lead": lead_create(actor=rep_south, data={"first_name": "Sol", "company": "S SA"}),
        "quote": make_quote(rep_north, ana),
        "south_quote": make_quote(rep_south, sid),
        "order": north_order,
        "south_order": order_create(
            actor=rep_south,
            data={"currency": "USD", "ordered_at": ORDERED, "person_id": sid.pk, "lines": lines},
        )[0],
        "task": task_create(
            actor=rep_north,
            data={"title": "Call Ana", "person_ids": [ana.pk], "organization_id": acme.pk},
        ),
        "south_task": task_create(actor=rep_south, data={"title": "Call Sid"}),
        "product": make_product(admin, sku="OVEN-1", name="Oven", unit_price="999.90"),
        "old_product": make_product(admin, sku="OLD-1", name="Old oven", is_active=False),
        "pipeline": pipeline,
    }


def test_every_sales_kind_is_exportable_with_its_urls() -> None:
    assert set(SALES) <= set(KINDS)
    for kind in SALES:
        assert [f.key for f in formats_for(KINDS[kind])] == TABULAR
        assert url(kind, "csv") == f"/export/{kind}.csv"
    assert [f.key for f in formats_for(KINDS["people"])] == ["csv", "xlsx", "vcf", "json"]
    # Their API bodies need the request; their exports write plain values instead.
    assert {"interactions", "appointments"} <= set(KINDS)
    assert record_kind("activities.appointment").exportable


@pytest.mark.parametrize("kind", SALES)
@pytest.mark.parametrize("fmt", TABULAR)
def test_content_type_and_file_name(
    client: Any, rep_north: Any, sales: Any, kind: str, fmt: str
) -> None:
    client.force_login(rep_north)
    response = client.get(url(kind, fmt))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == FORMATS[fmt].content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{kind}-')
    assert disposition.endswith(f'.{FORMATS[fmt].extension}"')


@pytest.mark.parametrize(
    "path",
    ["/export/deals.vcf", "/export/leads.pdf", "/export/appointments.vcf", "/export/deal.csv"],
)
def test_vcard_of_a_sales_kind_or_a_bad_format_is_404(
    client: Any, rep_north: Any, path: str
) -> None:
    client.force_login(rep_north)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_deal_columns_are_what_a_spreadsheet_wants(
    client: Any, rep_north: Any, sales: Any, fmt: str
) -> None:
    client.force_login(rep_north)
    (row,) = get(client, "deals", fmt)
    assert row["id"] == str(sales["deal"].pk)
    assert (row["title"], row["pipeline"], row["stage"]) == ("North ovens", "Bakeries", "Lead in")
    # Money as a decimal string in the currency's decimals, beside its currency.
    assert (row["amount"], row["currency"]) == ("1234.50", "EUR")
    assert row["expected close date"] == "2026-05-31"
    assert (row["organization"], row["people"], row["owner"]) == (
        "Acme Ovens",
        "Ana Ruiz",
        "nora_north",
    )
    assert (row["status"], row["probability (%)"]) == ("open", "10")
    datetime.datetime.fromisoformat(row["updated"])  # ISO 8601


def test_quote_and_order_columns(client: Any, rep_north: Any, sales: Any) -> None:
    client.force_login(rep_north)
    (quote,) = get(client, "quotes", "csv")
    assert (quote["number"], quote["status"], quote["person"]) == (
        sales["quote"].number,
        "draft",
        "Ana Ruiz",
    )
    assert (quote["currency"], quote["subtotal"], quote["total"]) == ("EUR", "108.90", "129.90")
    assert quote["date"] == sales["quote"].issue_date.isoformat()
    assert quote["lines"].splitlines() == [
        "Desk,2,50.00,0.00,21.00,121.00",
        "Lamp,1,8.90,0.00,0.00,8.90",
    ]
    (order,) = get(client, "orders", "csv")
    assert (order["number"], order["status"], order["person"]) == (
        sales["order"].number,
        "open",
        "Ana Ruiz",
    )
    assert (order["currency"], order["total"], order["tax"]) == ("EUR", "121.00", "21.00")
    assert datetime.datetime.fromisoformat(order["ordered"].replace("Z", "+00:00")) == ORDERED
    assert order["lines"] == "Table,2,50.00,0,21,121.00"


def test_lead_and_product_columns(client: Any, rep_north: Any, sales: Any) -> None:
    client.force_login(rep_north)
    (lead,) = get(client, "leads", "csv")
    assert (lead["first name"], lead["last name"], lead["company"]) == ("Nina", "Norte", "N SL")
    assert (lead["status"], lead["owner"]) == ("new", "nora_north")
    (product,) = get(client, "products", "xlsx")  # the active ones, as the list shows
    assert (product["SKU"], product["name"], product["unit price"]) == ("OVEN-1", "Oven", "999.90")
    assert (product["currency"], product["tax rate (%)"], product["active"]) == (
        "EUR",
        "21.00",
        "yes",
    )


def test_task_columns(client: Any, rep_north: Any, sales: Any) -> None:
    client.force_login(rep_north)
    (task,) = get(client, "tasks", "xlsx")
    assert (task["title"], task["status"], task["priority"]) == ("Call Ana", "open", "normal")
    assert (task["assignee"], task["owner"]) == ("nora_north", "nora_north")
    assert (task["organization"], task["people"]) == ("Acme Ovens", "Ana Ruiz")
    datetime.datetime.fromisoformat(task["created"])
    (body_,) = get(client, "tasks", "json")
    assert body_ == task_out(task_get(user=rep_north, pk=sales["task"].pk)).model_dump(mode="json")


def test_json_is_the_api_body_of_each_record(client: Any, rep_north: Any, sales: Any) -> None:
    client.force_login(rep_north)
    expected = {
        "leads": lead_out(lead_get(user=rep_north, pk=sales["lead"].pk)),
        "deals": deal_out(deal_get(user=rep_north, pk=sales["deal"].pk)),
        "quotes": quote_out(quote_get(user=rep_north, pk=sales["quote"].pk)),
        "orders": order_out(order_detail(rep_north, sales["order"].pk)),
    }
    for kind, out in expected.items():
        assert get(client, kind, "json") == [out.model_dump(mode="json")], kind


@pytest.mark.parametrize("fmt", TABULAR)
@pytest.mark.parametrize("kind", ["leads", "deals", "quotes", "orders", "tasks"])
def test_a_rep_gets_only_what_they_may_see(
    client: Any, rep_north: Any, rep_south: Any, sales: Any, kind: str, fmt: str
) -> None:
    singular = kind[:-1]
    for user, key in ((rep_north, singular), (rep_south, f"south_{singular}")):
        client.force_login(user)
        rows = get(client, kind, fmt)
        assert [str(r["id"]) for r in rows] == [str(sales[key].pk)], (user, kind)


def test_admin_gets_every_team(client: Any, admin: Any, sales: Any) -> None:
    client.force_login(admin)
    for kind in ("leads", "deals", "quotes", "orders"):
        assert len(get(client, kind, "json")) == 2, kind
    # The task list's tabs: by default the open tasks assigned to the user.
    assert get(client, "tasks", "json") == []
    assert len(get(client, "tasks", "json", "view=all")) == 2


def test_the_list_filters_and_order_apply(
    client: Any, admin: Any, rep_north: Any, sales: Any
) -> None:
    won = stage(sales["pipeline"], "Closed won")
    deal_update(actor=rep_north, deal=sales["deal"], data={"stage_id": won.pk})
    client.force_login(admin)
    assert [d["title"] for d in get(client, "deals", "json", "status=won")] == ["North ovens"]
    titles = [d["title"] for d in get(client, "deals", "json", "sort=title")]
    assert titles == ["North ovens", "South ovens"]
    assert [d["title"] for d in get(client, "deals", "json", "sort=-title")] == titles[::-1]
    assert [x["first_name"] for x in get(client, "leads", "json", "q=nina")] == ["Nina"]
    assert get(client, "quotes", "json", "status=sent") == []
    assert [o["currency"] for o in get(client, "orders", "json", "sort=currency")] == [
        "EUR",
        "USD",
    ]
    shown = [p["sku"] for p in get(client, "products", "json", "show=all&sort=sku")]
    assert shown == ["OLD-1", "OVEN-1"]
    assert [p["sku"] for p in get(client, "products", "json", "show=inactive")] == ["OLD-1"]


@pytest.mark.parametrize("kind", SALES)
def test_bad_filter_values_are_left_out_on_the_web(
    client: Any, rep_north: Any, sales: Any, kind: str
) -> None:
    """As the list page does: the export holds what the user saw."""
    client.force_login(rep_north)
    query = "status=nonsense&sort=shoe_size&show=everything&view=any&owner=abc"
    assert get(client, kind, "json", query) == get(client, kind, "json")
    assert get(client, kind, "csv", query)[0]["id"]


@pytest.mark.parametrize(
    ("kind", "query", "name"),
    [
        ("deals", "sort=shoe_size", "sort"),
        ("leads", "status=nonsense", "status"),
        ("quotes", "status=nonsense", "status"),
        ("quotes", "sort=shoe_size", "sort"),
        ("orders", "date_from=yesterday", "date_from"),
        ("products", "show=everything", "show"),
        ("products", "sort=-shoe_size", "sort"),
        ("tasks", "view=everything", "view"),
    ],
)
def test_bad_filters_are_a_clear_error_on_the_command_line(
    rep_north: Any, kind: str, query: str, name: str
) -> None:
    with pytest.raises(CommandError, match=f"--filters: {name}: "):
        call_command("export", kind, "--user", "nora_north", "--filters", query)


def test_command_exports_a_sales_kind(sales: Any) -> None:
    out = io.StringIO()
    call_command("export", "deals", "--user", "nora_north", "--format", "json", stdout=out)
    assert [d["title"] for d in json.loads(out.getvalue())] == ["North ovens"]
    with pytest.raises(CommandError, match="VCF"):
        call_command("export", "deals", "--user", "nora_north", "--format", "vcf")


def test_each_exportable_kind_gets_the_export_menu_of_its_formats() -> None:
    for kind in KINDS.values():
        actions = {a.key: a for a in list_actions_for(kind.resource) if a.menu}
        assert sorted(actions) == sorted(f"export-{f.key}" for f in formats_for(kind))
        assert actions["export-csv"].url == f"/export/{kind.path}.csv"


def test_queries_do_not_grow_with_the_records(client: Any, admin: Any, sales: Any) -> None:
    """The records stream in chunks, with what the body needs read per chunk."""
    client.force_login(admin)

    def count(kind: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            body(client.get(url(kind, "csv")))
        return len(queries)

    count("deals")  # the session and the role's rights, read once
    before = {kind: count(kind) for kind in ("deals", "quotes", "orders")}
    make_deal(admin, sales["pipeline"], title="Third")
    make_quote(admin, sales["quote"].person)
    order_create(
        actor=admin,
        data={
            "currency": "EUR",
            "ordered_at": ORDERED,
            "lines": [{"description": "X", "quantity": "1", "unit_price": "1.00"}],
            "person_id": sales["quote"].person_id,
        },
    )
    assert {kind: count(kind) for kind in before} == before


@pytest.mark.parametrize("kind", ["leads", "deals", "quotes", "orders", "products", "tasks"])
def test_list_page_offers_its_formats_with_its_filters(
    client: Any, rep_north: Any, kind: str
) -> None:
    client.force_login(rep_north)
    html = client.get(reverse(KINDS[kind].url("list")) + "?sort=-id&page=2").content.decode()
    for fmt in TABULAR:
        assert f'href="/export/{kind}.{fmt}?sort=-id"' in html, fmt
    assert f"/export/{kind}.vcf" not in html
