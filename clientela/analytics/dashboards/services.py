"""The writes of dashboards. Only a dashboard's owner changes it (a team it is shared
with reads it); every change of the layout goes through ``layout.clean_layout`` in one
transaction with the row locked, so a bad layout changes nothing and two tabs saving at
once do not lose each other's change. Creating, renaming, sharing and deleting are
audited; moving and resizing widgets is not (a drag saves on every drop, and the audit
would drown in them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientela.analytics.dashboards import layout as layouts
from clientela.analytics.dashboards.selectors import may_share
from clientela.analytics.models import Dashboard
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.dashboards import widget, widgets_for
from clientela.core.models import Team

NAME_LENGTH = 100


def _clean_name(owner: Any, name: Any, *, exclude: int | None = None) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise ValidationError({"name": [_("Give the dashboard a name.")]})
    if len(text) > NAME_LENGTH:
        raise ValidationError(
            {"name": [_("Keep the name to %(n)s characters.") % {"n": NAME_LENGTH}]}
        )
    same = Dashboard.objects.filter(owner=owner, name=text)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError({"name": [_("You already have a dashboard with this name.")]})
    return text


def _require_owner(actor: Any, dashboard: Dashboard) -> None:
    if dashboard.owner_id != actor.pk:
        raise PermissionDenied(_("Only the dashboard's owner may change it."))


def default_layout(user: Any) -> list[dict[str, Any]]:
    """The widgets a new user's first dashboard shows, of those their role may use."""
    items: list[dict[str, Any]] = []
    for w in widgets_for(user):
        if w.default:
            items.append(layouts.new_item(items, w))
    return layouts.pack(items)


@transaction.atomic
def dashboard_create(
    *, actor: Any, name: str, layout: list[dict[str, Any]] | None = None
) -> Dashboard:
    text = _clean_name(actor, name)
    cleaned = layouts.clean_layout(actor, default_layout(actor) if layout is None else layout)
    dashboard = Dashboard.objects.create(owner=actor, name=text, layout=cleaned)
    record_audit(
        actor=actor, instance=dashboard, action=AuditAction.CREATE, changes={"name": [None, text]}
    )
    return dashboard


def dashboard_ensure_default(*, actor: Any) -> Dashboard | None:
    """The user's first dashboard, made with the default widgets when they have none of
    their own (None for a user who may use no widget at all)."""
    own = Dashboard.objects.filter(owner=actor).first()
    if own is not None or not widgets_for(actor):
        return own
    try:
        return dashboard_create(actor=actor, name=_("My dashboard"))
    except (IntegrityError, ValidationError):
        # Two first visits at once (two tabs): the other one made it.
        return Dashboard.objects.filter(owner=actor).first()


def _locked(actor: Any, dashboard: Dashboard) -> Dashboard:
    _require_owner(actor, dashboard)
    return Dashboard.objects.select_for_update().get(pk=dashboard.pk)


@transaction.atomic
def dashboard_rename(*, actor: Any, dashboard: Dashboard, name: str) -> Dashboard:
    row = _locked(actor, dashboard)
    text = _clean_name(actor, name, exclude=row.pk)
    before, row.name = row.name, text
    row.save(update_fields=["name", "updated_at"])
    record_audit(
        actor=actor, instance=row, action=AuditAction.UPDATE, changes={"name": [before, text]}
    )
    return row


@transaction.atomic
def dashboard_delete(*, actor: Any, dashboard: Dashboard) -> None:
    row = _locked(actor, dashboard)
    record_audit(actor=actor, instance=row, action=AuditAction.PURGE)
    row.delete()


@transaction.atomic
def dashboard_share(*, actor: Any, dashboard: Dashboard, team: Team | None) -> Dashboard:
    """Share the dashboard with ``team`` (None: with nobody). Managers share with their
    own team, admins with any."""
    if not may_share(actor):
        raise PermissionDenied(_("Only managers and admins share dashboards."))
    row = _locked(actor, dashboard)
    if team is not None and not actor.is_admin and team.pk != actor.team_id:
        raise ValidationError({"team": [_("Managers share dashboards with their own team.")]})
    before = row.team.name if row.team else None
    row.team = team
    row.save(update_fields=["team", "updated_at"])
    record_audit(
        actor=actor,
        instance=row,
        action=AuditAction.UPDATE,
        changes={"team": [before, team.name if team else None]},
    )
    return row


def _change_layout(
    actor: Any, dashboard: Dashboard, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> Dashboard:
    row = _locked(actor, dashboard)
    row.layout = layouts.clean_layout(actor, change([dict(i) for i in row.layout]))
    row.save(update_fields=["layout", "updated_at"])
    return row


@transaction.atomic
def dashboard_layout_save(*, actor: Any, dashboard: Dashboard, layout: Any) -> Dashboard:
    """Replace the whole layout (the API's and the tests' way)."""
    return _change_layout(actor, dashboard, lambda _old: layout)


def _item_index(items: list[dict[str, Any]], item_id: Any) -> int:
    for n, item in enumerate(items):
        if item.get("id") == item_id:
            return n
    raise ValidationError(
        {"layout": [_("This dashboard has no widget “%(id)s”.") % {"id": item_id}]}
    )


@transaction.atomic
def dashboard_move(*, actor: Any, dashboard: Dashboard, positions: Any) -> Dashboard:
    """Widgets moved or resized by drag and drop: ``positions`` is a list of ``{"id",
    "x", "y", "w", "h"}``; widgets it leaves out keep their place."""
    if not isinstance(positions, list):
        raise ValidationError({"layout": [_("The layout must be a list of widgets.")]})

    def apply(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for place in positions:
            if not isinstance(place, dict):
                raise ValidationError({"layout": [_("The layout must be a list of widgets.")]})
            item = items[_item_index(items, place.get("id"))]
            item.update({k: place[k] for k in "xywh" if k in place})
        return items

    return _change_layout(actor, dashboard, apply)


@transaction.atomic
def dashboard_reorder(*, actor: Any, dashboard: Dashboard, order: Any) -> Dashboard:
    """The widgets put in ``order`` (their ids; on a phone's single column), placed
    again from the top left in that order."""
    if not isinstance(order, list):
        raise ValidationError({"layout": [_("Give the widgets' ids in their new order.")]})

    def apply(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ranked = {item_id: n for n, item_id in enumerate(order)}
        for item_id in order:
            _item_index(items, item_id)  # an unknown id is refused
        return layouts.pack(sorted(items, key=lambda i: ranked.get(i["id"], len(ranked))))

    return _change_layout(actor, dashboard, apply)


@transaction.atomic
def dashboard_widget_add(*, actor: Any, dashboard: Dashboard, key: str) -> Dashboard:
    w = widget(key)
    if w is None or not w.visible_to(actor):
        raise ValidationError(
            {"widget": [_("There is no widget “%(key)s” you may use.") % {"key": key}]}
        )
    return _change_layout(actor, dashboard, lambda items: [*items, layouts.new_item(items, w)])


@transaction.atomic
def dashboard_widget_remove(*, actor: Any, dashboard: Dashboard, item_id: str) -> Dashboard:
    def apply(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        del items[_item_index(items, item_id)]
        return items

    return _change_layout(actor, dashboard, apply)


@transaction.atomic
def dashboard_widget_filters(
    *, actor: Any, dashboard: Dashboard, item_id: str, filters: dict[str, Any]
) -> Dashboard:
    def apply(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items[_item_index(items, item_id)]["filters"] = filters
        return items

    return _change_layout(actor, dashboard, apply)
