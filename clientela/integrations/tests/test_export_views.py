"""``/export/<kind>.<fmt>``: the list's filters, content types and file names, 404 for
what does not exist, and the "Export" menu on the contacts list pages. (Moved here, and
widened to every format, from the first CSV export's tests in contacts.)"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clientela.contacts.services import AddressInput
from clientela.core.models import Tag
from clientela.integrations.exports import FORMATS

pytestmark = pytest.mark.django_db


def url(kind: str, fmt: str, query: str = "") -> str:
    base = reverse("integrations:export", kwargs={"kind": kind, "fmt": fmt})
    return f"{base}?{query}" if query else base


def body(response: Any) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def test_urls() -> None:
    assert url("people", "csv") == "/export/people.csv"
    assert url("organizations", "vcf") == "/export/organizations.vcf"


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("csv", "text/csv; charset=utf-8", "csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("vcf", "text/vcard; charset=utf-8", "vcf"),
        ("json", "application/json", "json"),
    ],
)
@pytest.mark.parametrize("kind", ["people", "organizations"])
def test_content_type_and_file_name(
    client: Any, rep_north: Any, kind: str, fmt: str, content_type: str, extension: str
) -> None:
    client.force_login(rep_north)
    response = client.get(url(kind, fmt))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{kind}-')
    assert disposition.endswith(f'.{extension}"')
    data = body(response)
    if fmt != "vcf":  # no cards is an empty vCard file; the others hold a header or []
        assert data


@pytest.mark.parametrize(
    "path", ["/export/people.pdf", "/export/pipelines.csv", "/export/people.x.csv"]
)
def test_unknown_kind_or_format_is_404(client: Any, rep_north: Any, path: str) -> None:
    client.force_login(rep_north)
    assert client.get(path).status_code == 404


def test_export_requires_login(client: Any) -> None:
    response = client.get(url("people", "csv"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_export_is_get_only(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.post(url("people", "json")).status_code == 405


def test_export_holds_only_what_the_user_may_see(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person_factory(rep_north, last_name="Northman")
    person_factory(rep_south, last_name="Southman")
    client.force_login(rep_north)
    rows = csv_rows(client.get(url("people", "csv")))
    assert [r[2] for r in rows[1:]] == ["Northman"]
    records = json.loads(body(client.get(url("people", "json"))))
    assert [r["last_name"] for r in records] == ["Northman"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_applies_the_list_filters(
    client: Any, rep_north: Any, person_factory: Any, fmt: str
) -> None:
    person_factory(rep_north, last_name="Tagged", tags=["VIP"])
    person_factory(rep_north, last_name="Plain")
    client.force_login(rep_north)
    data = body(client.get(url("people", fmt, f"tag={Tag.objects.get().pk}&sort=-name")))
    if fmt == "xlsx":  # zipped: read the cells
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        data = repr(list(sheet.iter_rows(values_only=True))).encode()
    assert b"Tagged" in data
    assert b"Plain" not in data


def test_export_applies_search_city_and_sort(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    for name, city in [("Alba", "Madrid"), ("Bruno", "Madrid"), ("Carla", "Lima")]:
        person_factory(rep_north, last_name=name, addresses=[_address(city)])
    client.force_login(rep_north)
    records = json.loads(body(client.get(url("people", "json", "city=Madrid&sort=-name"))))
    assert [r["last_name"] for r in records] == ["Bruno", "Alba"]
    rows = csv_rows(client.get(url("people", "csv", "q=carla")))
    assert [r[2] for r in rows[1:]] == ["Carla"]


def _address(city: str) -> Any:
    return AddressInput("ES", "work", "", city, "", "", True)


def test_export_neutralizes_formula_injection(
    client: Any, rep_north: Any, organization_factory: Any
) -> None:
    organization_factory(rep_north, name='=HYPERLINK("http://evil.example","x")')
    client.force_login(rep_north)
    rows = csv_rows(client.get(url("organizations", "csv")))
    assert rows[1][1].startswith("'=HYPERLINK")


def test_export_with_bad_filter_values_does_not_fail(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    query = "tag=abc&sort=nonsense&owner=99999999999999999999&country=XX"
    for fmt in FORMATS:
        assert client.get(url("people", fmt, query)).status_code == 200
    rows = csv_rows(client.get(url("people", "csv", query)))
    assert rows[0][0] == "id"


@pytest.mark.parametrize(
    ("kind", "list_name"), [("people", "person"), ("organizations", "organization")]
)
def test_list_page_offers_every_format_with_its_filters(
    client: Any, rep_north: Any, kind: str, list_name: str
) -> None:
    client.force_login(rep_north)
    page = client.get(reverse(f"contacts:{list_name}-list") + "?city=Lima&page=2")
    html = page.content.decode()
    assert 'data-bs-toggle="dropdown"' in html
    assert "Export" in html
    for fmt in FORMATS:
        # The filters travel with the link; the page number does not.
        assert f'href="/export/{kind}.{fmt}?city=Lima"' in html
    assert "/people/export.csv" not in html  # the old contacts export is gone
