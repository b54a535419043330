"""Paging through a long list (``core.pagination``): the page says where it is, counts
exactly near the end and as "at least" elsewhere, and links to the pages around it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from clientela.core.testing.browser import overflow

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


# --- the exact total, asked for once the page is shown (issue 10, item 2) -------------

COUNT = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list-count"}


def test_a_lower_bound_asks_for_the_exact_total_after_the_page(
    client: Any, admin: Any, twenty: None
) -> None:
    client.force_login(admin)
    html = client.get(PEOPLE, {"city": ""}).content.decode()
    assert 'id="list-count"' in html
    assert 'hx-trigger="load"' in html
    assert 'id="list-last"' in html  # where the last page's link goes
    answer = client.get(PEOPLE, **COUNT)
    assert answer.status_code == 200
    assert "Showing 1–5 of 20 records" in text(answer.content.decode())
    assert "Page 1 of 4" in text(answer.content.decode())
    assert f'href="{PEOPLE}?page=4"' in answer.content.decode()
    assert "Person00" not in answer.content.decode()  # the count, not the rows


def test_an_exact_total_asks_for_nothing(client: Any, admin: Any, twenty: None) -> None:
    client.force_login(admin)
    html = client.get(PEOPLE, {"page": 4}).content.decode()
    assert 'id="list-count"' not in html
    assert 'id="list-last"' not in html


def test_the_exact_total_counts_the_filters_and_only_what_the_user_may_see(
    client: Any, admin: Any, rep_south: Any, person_factory: Any, twenty: None
) -> None:
    for i in range(3):
        person_factory(rep_south, first_name="S", last_name=f"Southwood{i}")
    client.force_login(admin)
    answer = client.get(PEOPLE, {"q": "Southwood"}, **COUNT).content.decode()
    assert "Showing 1–3 of 3 records" in text(answer)
    client.force_login(rep_south)  # the admin's 20 people are another team's
    answer = client.get(PEOPLE, **COUNT).content.decode()
    assert "Showing 1–3 of 3 records" in text(answer)


def test_the_total_is_kept_briefly_per_user_and_filters(
    client: Any, admin: Any, person_factory: Any, twenty: None
) -> None:
    client.force_login(admin)
    assert "of 20 records" in text(client.get(PEOPLE, **COUNT).content.decode())
    person_factory(admin, first_name="P", last_name="Person20")
    # Within the minute the count is the one already made; another filter counts anew.
    assert "of 20 records" in text(client.get(PEOPLE, **COUNT).content.decode())
    assert "of 21 records" in text(client.get(PEOPLE, {"sort": "-name"}, **COUNT).content.decode())


def test_a_page_past_the_end_gets_the_last_pages_count(
    client: Any, admin: Any, twenty: None
) -> None:
    client.force_login(admin)
    answer = text(client.get(PEOPLE, {"page": 99}, **COUNT).content.decode())
    assert "Showing 16–20 of 20 records" in answer
    assert "Page 4 of 4" in answer


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_in_the_browser_the_exact_total_follows_the_page(
    open_as: Any,
    admin: Any,
    twenty: None,
    language: str,
    width: int,
    artifacts_dir: Any,
) -> None:
    page = open_as(admin, width, language=language)
    page.goto(PEOPLE)
    words = {"en": ("of 20 records", "Page 1 of 4"), "es": ("de 20 registros", "Página 1 de 4")}
    total, pages = words[language]
    page.locator("#list-count").get_by_text(total).wait_for()
    assert pages in page.locator("#list-pages").inner_text()
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"list-exact-count-{width}px-{language}.png"))
    if width < 576:
        # A phone shows the exact count but, as for the page numbers, no last-page link
        # (Bootstrap's sm): Previous and Next stay.
        assert not page.locator("#list-last a").is_visible()
        return
    page.locator("#list-last a").click()
    page.get_by_text("Person19").wait_for()
    assert page.url.endswith("?page=4")
