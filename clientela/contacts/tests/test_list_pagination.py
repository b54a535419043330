"""Paging through a long list (``core.pagination``): the page says where it is, counts
exactly near the end and as "at least" elsewhere, and links to the pages around it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PEOPLE = reverse("contacts:person-list")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def twenty(admin: Any, person_factory: Any, settings: Any, monkeypatch: Any) -> None:
    settings.CLIENTELA_PAGE_SIZE = 5
    monkeypatch.setattr("clientela.core.pagination.LOOKAHEAD_PAGES", 2)
    for i in range(20):
        person_factory(admin, first_name="P", last_name=f"Person{i:02d}")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def page_links(html: str) -> list[str]:
    return re.findall(r'aria-label="Page (\d+)"', html)


def test_far_from_the_end_the_total_is_a_lower_bound(client: Any, admin: Any, twenty: None) -> None:
    client.force_login(admin)
    html = client.get(PEOPLE).content.decode()
    assert "Page 1 of 3+" in text(html)
    assert "Showing 1–5 of 11+ records" in text(html)
    assert page_links(html) == ["2", "3"]
    assert f'href="{PEOPLE}?page=2"' in html
    assert "Person04" in html
    assert "Person05" not in html


def test_near_the_end_the_total_is_exact(client: Any, admin: Any, twenty: None) -> None:
    client.force_login(admin)
    html = client.get(PEOPLE, {"page": 3}, **HTMX).content.decode()
    assert "Page 3 of 4" in text(html)
    assert "4+" not in text(html)
    assert "Showing 11–15 of 20 records" in text(html)
    assert page_links(html) == ["1", "2", "4"]
    html = client.get(PEOPLE, {"page": 4}, **HTMX).content.decode()
    assert "Showing 16–20 of 20 records" in text(html)
    assert "Person19" in html


def test_old_links_past_the_end_show_the_last_page(client: Any, admin: Any, twenty: None) -> None:
    client.force_login(admin)
    html = client.get(PEOPLE, {"page": 40}).content.decode()
    assert "Page 4 of 4" in text(html)
    assert "Person19" in html
    assert "Person19" in client.get(PEOPLE, {"page": "9" * 40}).content.decode()
    for junk in ("junk", "-1", "0", "1.5"):
        response = client.get(PEOPLE, {"page": junk})
        assert response.status_code == 200
        assert "Person00" in response.content.decode()


def test_a_single_page_shows_no_page_links(client: Any, admin: Any, person_factory: Any) -> None:
    person_factory(admin, last_name="Alone")
    client.force_login(admin)
    html = client.get(PEOPLE).content.decode()
    assert "Showing 1–1 of 1 record" in text(html)
    assert 'aria-label="Pages"' not in html
