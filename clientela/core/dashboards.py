"""The catalogue of dashboard widgets (issue 13, item 9).

Every app registers the widgets it can fill in its ``AppConfig.ready()`` with
``register_widget(Widget(...))``: sales its pipeline, forecast and revenue figures,
analytics its RFM and ABC figures, later modules their tickets or campaigns. The
dashboards (``clientela.analytics.dashboards``) only read this registry, so a module
adds a widget without importing analytics, and analytics never names a module above it.

A widget's ``data(user, filters)`` reads through the app's scoped selectors, so a
figure counts only what the asking user may see, and answers ``WidgetData``: one table
(columns and rows) that the dashboard draws as a KPI tile, a chart or a table and that
the CSV and XLSX exports write as it is, with the list behind each row (``links``) and
behind the whole widget (``url``) for the drill-down.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.permissions import can

#: How a widget is drawn.
KINDS = ("kpi", "bar", "line", "pie", "table")
#: The filters a widget may offer.
FILTERS = ("period", "team", "owner")
#: The grid's columns (gridstack's default 12).
COLUMNS = 12

#: The periods a widget's filter offers, relative to today ("" : any time).
PERIODS: list[tuple[str, Any]] = [
    ("", _("Any time")),
    ("this_month", _("This month")),
    ("this_quarter", _("This quarter")),
    ("this_year", _("This year")),
    ("last_30_days", _("Last 30 days")),
    ("last_90_days", _("Last 90 days")),
    ("last_12_months", _("Last 12 months")),
]
PERIOD_KEYS = frozenset(key for key, _label in PERIODS)


def period_bounds(
    period: str, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day of ``period`` around ``today`` (both None: any time)."""
    if period == "this_month":
        return today.replace(day=1), today
    if period == "this_quarter":
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1), today
    if period == "this_year":
        return today.replace(month=1, day=1), today
    if period == "last_30_days":
        return today - datetime.timedelta(days=29), today
    if period == "last_90_days":
        return today - datetime.timedelta(days=89), today
    if period == "last_12_months":
        # This month and the eleven before it, whole months (a monthly chart's bars).
        months = today.year * 12 + today.month - 1 - 11
        return datetime.date(months // 12, months % 12 + 1, 1), today
    return None, None


@dataclass(frozen=True)
class WidgetFilters:
    """A widget's filters as its data function reads them: the period already turned
    into dates (the dashboard resolves it against one ``today``, which tests fix)."""

    period: str = ""
    team: int | None = None
    owner: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @classmethod
    def of(cls, values: dict[str, Any], today: datetime.date) -> WidgetFilters:
        period = values.get("period") or ""
        start, end = period_bounds(period, today)
        return cls(period, values.get("team"), values.get("owner"), start, end)


@dataclass
class WidgetData:
    """What a widget shows: ``rows`` under ``columns`` (a chart draws the first column
    as labels and the second as values); ``display`` the rows' values as people read
    them (money in the page's language); ``links`` the list behind each row; ``url``
    the list behind the whole widget; ``value`` a KPI tile's figure."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    display: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    url: str = ""
    value: str = ""
    note: str = ""
    #: What to do to see something here, when there is nothing yet.
    empty: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True, kw_only=True)
class Widget:
    """One entry of the catalogue."""

    key: str
    title: Any
    kind: str
    data: Callable[[Any, WidgetFilters], WidgetData]
    #: The kind of record whose read right the widget needs ("sales.deal").
    resource: str
    description: Any = ""
    #: The filters it offers, of ``FILTERS``.
    filters: tuple[str, ...] = FILTERS
    default_period: str = ""
    #: Default and smallest size in grid cells (12 columns).
    w: int = 4
    h: int = 3
    min_w: int = 2
    min_h: int = 2
    #: Whether a new user's first dashboard has it, and where the catalogue lists it.
    default: bool = False
    order: int = 100

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert set(self.filters) <= set(FILTERS), self.filters
        assert self.default_period in PERIOD_KEYS, self.default_period
        assert 1 <= self.min_w <= self.w <= COLUMNS
        assert 1 <= self.min_h <= self.h

    def visible_to(self, user: Any) -> bool:
        return can(user, "read", self.resource)


_WIDGETS: dict[str, Widget] = {}


def register_widget(widget: Widget) -> Widget:
    _WIDGETS[widget.key] = widget
    return widget


def widget(key: str) -> Widget | None:
    return _WIDGETS.get(key)


def widgets_for(user: Any) -> list[Widget]:
    """The catalogue as ``user`` may use it, in its order."""
    return sorted(
        (w for w in _WIDGETS.values() if w.visible_to(user)), key=lambda w: (w.order, w.key)
    )
