"""The top bar in Chromium (Playwright): labelled menus from 992 px, opened with the
mouse or the keyboard, the current page's menu marked; the compact menu on a phone;
in English and Spanish. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clientela.core.registry import NavGroup, NavItem, nav_groups, nav_items
from clientela.core.testing.browser import overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENUS = {
    "en": {
        "activities": "Activities",
        "contacts": "Contacts",
        "sales": "Sales",
        "service": "Service",
        "analytics": "Analytics",
    },
    "es": {
        "activities": "Actividades",
        "contacts": "Contactos",
        "sales": "Ventas",
        "service": "Servicio",
        "analytics": "Análisis",
    },
}
LINKS = {"en": ("People", "Organizations"), "es": ("Personas", "Organizaciones")}


def _toggle(page: Any, key: str) -> Any:
    return page.locator(f"#nav-menu-{key}")


def _assert_menus_on_one_row(page: Any, keys: list[str], labels: dict[str, str]) -> None:
    tops = set()
    for key in keys:
        toggle = _toggle(page, key)
        assert toggle.is_visible(), key
        assert toggle.inner_text().strip() == labels[key]
        box = toggle.bounding_box()
        assert box is not None
        assert box["width"] > 30, f"{key}'s label is squeezed"
        tops.add(round(box["y"]))
    assert len(tops) == 1, f"the menus wrap onto {len(tops)} rows"
    assert not page.locator(".navbar-toggler").is_visible()
    assert overflow(page) <= 1


@pytest.mark.parametrize("width", [1280, 1000])
@pytest.mark.parametrize("language", ["en", "es"])
def test_labelled_menus_from_992_px(
    open_as: Any,
    admin: Any,
    artifacts_dir: Any,
    language: str,
    width: int,
) -> None:
    page = open_as(admin, width, language=language)
    labels = MENUS[language]
    page.goto("/deals/board/")
    _assert_menus_on_one_row(page, list(labels), labels)
    # The current page's menu is marked, for the eye and for screen readers.
    assert "active" in (_toggle(page, "sales").get_attribute("class") or "")
    assert _toggle(page, "sales").get_attribute("aria-current") == "true"
    assert _toggle(page, "contacts").get_attribute("aria-current") is None

    # From the keyboard: the menu opens, the arrow keys walk it, Enter follows a link.
    people, organizations = LINKS[language]
    _toggle(page, "contacts").focus()
    page.keyboard.press("Enter")
    menu = page.locator("#nav-menu-contacts + .dropdown-menu")
    menu.get_by_role("link", name=people).wait_for(state="visible")
    assert _toggle(page, "contacts").get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(artifacts_dir / f"nav-menus-{width}px-{language}.png"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == organizations
    page.keyboard.press("Enter")
    page.wait_for_url("**/organizations/")
    assert _toggle(page, "contacts").get_attribute("aria-current") == "true"
    # (The closed menu is hidden from the accessibility tree: found by its address.)
    assert menu.locator("a[href='/organizations/']").get_attribute("aria-current") == "page"


def test_six_menus_still_fit_at_1000_px_in_spanish(
    open_as: Any,
    admin: Any,
    artifacts_dir: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The modules about to arrive, each with a menu of its own (the live server runs
    # in this process, so it renders these too).
    for order, (key, label, icon) in enumerate(
        [
            ("service", "Servicio", "bi-life-preserver"),
            ("marketing", "Marketing", "bi-megaphone"),
            ("analytics", "Análisis", "bi-bar-chart"),
        ]
    ):
        monkeypatch.setitem(nav_groups, key, NavGroup(key, label, icon, 50 + order))
        monkeypatch.setitem(
            nav_items, f"{key}-home", NavItem(f"{key}-home", label, "core:search", group=key)
        )
    page = open_as(admin, 1000, language="es")
    page.goto("/people/")
    labels = {**MENUS["es"], "service": "Servicio", "marketing": "Marketing"}
    labels["analytics"] = "Análisis"
    page.screenshot(path=str(artifacts_dir / "nav-six-menus-1000px-es.png"))
    _assert_menus_on_one_row(page, list(labels), labels)


@pytest.mark.parametrize("language", ["en", "es"])
def test_compact_menu_on_a_phone(
    open_as: Any,
    support: Any,
    artifacts_dir: Any,
    language: str,
) -> None:
    page = open_as(support, 390, language=language)
    page.goto("/people/")
    assert overflow(page) <= 1
    # The labelled dropdowns are for wide screens; here the ☰ button opens the menu.
    assert not _toggle(page, "contacts").is_visible()
    panel = page.locator("#main-nav")
    assert not panel.is_visible()
    page.locator(".navbar-toggler").tap()
    page.locator("#main-nav.show:not(.showing)").wait_for()  # slid in
    headings = panel.locator(".nav-compact h3")
    headings.first.wait_for(state="visible")
    labels = MENUS[language]
    # Support works from its tickets: they come first, then the customer base.
    assert [h.strip() for h in headings.all_inner_texts()] == [
        labels["service"],
        labels["contacts"],
        labels["activities"],
        labels["sales"],
        "Marketing",  # the same word in both languages
        labels["analytics"],
    ]
    people, organizations = LINKS[language]
    current = panel.get_by_role("link", name=people)
    assert current.get_attribute("aria-current") == "page"
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 391
    page.screenshot(path=str(artifacts_dir / f"nav-phone-390px-{language}.png"))
    panel.get_by_role("link", name=organizations).tap()
    page.wait_for_url("**/organizations/")
    assert not page.locator("#main-nav").is_visible()
    assert re.search(organizations, page.title())
