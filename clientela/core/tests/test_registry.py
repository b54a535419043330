"""The extension points higher apps use to show themselves on lower pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from clientela.core.models import RolePermission, User
from clientela.core.registry import (
    NavGroup,
    NavItem,
    nav_for,
    nav_groups,
    nav_items,
    nav_menus_for,
    register_nav_item,
)
from clientela.core.services import role_permission_update


def test_top_bar_links_come_from_the_registry(db: Any, rep_north: Any, admin: Any) -> None:
    rep_links = [item.key for item in nav_for(rep_north)]
    assert rep_links.index("people") < rep_links.index("organizations")
    # The trash is core's, in everyone's user menu, not a module's menu.
    assert "trash" not in rep_links
    assert "trash" not in [item.key for item in nav_for(admin)]


@pytest.mark.django_db
def test_pages_render_the_registered_links(client: Any, rep_north: Any, admin: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/people/").content.decode()
    assert 'href="/organizations/"' in page
    assert 'href="/trash/"' in page
    client.force_login(admin)
    assert 'href="/trash/"' in client.get("/people/").content.decode()


def test_home_is_the_first_registered_page(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.get("/").url == reverse(nav_for(rep_north)[0].url_name)


# --- top-bar menus -------------------------------------------------------------------


def _menus(user: Any, view_name: str = "") -> dict[str, list[str]]:
    return {m.group.key: [i.key for i in m.items] for m in nav_menus_for(user, view_name)}


def test_links_sit_in_the_menus_their_apps_registered(db: Any, admin: Any) -> None:
    menus = _menus(admin)
    assert list(menus) == ["activities", "contacts", "sales", "marketing", "service", "analytics"]
    assert menus["activities"] == ["my-day", "tasks", "calendar", "unmatched-emails"]
    assert menus["service"] == ["my-tickets", "tickets", "knowledge-base", "service-reports"]
    assert menus["contacts"] == ["people", "organizations"]
    assert menus["marketing"] == ["campaigns", "segments", "lists", "email-templates", "web-forms"]
    assert menus["sales"] == ["leads", "deals", "quotes", "orders", "products", "forecast", "rules"]
    assert [i.key for i in nav_for(admin)] == [k for keys in menus.values() for k in keys]


def test_marketing_gets_its_menu_first_and_support_its_tickets(
    db: Any, rep_north: Any, marketer: Any, support: Any
) -> None:
    assert next(iter(_menus(rep_north))) == "activities"
    assert list(_menus(marketer)) == [
        "marketing",
        "contacts",
        "activities",
        "sales",
        "service",
        "analytics",
    ]
    assert nav_for(marketer)[0].key == "campaigns"  # so their home page
    assert list(_menus(support)) == [
        "service",
        "contacts",
        "activities",
        "sales",
        "marketing",
        "analytics",
    ]
    assert nav_for(support)[0].key == "my-tickets"


def test_a_later_module_adds_a_menu_its_role_gets_first(
    db: Any, monkeypatch: pytest.MonkeyPatch, support: Any, marketer: Any, rep_north: Any
) -> None:
    monkeypatch.setitem(
        nav_groups,
        "service",
        NavGroup("service", "Service", "bi-life-preserver", 50, {"support": 0}),
    )
    monkeypatch.setitem(
        nav_items, "tickets", NavItem("tickets", "Tickets", "core:search", group="service")
    )
    later = ["marketing", "service", "analytics"]
    assert list(_menus(support)) == [
        "service",
        "contacts",
        "activities",
        "sales",
        "marketing",
        "analytics",
    ]
    assert list(_menus(marketer)) == [
        "marketing",
        "contacts",
        "activities",
        "sales",
        "service",
        "analytics",
    ]
    assert list(_menus(rep_north)) == ["activities", "contacts", "sales", *later]


def test_links_a_role_may_not_open_are_left_out_and_so_are_empty_menus(
    db: Any, monkeypatch: pytest.MonkeyPatch, rep_north: Any, admin: Any
) -> None:
    monkeypatch.setitem(nav_groups, "admin", NavGroup("admin", "Administration", order=90))
    monkeypatch.setitem(
        nav_items,
        "audit",
        NavItem("audit", "Audit", "core:settings", admin_only=True, group="admin"),
    )
    assert "admin" not in _menus(rep_north)
    assert _menus(admin)["admin"] == ["audit"]
    # A role without the right to read deals gets neither the board nor the forecast.
    deals = RolePermission.objects.get(role=rep_north.role, resource="sales.deal")
    role_permission_update(
        actor=admin,
        permission=deals,
        can_create=False,
        can_read=False,
        can_update=False,
        can_delete=False,
        scope=deals.scope,
    )
    rep = User.objects.get(pk=rep_north.pk)
    assert _menus(rep)["sales"] == ["leads", "quotes", "orders", "products"]


def test_a_link_with_may_shows_to_those_it_allows(
    db: Any, rep_north: Any, manager_north: Any
) -> None:
    # The workflow rules' link: admins and managers keep rules (NavItem.may).
    assert "rules" in _menus(manager_north)["sales"]
    assert "rules" not in _menus(rep_north)["sales"]


@pytest.mark.parametrize(
    ("view_name", "menu", "link"),
    [
        ("sales:deal-board", "sales", "deals"),
        ("sales:deal-detail", "sales", "deals"),
        ("contacts:person-edit", "contacts", "people"),
        ("activities:appointment-detail", "activities", "calendar"),
        ("activities:my-day", "activities", "my-day"),
        ("sales:forecast", "sales", "forecast"),
    ],
)
def test_the_current_page_marks_its_link_and_menu(
    db: Any, admin: Any, view_name: str, menu: str, link: str
) -> None:
    menus = nav_menus_for(admin, view_name)
    assert [m.group.key for m in menus if m.active] == [menu]
    current = next(m for m in menus if m.active).current
    assert current is not None
    assert current.key == link


def test_a_page_outside_the_menus_marks_none(db: Any, admin: Any) -> None:
    assert not [m for m in nav_menus_for(admin, "core:settings") if m.active]
    assert not [m for m in nav_menus_for(admin, "sales:pipeline-list") if m.active]


def test_a_link_must_name_a_registered_menu(monkeypatch: pytest.MonkeyPatch, admin: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="names no menu"):
        register_nav_item(NavItem("orphan", "Orphan", "core:search"))
    monkeypatch.setitem(nav_items, "stray", NavItem("stray", "Stray", "core:search", group="nope"))
    with pytest.raises(ImproperlyConfigured, match="which no app registered"):
        nav_menus_for(admin)


def test_pages_show_labelled_menus_with_the_current_one_marked(client: Any, admin: Any) -> None:
    client.force_login(admin)
    html = client.get("/deals/board/").content.decode()
    toggles = re.findall(
        r'<button class="nav-link dropdown-toggle([^"]*)"[^>]*>(.*?)</button>', html
    )
    labels = [re.sub(r"<[^>]+>", "", label).strip() for _cls, label in toggles]
    assert labels == ["Activities", "Contacts", "Sales", "Marketing", "Service", "Analytics"]
    assert [label for (cls, _l), label in zip(toggles, labels, strict=True) if "active" in cls] == [
        "Sales"
    ]
    assert 'href="/deals/board/" aria-current="page"' in html
    # The phone menu lists the same links under the same headings.
    assert 'id="nav-section-contacts"' in html
    assert html.count('href="/organizations/"') == 2
