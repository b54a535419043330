"""The reads of dashboards: a user sees their own dashboards and those shared with their
team, and nobody else's (another's dashboard is not found, 404). Each widget's data is
read for the asking user, whoever arranged the dashboard: a rep looking at a shared
dashboard sees only their own figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from clientela.analytics.models import Dashboard
from clientela.core.choices import RoleKey
from clientela.core.dashboards import Widget, WidgetData, WidgetFilters, widget
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id


def may_share(user: Any) -> bool:
    """Managers and admins share dashboards with a team."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = getattr(user, "role", None)
    return bool(user.is_admin or (role is not None and role.key == RoleKey.MANAGER))


def dashboard_list(*, user: Any) -> QuerySet[Dashboard]:
    """The user's own dashboards, then those shared with their team."""
    seen = Q(owner_id=user.pk)
    if user.team_id is not None:
        seen |= Q(team_id=user.team_id)
    return Dashboard.objects.filter(seen).select_related("owner", "team").order_by("name", "id")


def dashboard_get(*, user: Any, pk: Any) -> Dashboard:
    found = dashboard_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def may_edit(user: Any, dashboard: Dashboard) -> bool:
    return bool(dashboard.owner_id == user.pk)


@dataclass
class Shown:
    """One widget of a dashboard as the reader sees it (``data`` None: a widget their
    role may not use, or one no longer in the catalogue)."""

    item: dict[str, Any]
    widget: Widget | None
    filters: WidgetFilters
    data: WidgetData | None

    @property
    def id(self) -> str:
        return str(self.item["id"])


def _show(user: Any, item: dict[str, Any], today: datetime.date) -> Shown:
    w = widget(item.get("widget", ""))
    filters = WidgetFilters.of(item.get("filters") or {}, today)
    if w is None or not w.visible_to(user):
        return Shown(item, w, filters, None)
    return Shown(item, w, filters, w.data(user, filters))


def dashboard_widgets(
    *, user: Any, dashboard: Dashboard, today: datetime.date | None = None
) -> list[Shown]:
    """Every widget of the dashboard with its data for ``user``, top to bottom."""
    day = today or timezone.localdate()
    items = sorted(dashboard.layout, key=lambda i: (i.get("y", 0), i.get("x", 0)))
    return [_show(user, item, day) for item in items]


def dashboard_widget(
    *, user: Any, dashboard: Dashboard, item_id: str, today: datetime.date | None = None
) -> Shown:
    """One widget of the dashboard with its data (an export), else ``NotFound``."""
    for item in dashboard.layout:
        if item.get("id") == item_id:
            shown = _show(user, item, today or timezone.localdate())
            if shown.data is None:
                raise NotFound()
            return shown
    raise NotFound()
