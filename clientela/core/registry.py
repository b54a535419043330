"""Extension points: higher apps register what lower pages show, so a lower app never
imports a higher one (see docs/architecture.md, "Apps depend one way").

``detail_panels[resource]`` holds panels (a template and a context function) that a
record's detail page renders in order, e.g. a future ``activities`` app registers a
timeline panel for ``contacts.person`` in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict[str, Any]]  # (request, record) -> context
    order: int = 100


detail_panels: dict[str, list[Panel]] = defaultdict(list)


def register_detail_panel(resource: str, panel: Panel) -> None:
    panels = [p for p in detail_panels[resource] if p.key != panel.key]
    panels.append(panel)
    detail_panels[resource] = sorted(panels, key=lambda p: p.order)


def panels_for(resource: str) -> list[Panel]:
    return list(detail_panels.get(resource, []))


@dataclass(frozen=True)
class NavItem:
    """A link in the top bar, registered by the app that owns the page."""

    key: str
    label: Any
    url_name: str
    icon: str = ""
    order: int = 100
    admin_only: bool = False


nav_items: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    nav_items[item.key] = item


def nav_for(user: Any) -> list[NavItem]:
    """The top-bar links this user gets, in order."""
    items = sorted(nav_items.values(), key=lambda i: (i.order, i.key))
    return [i for i in items if not i.admin_only or getattr(user, "is_admin", False)]


@dataclass(frozen=True)
class HeaderItem:
    """A small partial in the top bar beside the user menu (e.g. a notification bell),
    registered by the app that owns it; ``template`` gets the page's context."""

    key: str
    template: str
    order: int = 100


header_items: dict[str, HeaderItem] = {}


def register_header_item(item: HeaderItem) -> None:
    header_items[item.key] = item


def header_items_for(user: Any) -> list[HeaderItem]:
    return sorted(header_items.values(), key=lambda i: (i.order, i.key))


#: Extra tabs of the user's own account pages (``core/account/_tabs.html``); ``key`` is
#: what a page passes as ``active``.
account_tabs: dict[str, NavItem] = {}


def register_account_tab(item: NavItem) -> None:
    account_tabs[item.key] = item


def account_tabs_for(user: Any) -> list[NavItem]:
    items = sorted(account_tabs.values(), key=lambda i: (i.order, i.key))
    return [i for i in items if not i.admin_only or getattr(user, "is_admin", False)]


#: Settings pages of higher apps (pipelines, the product catalogue…), linked from the
#: admin settings page; admin-only by nature.
settings_links: dict[str, NavItem] = {}


def register_settings_link(item: NavItem) -> None:
    settings_links[item.key] = item


def settings_links_in_order() -> list[NavItem]:
    return sorted(settings_links.values(), key=lambda i: (i.order, i.key))


#: Called once when a task worker starts (``clientela worker``), e.g. to queue a
#: recurring job or to catch up on work that fell due while no worker ran.
worker_startup_hooks: dict[str, Callable[[], Any]] = {}


def register_worker_startup(key: str, hook: Callable[[], Any]) -> None:
    worker_startup_hooks[key] = hook


def run_worker_startup_hooks() -> None:
    for _key, hook in sorted(worker_startup_hooks.items()):
        hook()


@dataclass(frozen=True)
class DemoLoader:
    """Demo data of a higher app, loaded by ``clientela demo`` after the customer base
    (``load(seed) -> summary line``) and removed by ``--reset`` (``remove()``)."""

    key: str
    load: Callable[[int], str]
    remove: Callable[[], None]
    order: int = 100


demo_loaders: dict[str, DemoLoader] = {}


def register_demo_loader(loader: DemoLoader) -> None:
    demo_loaders[loader.key] = loader


def demo_loaders_in_order() -> list[DemoLoader]:
    return sorted(demo_loaders.values(), key=lambda d: (d.order, d.key))


@dataclass(frozen=True)
class ListAction:
    """A link a higher app adds to a lower app's list page (e.g. the export formats
    ``integrations`` offers on the people and organization lists). The list page
    appends its current filters (``?<query>``) to ``url``. Actions with the same
    ``menu`` label render together as one dropdown; without one, as a button."""

    key: str
    label: Any
    url_name: str
    icon: str = ""
    order: int = 100
    url_kwargs: tuple[tuple[str, Any], ...] = ()
    menu: Any = ""
    menu_icon: str = ""
    download: bool = False
    #: The right on the list's resource a user needs to get the link ("create"…); "" =
    #: anyone who sees the list.
    permission: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=dict(self.url_kwargs))


list_actions: dict[str, dict[str, ListAction]] = defaultdict(dict)


def register_list_action(resource: str, action: ListAction) -> None:
    list_actions[resource][action.key] = action


def list_actions_for(resource: str) -> list[ListAction]:
    """The actions registered for a resource's list page, in order."""
    return sorted(list_actions.get(resource, {}).values(), key=lambda a: (a.order, a.key))
