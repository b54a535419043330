"""The writes of dashboards, the kind ``analytics.dashboard`` (``analytics.kinds``): its
create, update (name, team shared with, whole layout) and delete, which the page and
``/api/v1/dashboards`` call alike, and the page's own finer changes of the layout (a
drop, a phone's new order, a widget added, removed or filtered). Only a dashboard's
owner changes it; to anyone else, its team included, it is not found. Every change of
the layout goes through ``layout.clean_layout`` in one transaction with the row locked,
so a bad layout changes nothing and two tabs saving at once do not lose each other's
change. Creating, renaming, sharing and deleting are audited; moving and resizing
widgets is not (a drag saves on every drop, and the audit would drown in them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clientela.analytics.dashboards import layout as layouts
from clientela.analytics.dashboards.selectors import may_share
from clientela.analytics.models import Dashboard
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.dashboards import widget, widgets_for
from clientela.core.errors import NotFound
from clientela.core.models import Team

NAME_LENGTH = 100


class DashboardData(TypedDict, total=False):
    """What a create or a change may name (the API's body, the page's forms)."""

    name: str
    #: The team it is shared with (None: nobody).
    team_id: int | None
    #: A list of widgets (``layout.clean_layout`` checks whatever it is).
    layout: Any


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


def _clean_team(actor: Any, team_id: Any) -> Team | None:
    """The team to share with (None: nobody). Managers share with their own team,
    admins with any; anyone else shares with nobody (403: they see the dashboard)."""
    if not may_share(actor):
        raise PermissionDenied(_("Only managers and admins share dashboards."))
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first() if type(team_id) is int else None
    if team is None:
        raise ValidationError({"team_id": [_("There is no team with this id.")]})
    if not actor.is_admin and team.pk != actor.team_id:
        raise ValidationError({"team_id": [_("Managers share dashboards with their own team.")]})
    return team


def _require_owner(actor: Any, dashboard: Dashboard) -> None:
    # Its team reads it but may not change it: answered as if it were hidden (404),
    # as other kinds' own rules are (an interaction changed by its author alone).
    if dashboard.owner_id != actor.pk:
        raise NotFound()


def default_layout(user: Any) -> list[dict[str, Any]]:
    """The widgets a new user's first dashboard shows, of those their role may use."""
    items: list[dict[str, Any]] = []
    for w in widgets_for(user):
        if w.default:
            items.append(layouts.new_item(items, w))
    return layouts.pack(items)


def _cleaned(actor: Any, data: DashboardData, row: Dashboard | None) -> dict[str, Any]:
    """The fields ``data`` names, each checked, every problem reported at once (nothing
    is written before all are checked). Only a change of team asks the sharing rule,
    so an owner's body that sends the team back unchanged is accepted."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    checks: list[tuple[str, Callable[[], Any]]] = []
    if row is None or "name" in data:
        exclude = row.pk if row is not None else None
        checks.append(("name", lambda: _clean_name(actor, data.get("name"), exclude=exclude)))
    if "team_id" in data and (row is None or data["team_id"] != row.team_id):
        checks.append(("team", lambda: _clean_team(actor, data["team_id"])))
    if "layout" in data:
        checks.append(("layout", lambda: layouts.clean_layout(actor, data["layout"])))
    for field, check in checks:
        try:
            cleaned[field] = check()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save(dashboard: Dashboard, **kwargs: Any) -> None:
    """Save, with a name another request gave the owner's other dashboard meanwhile
    (after ``_clean_name`` looked) refused as it would have been, not a 500."""
    try:
        with transaction.atomic():
            dashboard.save(**kwargs)
    except IntegrityError:
        raise ValidationError(
            {"name": [_("You already have a dashboard with this name.")]}
        ) from None


def _team_name(team: Team | None) -> str | None:
    return team.name if team is not None else None


@transaction.atomic
def dashboard_create(*, actor: Any, data: DashboardData) -> Dashboard:
    """A new dashboard of ``actor``'s: ``name`` required, ``layout`` (default: empty)
    checked as every change is, ``team_id`` to share it at once (managers, admins)."""
    cleaned = _cleaned(actor, data, None)
    dashboard = Dashboard(
        owner=actor,
        name=cleaned["name"],
        team=cleaned.get("team"),
        layout=cleaned.get("layout", []),
    )
    _save(dashboard)
    changes: dict[str, list[Any]] = {"name": [None, dashboard.name]}
    if dashboard.team is not None:
        changes["team"] = [None, dashboard.team.name]
    record_audit(actor=actor, instance=dashboard, action=AuditAction.CREATE, changes=changes)
    return dashboard


def dashboard_ensure_default(*, actor: Any) -> Dashboard | None:
    """The user's first dashboard, made with the default widgets when they have none of
    their own (None for a user who may use no widget at all)."""
    own = Dashboard.objects.filter(owner=actor).first()
    if own is not None or not widgets_for(actor):
        return own
    try:
        return dashboard_create(
            actor=actor, data={"name": _("My dashboard"), "layout": default_layout(actor)}
        )
    except (IntegrityError, ValidationError):
        # Two first visits at once (two tabs): the other one made it.
        return Dashboard.objects.filter(owner=actor).first()


def _locked(actor: Any, dashboard: Dashboard) -> Dashboard:
    _require_owner(actor, dashboard)
    return Dashboard.objects.select_for_update().get(pk=dashboard.pk)


@transaction.atomic
def dashboard_update(
    *,
    actor: Any,
    dashboard: Dashboard,
    data: DashboardData,
    expected_version: int | None = None,
) -> Dashboard:
    """Change what ``data`` names (name, team shared with, whole layout) at once, or
    nothing when any of it is refused. The owner alone; dashboards have no version
    (the row is locked instead): ``expected_version``, which the generic API passes, is
    moot. Renaming and sharing are audited, the layout is not (see the module)."""
    row = _locked(actor, dashboard)
    cleaned = _cleaned(actor, data, row)
    changes: dict[str, list[Any]] = {}
    if "name" in cleaned and cleaned["name"] != row.name:
        changes["name"] = [row.name, cleaned["name"]]
    if "team" in cleaned:
        changes["team"] = [_team_name(row.team), _team_name(cleaned["team"])]
        row.team = cleaned["team"]
    row.name = cleaned.get("name", row.name)
    row.layout = cleaned.get("layout", row.layout)
    _save(row, update_fields=["name", "team", "layout", "updated_at"])
    if changes:
        record_audit(actor=actor, instance=row, action=AuditAction.UPDATE, changes=changes)
    return row


@transaction.atomic
def dashboard_delete(
    *, actor: Any, dashboard: Dashboard, expected_version: int | None = None
) -> None:
    """Delete the dashboard for good (it has no trash: nothing else points to it).
    ``expected_version`` is moot, as for ``dashboard_update``."""
    row = _locked(actor, dashboard)
    record_audit(actor=actor, instance=row, action=AuditAction.PURGE)
    row.delete()


def _change_layout(
    actor: Any, dashboard: Dashboard, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> Dashboard:
    row = _locked(actor, dashboard)
    row.layout = layouts.clean_layout(actor, change([dict(i) for i in row.layout]))
    row.save(update_fields=["layout", "updated_at"])
    return row


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
