"""Extension points: higher apps register what lower pages show, so a lower app never
imports a higher one (see docs/architecture.md, "Apps depend one way").

``detail_panels[resource]`` holds panels (a template and a context function) that a
record's detail page renders in order, e.g. a future ``activities`` app registers a
timeline panel for ``contacts.person`` in its ``AppConfig.ready()``.

``timeline_sources`` hold what that timeline merges: each app registers its own kinds
of entry (``register_timeline_source``), so ``activities`` shows a deal's stage changes
without importing ``sales``.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.urls import reverse

from clientela.core.permissions import can


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
    """A link registered by the app that owns the page: in a top-bar menu (``group``),
    on the account pages or on the settings page."""

    key: str
    label: Any
    url_name: str
    icon: str = ""
    order: int = 100
    admin_only: bool = False
    #: The top-bar menu (a registered ``NavGroup``'s key) the link sits in.
    group: str = ""
    #: A kind of record ("sales.deal"): the link shows only to roles that may read it.
    resource: str = ""
    #: Other pages on which the link counts as the current one: URL names, or prefixes
    #: ending in "-". The pages named like ``url_name`` up to its last "-" count anyway
    #: (``sales:deal-board`` is current on every ``sales:deal-…`` page).
    match: tuple[str, ...] = ()
    #: Who may see the link when neither ``admin_only`` nor a role's rights say it (a
    #: page kept by admins and managers): ``may(user) -> bool``.
    may: Callable[[Any], bool] | None = None

    def visible_to(self, user: Any) -> bool:
        if self.admin_only and not getattr(user, "is_admin", False):
            return False
        if self.may is not None and not self.may(user):
            return False
        return not self.resource or can(user, "read", self.resource)

    def is_current(self, view_name: str) -> bool:
        namespace, colon, name = self.url_name.rpartition(":")
        stem, dash, _rest = name.rpartition("-")
        patterns = [self.url_name, *self.match]
        if dash:
            patterns.append(f"{namespace}{colon}{stem}-")
        return any(
            view_name == p or (p.endswith("-") and view_name.startswith(p)) for p in patterns
        )


@dataclass(frozen=True)
class NavGroup:
    """A labelled menu of the top bar (Contacts, Activities, Sales…), declared once by
    the app that brings it; any app above it may add links (``NavItem.group``).

    ``role_order`` puts the menu elsewhere for some roles (role key -> order instead of
    ``order``), so that each role finds what its work needs first. A role's own module
    takes a number below 10 (a future ``service`` app: ``{"support": 0}``); a module a
    role works from without owning it, 10 to 19 (contacts for marketing and support);
    the ordinary orders start at 20."""

    key: str
    label: Any
    icon: str = ""
    order: int = 100
    role_order: Mapping[str, int] = field(default_factory=dict)

    def order_for(self, role_key: str | None) -> int:
        return self.role_order.get(role_key or "", self.order)


@dataclass(frozen=True)
class NavLink:
    """A menu link ready to draw: its address and, on the current page's link, the
    ``aria-current`` value ("page" on the very page, "true" on a page under it)."""

    item: NavItem
    href: str
    aria_current: str = ""


@dataclass(frozen=True)
class NavMenu:
    """One menu as a user gets it: the group, its links that user may follow, and
    which of them is the current page (``current`` is None elsewhere)."""

    group: NavGroup
    items: list[NavItem]
    current: NavItem | None = None
    #: The items with their addresses resolved once: the page draws each menu twice
    #: (as a dropdown and in the phone panel).
    links: list[NavLink] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.current is not None


nav_groups: dict[str, NavGroup] = {}
nav_items: dict[str, NavItem] = {}


def register_nav_group(group: NavGroup) -> None:
    nav_groups[group.key] = group


def register_nav_item(item: NavItem) -> None:
    if not item.group:
        raise ImproperlyConfigured(f"Top-bar link {item.key!r} names no menu (NavItem.group).")
    nav_items[item.key] = item


def _role_key(user: Any) -> str | None:
    if getattr(user, "role_id", None) is None:
        return None
    return str(user.role.key)


def nav_menus_for(user: Any, view_name: str = "") -> list[NavMenu]:
    """The top-bar menus this user gets, in the order their role sees them, each with
    its links in order; menus left without a link are left out. ``view_name`` (the
    current page's namespaced URL name) marks the current link and its menu."""
    by_group: dict[str, list[NavItem]] = defaultdict(list)
    for item in sorted(nav_items.values(), key=lambda i: (i.order, i.key)):
        if item.group not in nav_groups:
            raise ImproperlyConfigured(
                f"Top-bar link {item.key!r} is in menu {item.group!r}, which no app registered."
            )
        if item.visible_to(user):
            by_group[item.group].append(item)
    role = _role_key(user)
    groups = sorted(
        (nav_groups[key] for key in by_group), key=lambda g: (g.order_for(role), g.order, g.key)
    )
    menus = []
    for group in groups:
        items = by_group[group.key]
        current = next((i for i in items if view_name and i.is_current(view_name)), None)
        links = [
            NavLink(
                item=item,
                href=reverse(item.url_name),
                aria_current=""
                if item is not current
                else ("page" if item.url_name == view_name else "true"),
            )
            for item in items
        ]
        menus.append(NavMenu(group=group, items=items, current=current, links=links))
    return menus


def nav_for(user: Any) -> list[NavItem]:
    """The top-bar links this user gets, menu after menu, in order: the first one is
    the user's home page."""
    return [item for menu in nav_menus_for(user) for item in menu.items]


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
    return [i for i in items if i.visible_to(user)]


#: The sections of the settings area: core's own (company, users, teams, roles, two-factor,
#: custom fields) and the admin pages of higher apps (pipelines, the catalogue…), in
#: the settings navigation; admin-only by nature.
settings_links: dict[str, NavItem] = {}


def register_settings_link(item: NavItem) -> None:
    settings_links[item.key] = item


def settings_links_in_order() -> list[NavItem]:
    return sorted(settings_links.values(), key=lambda i: (i.order, i.key))


def settings_nav_for(view_name: str) -> tuple[list[NavItem], NavItem | None]:
    """The sections of the settings area in order (core's and the ones higher apps
    registered) and the current one (None on the settings index)."""
    items = settings_links_in_order()
    current = next((i for i in items if view_name and i.is_current(view_name)), None)
    return items, current


@dataclass(frozen=True)
class CompanyFact:
    """A value about the company that another module keeps (the base currency of
    ``sales``): the company profile page shows it with a link to where it changes."""

    key: str
    label: Any
    value: Callable[[], str]
    url_name: str
    order: int = 100


company_facts: dict[str, CompanyFact] = {}


def register_company_fact(fact: CompanyFact) -> None:
    company_facts[fact.key] = fact


def company_facts_in_order() -> list[CompanyFact]:
    return sorted(company_facts.values(), key=lambda f: (f.order, f.key))


#: Called once when a task worker starts (``clientela worker``), e.g. to queue a
#: recurring job or to catch up on work that fell due while no worker ran.
worker_startup_hooks: dict[str, Callable[[], Any]] = {}


def register_worker_startup(key: str, hook: Callable[[], Any]) -> None:
    worker_startup_hooks[key] = hook


@dataclass(frozen=True)
class RecurringJob:
    """A job the worker runs every ``period`` (it queues its own next run): its health
    (last run, overdue after twice the period) is shown by ``clientela worker --status``."""

    key: str
    label: Any
    task_path: str
    period: Any  # datetime.timedelta


recurring_jobs: dict[str, RecurringJob] = {}


def register_recurring_job(job: RecurringJob) -> None:
    recurring_jobs[job.key] = job


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


#: A function a higher app runs after a record of a kind was created or changed:
#: ``callback(record_id)``, once the transaction that wrote it has committed.
RecordWritten = Callable[[int], None]

record_written_callbacks: dict[str, dict[str, RecordWritten]] = defaultdict(dict)


def register_record_written(resource: str, key: str, callback: RecordWritten) -> None:
    """Run ``callback(record_id)`` after a record of ``resource`` is created or changed
    through the generic record writes (``core.services.records``: ``record_create``, and
    ``record_update`` when an audited value changed), once the transaction commits.
    A minimal hook, not domain events (issue 16): it tells nothing but the id, a
    failing callback is logged and never undoes nor fails the write, and writes that
    bypass the shell (imports, bulk updates) do not call it. Analytics rescores a lead
    with it (``analytics.lead_scores``)."""
    record_written_callbacks[resource][key] = callback


def record_written(resource: str) -> list[RecordWritten]:
    """The callbacks registered for ``resource``, by key."""
    found = record_written_callbacks.get(resource, {})
    return [found[key] for key in sorted(found)]


# --- timeline sources -------------------------------------------------------------------

#: A source's key: also its entries' kind in the cursor, the kind filter and HTML ids.
_TIMELINE_KEY = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class TimelineCursor:
    """Where a page of a timeline ended: the ``(at, kind, id)`` of its last entry.
    Entries sort by that triple newest first (ties on ``at`` break on the source's key,
    then the id), so no entry is skipped or repeated between pages. In a query string:
    ``"<iso datetime>|<kind>|<id>"``."""

    at: datetime.datetime
    kind: str
    pk: int

    @classmethod
    def parse(cls, value: str | None) -> TimelineCursor | None:
        """A cursor from a query string; anything malformed, or naming a source that is
        not registered, means "from the top"."""
        if not value:
            return None
        try:
            at_text, kind, pk_text = value.rsplit("|", 2)
            at = datetime.datetime.fromisoformat(at_text)
            pk = int(pk_text)
        except ValueError:
            return None
        if at.tzinfo is None or kind not in timeline_sources:
            return None
        return cls(at, kind, pk)

    def __str__(self) -> str:
        return f"{self.at.isoformat()}|{self.kind}|{self.pk}"


@dataclass(frozen=True)
class TimelineBefore:
    """What a source reads for a page: its rows that sort after ``cursor`` (older),
    for the source ``kind``. ``q()`` says it as a filter on a queryset, ``admits()``
    for a row in hand."""

    kind: str
    cursor: TimelineCursor | None = None

    def q(self, at_field: str, pk_field: str = "pk") -> Q:
        if self.cursor is None:
            return Q()
        at, c_kind, pk = self.cursor.at, self.cursor.kind, self.cursor.pk
        if self.kind < c_kind:
            return Q(**{f"{at_field}__lte": at})
        if self.kind > c_kind:
            return Q(**{f"{at_field}__lt": at})
        return Q(**{f"{at_field}__lt": at}) | Q(**{at_field: at, f"{pk_field}__lt": pk})

    def admits(self, at: datetime.datetime, pk: int) -> bool:
        if self.cursor is None:
            return True
        return (at, self.kind, pk) < (self.cursor.at, self.cursor.kind, self.cursor.pk)


@dataclass(frozen=True)
class TimelineFilters:
    """The timeline's filter bar: ``actor_id`` keeps what that user logged, owns, moved
    or changed; ``channel`` keeps interactions of that channel (only the sources with
    ``channels`` are read then)."""

    actor_id: int | None = None
    channel: str | None = None


class TimelineQuery(Protocol):
    """A source's read: at most ``limit`` of its rows about the person (or the
    organization and its people) that ``user`` may see, through the owning app's scoped
    selectors, older than ``before``, newest first, as ``(at, row)``; ``row.pk`` is an
    integer unique within the source. One indexed query, whatever the history's length."""

    def __call__(
        self,
        *,
        user: Any,
        person: Any,
        organization: Any,
        before: TimelineBefore,
        limit: int,
        filters: TimelineFilters,
    ) -> Iterable[tuple[datetime.datetime, Any]]: ...


@dataclass(frozen=True)
class TimelineSource:
    """Something that happened with a person or an organization, shown on their
    timeline (``activities``): interactions, tasks, a deal's stage changes, orders…
    ``template`` renders one entry (``entry``, ``obj`` = the row) beside ``icon`` and its
    time; ``filter_label`` names the source in the timeline's kind filter (``label`` if
    empty)."""

    key: str
    label: Any
    icon: str
    entries: TimelineQuery
    template: str
    filter_label: Any = ""
    order: int = 100
    #: Its rows have a channel (interactions): a channel filter reads only such sources.
    channels: bool = False

    @property
    def choice_label(self) -> Any:
        return self.filter_label or self.label


timeline_sources: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    """Add a source to every person's and organization's timeline (in the owning app's
    ``AppConfig.ready()``); registering a key again replaces the source."""
    if not _TIMELINE_KEY.fullmatch(source.key):
        raise ImproperlyConfigured(
            f"Timeline source key {source.key!r}: lower-case letters, digits, - and _ only."
        )
    timeline_sources[source.key] = source


def timeline_sources_in_order() -> list[TimelineSource]:
    return sorted(timeline_sources.values(), key=lambda s: (s.order, s.key))


@dataclass(frozen=True)
class InboundHandler:
    """What an app does with inbound e-mail (``core.inbound``): ``handle(message,
    parsed)`` gets the stored ``core.InboundMessage`` and its ``ParsedMessage`` and
    returns True when it took the message (it then did its work in the same
    transaction as the message's storage). Handlers are asked in ``order`` until one
    takes it; a message nobody takes is kept as "unhandled" for the admin. Automatic
    messages (auto-replies, bulk, bounces) are offered too: each handler decides."""

    key: str
    handle: Callable[[Any, Any], bool]  # (InboundMessage, ParsedMessage) -> taken
    order: int = 100


inbound_handlers: dict[str, InboundHandler] = {}


def register_inbound_handler(handler: InboundHandler) -> None:
    inbound_handlers[handler.key] = handler


def inbound_handlers_in_order() -> list[InboundHandler]:
    return sorted(inbound_handlers.values(), key=lambda h: (h.order, h.key))


@dataclass(frozen=True)
class BounceHandler:
    """Who wants delivery reports (``core.inbound.bounces``): ``handle(message, report)``
    gets the stored ``InboundMessage`` and its ``DeliveryReport`` (bounces or a
    complaint, each with the recipient, status, hard/soft and the VERP delivery id).
    Every handler is called, in ``order``, in the transaction that stores the message;
    one that raises undoes them all and leaves the message failed and flagged."""

    key: str
    handle: Callable[[Any, Any], None]  # (InboundMessage, DeliveryReport) -> None
    order: int = 100


bounce_handlers: dict[str, BounceHandler] = {}


def register_bounce_handler(handler: BounceHandler) -> None:
    bounce_handlers[handler.key] = handler


def bounce_handlers_in_order() -> list[BounceHandler]:
    return sorted(bounce_handlers.values(), key=lambda h: (h.order, h.key))
