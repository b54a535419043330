"""Issue 10 in Chromium (Playwright) on core's pages, at 1280 and 390 px, in English and
Spanish; screenshots go to test-artifacts/:

* item 9 — the header search says what it finds, ranks a whole-word match ("José")
  above the names it only begins ("Josefa", "Joseph"), and groups the hits by kind
  under a heading each;
* item 12 — every page has a title of its own and the favicon loads.
"""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.browser import SCREEN_IDS, SCREENS, overflow, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WORDS = {
    "en": {
        "hint": ("people", "organizations", "leads", "deals", "quotes", "orders"),
        "groups": {"People", "Organizations"},
    },
    "es": {
        "hint": (
            "personas",
            "organizaciones",
            "clientes potenciales",
            "oportunidades",
            "presupuestos",
            "pedidos",
        ),
        "groups": {"Personas", "Organizaciones"},
    },
}

#: The search drop-down, in order: ("group", label) headings and ("hit", title) links.
_RESULTS = """Array.from(document.querySelectorAll('#search-results .search-group, \
#search-results .search-hit')).map(e => [e.classList.contains('search-group') ? 'group' : 'hit', \
(e.classList.contains('search-hit') ? e.querySelector('span span').textContent : \
e.textContent).trim()])"""


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_the_header_search_ranks_whole_words_first_and_groups_by_kind(
    open_as: Any,
    rep_north: Any,
    person_factory: Any,
    organization_factory: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    for first, last in (("Josefa", "Ruiz"), ("Josefina", "Gil"), ("Joseph", "Smith")):
        person_factory(rep_north, first_name=first, last_name=last)
    person_factory(rep_north, first_name="José", last_name="Martínez")
    organization_factory(rep_north, name="José Martínez e Hijos")
    page = open_as(rep_north, width, language=language)
    page.goto("/")
    box = page.locator("#header-search")
    assert box.is_visible()
    hint = box.get_attribute("placeholder") or ""
    assert all(kind in hint for kind in words["hint"]), hint
    box.fill("José")
    wait_until(page, "document.querySelectorAll('#search-results .search-hit').length >= 5")
    results: list[list[str]] = page.evaluate(_RESULTS)
    groups = [text for what, text in results if what == "group"]
    assert set(groups) == words["groups"]
    # Hits sit under their kind's heading.
    kind_of: dict[str, str] = {}
    current = ""
    for what, text in results:
        if what == "group":
            current = text
        else:
            kind_of[text] = current
    people, organizations = sorted(words["groups"], key=lambda g: g[0] != "P")
    assert kind_of["José Martínez e Hijos"] == organizations
    hits = [text for what, text in results if what == "hit" and kind_of[text] == people]
    assert hits[0] == "José Martínez", hits  # the whole word before the beginnings
    assert set(hits[1:]) == {"Josefa Ruiz", "Josefina Gil", "Joseph Smith"}
    page.screenshot(path=str(artifacts_dir / f"search-groups-{width}px-{language}.png"))
    assert overflow(page) <= 1


#: Pages of every kind of screen: lists, a board, a report, the trash, settings, search.
PAGES = (
    "/",
    "/people/",
    "/organizations/",
    "/leads/",
    "/deals/board/",
    "/quotes/",
    "/orders/",
    "/products/",
    "/tasks/",
    "/calendar/",
    "/trash/",
    "/search/?q=ana",
    "/settings/",
    "/settings/users/",
    "/settings/currencies/",
)


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_every_page_has_its_own_title_and_the_favicon(
    open_as: Any,
    admin: Any,
    artifacts_dir: Any,
    width: int,
    language: str,
) -> None:
    page = open_as(admin, width, language=language)
    titles = {}
    for path in PAGES:
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        title = page.title()
        assert title.endswith(" · Clientela"), (path, title)
        assert title.removesuffix(" · Clientela").strip(), f"{path} has no title of its own"
        titles[path] = title
    assert len(set(titles.values())) == len(PAGES), titles
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    fetched = page.request.get(icon)
    assert fetched.status == 200
    assert fetched.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in fetched.body()
    page.screenshot(path=str(artifacts_dir / f"titled-settings-{width}px-{language}.png"))
