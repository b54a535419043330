"""CSV export of list views: only visible records, filters applied, formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_export_holds_only_what_the_user_may_see(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person_factory(rep_north, last_name="Northman")
    person_factory(rep_south, last_name="Southman")
    client.force_login(rep_north)
    rows = _rows(client.get("/people/export.csv"))
    names = [r[2] for r in rows[1:]]
    assert names == ["Northman"]


def test_export_applies_the_list_filters(client: Any, rep_north: Any, person_factory: Any) -> None:
    person_factory(rep_north, last_name="Tagged", tags=["VIP"])
    person_factory(rep_north, last_name="Plain")
    from clientela.core.models import Tag

    client.force_login(rep_north)
    rows = _rows(client.get(f"/people/export.csv?tag={Tag.objects.get().pk}&sort=-name"))
    assert [r[2] for r in rows[1:]] == ["Tagged"]


def test_export_neutralizes_formula_injection(
    client: Any, rep_north: Any, organization_factory: Any
) -> None:
    organization_factory(rep_north, name='=HYPERLINK("http://evil.example","x")')
    client.force_login(rep_north)
    rows = _rows(client.get("/organizations/export.csv"))
    assert rows[1][1].startswith("'=HYPERLINK")


def test_export_with_bad_filter_values_does_not_fail(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    rows = _rows(client.get("/people/export.csv?tag=abc&sort=nonsense&owner=99999999999999999999"))
    assert rows[0][0] == "id"


def test_export_requires_login(client: Any) -> None:
    response = client.get("/people/export.csv")
    assert response.status_code == 302
