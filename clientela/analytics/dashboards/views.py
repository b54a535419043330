"""The dashboards page: the widgets on a gridstack grid (moved and resized by drag and
drop, saved by ``dashboard.js`` with a POST on every drop; stacked in one column on a
phone), the catalogue to add from, each widget's filters, export and remove buttons
(plain forms, so everything but moving works without a mouse), and the dashboard's
own rename, share and delete forms. A dashboard shared with the reader's team is shown
read-only; its owner alone changes it, and to anyone else, that team included, every
change is not found (404), as another's dashboard is. The changes a dashboard has as a
kind of record (``analytics.kinds``: create, rename, share, delete) call the same
services as ``/api/v1/dashboards``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clientela.analytics.dashboards import exports, selectors, services
from clientela.analytics.models import Dashboard
from clientela.core import selectors as core_selectors
from clientela.core.dashboards import PERIODS, Widget, widget, widgets_for
from clientela.core.errors import NotFound
from clientela.core.forms import BootstrapMixin
from clientela.core.models import Team
from clientela.core.views.records import AuthedRequest, not_found_as_404

#: The largest layout a drop may post (24 widgets take ~2 KB).
MAX_BODY = 64 * 1024


def _dashboard(request: AuthedRequest, pk: int) -> Dashboard:
    try:
        return selectors.dashboard_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


class FilterForm(BootstrapMixin, forms.Form):
    """A widget's filters, only those it offers."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    team = forms.TypedChoiceField(
        label=gettext_lazy("Team"), coerce=int, empty_value=None, required=False
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, widget: Widget, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in widget.filters:
                del self.fields[name]
            elif name in choices:
                self.fields[name].choices = choices[name]  # type: ignore[attr-defined]


def _choices() -> dict[str, Any]:
    blank = [("", "—")]
    return {
        "team": blank + [(t.pk, t.name) for t in core_selectors.team_list()],
        "owner": blank + [(u.pk, str(u)) for u in core_selectors.user_choices()],
    }


def _chart(shown: selectors.Shown) -> dict[str, Any]:
    assert shown.data is not None
    assert shown.widget is not None
    data = shown.data
    return {
        "kind": shown.widget.kind,
        "label": str(data.columns[1]) if len(data.columns) > 1 else "",
        "labels": [str(row[0]) for row in data.rows],
        "values": [float(row[1]) for row in data.rows],
        "display": data.display,
        "links": data.links,
    }


def _summary(shown: selectors.Shown, choices: dict[str, Any]) -> str:
    """The filters in force, in a few words: "1/1/2026 – 6/12/2026 · North · Nora"."""
    f = shown.filters
    parts = []
    if f.date_from and f.date_to:
        parts.append(
            f"{formats.date_format(f.date_from, 'SHORT_DATE_FORMAT')} – "
            f"{formats.date_format(f.date_to, 'SHORT_DATE_FORMAT')}"
        )
    for name, value in (("team", f.team), ("owner", f.owner)):
        if value is not None:
            parts.append(str(dict(choices[name]).get(value, value)))
    return " · ".join(parts)


@login_required
@require_GET
def dashboard_home(request: AuthedRequest) -> HttpResponse:
    """The user's first dashboard (made with the default widgets if they have none)."""
    services.dashboard_ensure_default(actor=request.user)
    first = selectors.dashboard_list(user=request.user).filter(owner=request.user).first()
    first = first or selectors.dashboard_list(user=request.user).first()
    if first is None:
        return render(request, "analytics/dashboards/page.html", {"dashboard": None})
    return redirect("analytics:dashboard-detail", pk=first.pk)


@login_required
@require_GET
def dashboard_page(request: AuthedRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    editable = selectors.may_edit(request.user, dashboard)
    shown = selectors.dashboard_widgets(user=request.user, dashboard=dashboard)
    choices = _choices() if editable else {}
    widgets = []
    for item in shown:
        entry: dict[str, Any] = {"shown": item, "chart": None, "form": None, "points": []}
        entry["chart_id"] = f"chart-{item.id}"
        if item.data is not None and item.widget is not None:
            data = item.data
            entry["points"] = [
                {"label": row[0], "display": shown_value, "link": link}
                for row, shown_value, link in zip(data.rows, data.display, data.links, strict=False)
            ]
            if item.widget.kind in ("bar", "line", "pie") and item.data.rows:
                entry["chart"] = _chart(item)
            if editable and item.widget.filters:
                entry["form"] = FilterForm(
                    initial=item.item.get("filters") or {},
                    widget=item.widget,
                    choices=choices,
                    prefix=f"f-{item.id}",
                )
                entry["summary"] = _summary(item, choices)
        widgets.append(entry)
    config = {
        "editable": editable,
        "moveUrl": reverse("analytics:dashboard-layout", kwargs={"pk": dashboard.pk}),
        "saved": _("Layout saved."),
        "failed": _("The layout could not be saved."),
    }
    context = {
        "dashboard": dashboard,
        "dashboards": selectors.dashboard_list(user=request.user),
        "editable": editable,
        "widgets": widgets,
        "catalogue": widgets_for(request.user) if editable else [],
        "may_share": editable and selectors.may_share(request.user),
        "teams": _share_teams(request.user) if editable else [],
        "config": config,
    }
    return render(request, "analytics/dashboards/page.html", context)


def _share_teams(user: Any) -> list[Team]:
    teams = core_selectors.team_list()
    return list(teams if user.is_admin else teams.filter(pk=user.team_id))


def _errors(request: AuthedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _back(dashboard: Dashboard) -> HttpResponse:
    return redirect("analytics:dashboard-detail", pk=dashboard.pk)


def _change(
    request: AuthedRequest, dashboard: Dashboard, change: Callable[[], Any]
) -> HttpResponse:
    """Run a service's change; its errors become messages above the dashboard."""
    try:
        change()
    except ValidationError as exc:
        _errors(request, exc)
    return _back(dashboard)


@login_required
@require_POST
def dashboard_new(request: AuthedRequest) -> HttpResponse:
    try:
        dashboard = services.dashboard_create(
            actor=request.user, data={"name": request.POST.get("name", "")}
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("analytics:dashboards")
    return _back(dashboard)


@login_required
@require_POST
@not_found_as_404
def dashboard_rename(request: AuthedRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    name = request.POST.get("name", "")
    return _change(
        request,
        dashboard,
        lambda: services.dashboard_update(
            actor=request.user, dashboard=dashboard, data={"name": name}
        ),
    )


@login_required
@require_POST
@not_found_as_404
def dashboard_share(request: AuthedRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    raw = request.POST.get("team", "")
    if raw and not (raw.isdigit() and len(raw) < 19):
        messages.error(request, _("There is no team with this id."))
        return _back(dashboard)
    team_id = int(raw) if raw else None
    return _change(
        request,
        dashboard,
        lambda: services.dashboard_update(
            actor=request.user, dashboard=dashboard, data={"team_id": team_id}
        ),
    )


@login_required
@require_POST
@not_found_as_404
def dashboard_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    services.dashboard_delete(actor=request.user, dashboard=dashboard)
    messages.success(request, _("Dashboard “%(name)s” deleted.") % {"name": dashboard.name})
    return redirect("analytics:dashboards")


@login_required
@require_POST
@not_found_as_404
def dashboard_layout(request: AuthedRequest, pk: int) -> HttpResponse:
    """A drop: ``{"items": [{"id", "x", "y", "w", "h"}, …]}`` on the 12-column grid, or
    ``{"order": [ids]}`` from a phone's single column. Answers 422 with the errors."""
    dashboard = _dashboard(request, pk)
    try:
        if len(request.body) > MAX_BODY:
            raise ValidationError({"layout": [_("The layout is too large.")]})
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValidationError({"layout": [_("Send the layout as a JSON object.")]})
        if "order" in body:
            services.dashboard_reorder(actor=request.user, dashboard=dashboard, order=body["order"])
        else:
            services.dashboard_move(
                actor=request.user, dashboard=dashboard, positions=body.get("items")
            )
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errors": [_("Send the layout as a JSON object.")]}, status=422)
    except ValidationError as exc:
        return JsonResponse({"errors": exc.messages}, status=422)
    return JsonResponse({"ok": True})


@login_required
@require_POST
@not_found_as_404
def widget_add(request: AuthedRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    key = request.POST.get("widget", "")
    return _change(
        request,
        dashboard,
        lambda: services.dashboard_widget_add(actor=request.user, dashboard=dashboard, key=key),
    )


@login_required
@require_POST
@not_found_as_404
def widget_remove(request: AuthedRequest, pk: int, item: str) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    return _change(
        request,
        dashboard,
        lambda: services.dashboard_widget_remove(
            actor=request.user, dashboard=dashboard, item_id=item
        ),
    )


@login_required
@require_POST
@not_found_as_404
def widget_filters(request: AuthedRequest, pk: int, item: str) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    shown = next((i for i in dashboard.layout if i.get("id") == item), None)
    w = widget(shown["widget"]) if shown else None
    if shown is None or w is None:
        raise Http404
    form = FilterForm(request.POST, widget=w, choices=_choices(), prefix=f"f-{item}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{w.title} · {label}: {error}" if label else str(error))
        return _back(dashboard)
    filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return _change(
        request,
        dashboard,
        lambda: services.dashboard_widget_filters(
            actor=request.user, dashboard=dashboard, item_id=item, filters=filters
        ),
    )


@login_required
@require_GET
def widget_export(request: AuthedRequest, pk: int, item: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    dashboard = _dashboard(request, pk)
    try:
        shown = selectors.dashboard_widget(user=request.user, dashboard=dashboard, item_id=item)
    except NotFound:
        raise Http404 from None
    assert shown.data is not None
    assert shown.widget is not None
    name = shown.widget.key.replace(".", "-")
    if fmt == "csv":
        response = HttpResponse(
            exports.widget_csv(shown.data), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.widget_xlsx(shown.data, str(shown.widget.title)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


urlpatterns: list[URLPattern] = [
    path("analytics/dashboards/", dashboard_home, name="dashboards"),
    path("analytics/dashboards/new/", dashboard_new, name="dashboard-new"),
    path("analytics/dashboards/<int:pk>/", dashboard_page, name="dashboard-detail"),
    path("analytics/dashboards/<int:pk>/rename/", dashboard_rename, name="dashboard-rename"),
    path("analytics/dashboards/<int:pk>/share/", dashboard_share, name="dashboard-share"),
    path("analytics/dashboards/<int:pk>/delete/", dashboard_delete, name="dashboard-delete"),
    path("analytics/dashboards/<int:pk>/layout/", dashboard_layout, name="dashboard-layout"),
    path("analytics/dashboards/<int:pk>/add/", widget_add, name="dashboard-add"),
    path(
        "analytics/dashboards/<int:pk>/widgets/<slug:item>/remove/",
        widget_remove,
        name="dashboard-remove",
    ),
    path(
        "analytics/dashboards/<int:pk>/widgets/<slug:item>/filters/",
        widget_filters,
        name="dashboard-filters",
    ),
    path(
        "analytics/dashboards/<int:pk>/widgets/<slug:item>/export.<str:fmt>",
        widget_export,
        name="dashboard-export",
    ),
]
