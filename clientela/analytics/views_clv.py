"""The "Lifetime value" page: the fitted models in plain words, the customers by expected
revenue and the "At risk" list (sortable, paginated, CSV), a backtest as of a past day
and the snapshots already computed (docs/analytics.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.analytics import lifetime, selectors_clv, services
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.models import ClvRow, Snapshot
from clientela.analytics.views import _require_reader, _status
from clientela.core.downloads import csv_cell as _cell
from clientela.core.downloads import csv_response
from clientela.core.forms import BootstrapMixin
from clientela.core.pagination import WindowPaginator
from clientela.core.views.records import AuthedRequest
from clientela.core.widgets import DateInput
from clientela.sales.views.orders import fmt

RISK = "risk"


class ClvForm(BootstrapMixin, forms.Form):
    as_of = forms.DateField(required=False, widget=forms.HiddenInput)
    list = forms.ChoiceField(
        choices=[("all", "all"), (RISK, RISK)], required=False, widget=forms.HiddenInput
    )
    below = forms.FloatField(
        label=gettext_lazy("Chance still active below (0–1)"),
        required=False,
        min_value=0.01,
        max_value=1,
    )
    top = forms.IntegerField(
        label=gettext_lazy("Among the top (% by revenue)"),
        required=False,
        min_value=1,
        max_value=100,
    )
    sort = forms.ChoiceField(
        choices=[(s, s) for key in selectors_clv.SORTS for s in (key, f"-{key}")], required=False
    )


class BacktestForm(BootstrapMixin, forms.Form):
    day = forms.DateField(label=gettext_lazy("As of"), widget=DateInput)

    def clean_day(self) -> datetime.date | None:
        try:
            return services.clean_as_of(self.cleaned_data["day"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["as_of"]) from None


def _columns(risk: bool) -> list[dict[str, Any]]:
    return [
        {"label": _("Customer"), "sort": "name", "css": ""},
        {"label": _("Still active"), "sort": "p_alive", "css": "text-end"},
        {
            "label": _("Expected purchases, 90 days"),
            "sort": "purchases",
            "css": "text-end d-none d-md-table-cell",
        },
        {"label": _("12-month value"), "sort": "expected", "css": "text-end"},
        {
            "label": _("Revenue to date"),
            "sort": "revenue",
            "css": "text-end" if risk else "text-end d-none d-sm-table-cell",
        },
    ]


def _decorate(rows: list[ClvRow], currency: str) -> None:
    for row in rows:
        row.url = (  # type: ignore[attr-defined]
            reverse("contacts:person-detail", kwargs={"pk": row.person_id})
            if row.person_id
            else reverse("contacts:organization-detail", kwargs={"pk": row.organization_id})
        )
        row.expected_display = fmt(row.expected_revenue_12m, currency)  # type: ignore[attr-defined]
        row.revenue_display = fmt(row.revenue, currency)  # type: ignore[attr-defined]
        row.percent = round(row.p_alive * 100)  # type: ignore[attr-defined]


def _selection(request: AuthedRequest) -> tuple[ClvForm, dict[str, Any]]:
    """The page's (and the CSV's) choices: as-of day, list, thresholds, sort."""
    form = ClvForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        # The choices that are valid count; the others are said next to their field.
        data = form.cleaned_data
    snapshot = selectors_clv.snapshot_as_of(data.get("as_of"))
    stored = selectors_clv.at_risk_of(snapshot)
    risk = selectors_clv.AtRisk(
        below=data.get("below") or stored.below, top_percent=data.get("top") or stored.top_percent
    )
    at_risk = data.get("list") == RISK
    rows = selectors_clv.clv_rows(
        request.user, snapshot, at_risk=risk if at_risk else None, sort=data.get("sort") or None
    )
    return form, {
        "snapshot": snapshot,
        "as_of": data.get("as_of"),
        "risk": risk,
        "at_risk": at_risk,
        "rows": rows,
        "sort": data.get("sort")
        or (selectors_clv.DEFAULT_AT_RISK_SORT if at_risk else selectors_clv.DEFAULT_SORT),
    }


def _totals(user: Any, snapshot: Snapshot | None, risk: selectors_clv.AtRisk) -> dict[str, Any]:
    """The visible customers' count, expected purchases and revenue, and how many are at
    risk, in one query."""
    rows: QuerySet[ClvRow] = selectors_clv.clv_rows(user, snapshot)
    model = lifetime.Model.of(snapshot)
    last = risk.last_rank(model.customers if model else 0)
    totals = rows.order_by().aggregate(
        n=Count("id"),
        purchases=Sum("expected_purchases_90d"),
        revenue=Sum("expected_revenue_12m"),
        at_risk=Count("id", filter=Q(p_alive__lt=risk.below, value_rank__lte=last)),
    )
    return {
        "customers": totals["n"] or 0,
        "purchases": round(totals["purchases"] or 0.0, 1),
        "revenue": totals["revenue"] or Decimal(0),
        "at_risk": totals["at_risk"] or 0,
    }


def _words(model: lifetime.Model | None, currency: str) -> dict[str, Any]:
    if model is None:
        return {}
    params: list[tuple[str, float | None]] = [
        ("r", model.r),
        ("α", model.alpha),
        ("a", model.a),
        ("b", model.b),
    ]
    if model.p is not None:  # Gamma-Gamma fitted
        params += [("p", model.p), ("q", model.q), ("v", model.v)]
    return {
        "every_weeks": model.weeks_between_purchases,
        "leave_percent": round(model.churn_after_purchase * 100),
        "mean_spend": fmt(Decimal(str(round(model.mean_spend, 2))), currency),
        "params": params,
    }


def _without_page(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def clv_page(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    form, chosen = _selection(request)
    snapshot: Snapshot | None = chosen["snapshot"]
    currency = snapshot.parameters.get("base_currency", "") if snapshot else ""
    page = WindowPaginator(chosen["rows"], settings.CLIENTELA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _decorate(list(page.object_list), currency)
    model = lifetime.Model.of(snapshot)
    totals = _totals(request.user, snapshot, chosen["risk"])
    # The thresholds in force, shown in the empty fields.
    form.fields["below"].widget.attrs["placeholder"] = chosen["risk"].below
    form.fields["top"].widget.attrs["placeholder"] = chosen["risk"].top_percent
    context = {
        **chosen,
        "form": form,
        "status": _status(AnalysisKind.CLV),
        "model": model,
        "words": _words(model, currency),
        "totals": totals,
        "revenue_total": fmt(totals["revenue"], currency) if currency else "",
        "currency": currency,
        "page_obj": page,
        "records": page.object_list,
        "columns": _columns(chosen["at_risk"]),
        "current_sort": chosen["sort"],
        "list_url": reverse("analytics:clv"),
        "results_id": "clv-results",
        "is_backtest": snapshot is not None and snapshot != selectors_clv.snapshot_as_of(None),
        "snapshots": selectors_clv.as_of_days(request.user),
        "backtest_form": BacktestForm(),
        "csv_query": _without_page(request),
    }
    if request.htmx and request.htmx.target == "clv-results":
        return render(request, "analytics/_clv_results.html", context)
    return render(request, "analytics/clv.html", context)


@login_required
def clv_csv(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    _form, chosen = _selection(request)
    snapshot: Snapshot | None = chosen["snapshot"]
    labels = dict(RISK_LABELS)
    return csv_response(
        "clv-at-risk.csv" if chosen["at_risk"] else "clv.csv",
        [
            _("Name"),
            "person_id",
            "organization_id",
            _("Chance still active"),
            _("Expected purchases, 90 days"),
            _("Expected revenue, 12 months"),
            _("Revenue to date"),
            _("Repeat purchases"),
            _("Churn risk"),
        ],
        (
            [
                _cell(row.name),
                row.person_id or "",
                row.organization_id or "",
                f"{row.p_alive:.4f}",
                f"{row.expected_purchases_90d:.4f}",
                row.expected_revenue_12m,
                row.revenue,
                row.frequency,
                labels[selectors_clv.churn_risk(row, snapshot)],
            ]
            for row in chosen["rows"].iterator(chunk_size=2000)
        ),
    )


@login_required
@require_POST
def clv_backtest(request: AuthedRequest) -> HttpResponse:
    """Compute the figures as of a past day, then show that day's page."""
    _require_reader(request.user)
    form = BacktestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("analytics:clv")
    day = form.cleaned_data["day"]
    try:
        services.refresh(request.user, kinds=[AnalysisKind.CLV], as_of=day)
    except PermissionDenied:
        messages.error(request, _("Your role does not allow you to read orders."))
        return redirect("analytics:clv")
    messages.success(
        request,
        _("The figures as of %(day)s are being computed; this page shows them when ready.")
        % {"day": day.isoformat()},
    )
    return redirect(reverse("analytics:clv") + "?" + urlencode({"as_of": day.isoformat()}))


#: The churn-risk badge: its label and colour (``selectors_clv.churn_risk``).
RISK_LABELS = [
    ("high", gettext_lazy("High churn risk")),
    ("medium", gettext_lazy("Some churn risk")),
    ("low", gettext_lazy("Low churn risk")),
    ("unjudged", gettext_lazy("Bought once: not judged yet")),
]
RISK_BADGES = {
    "high": "text-bg-danger",
    "medium": "text-bg-warning",
    "low": "text-bg-success",
    "unjudged": "text-bg-secondary",
}


def panel_context(user: Any, record: Any) -> dict[str, Any]:
    """The lifetime-value part of the person/organization panel (``views.customer_panel``)."""
    row = selectors_clv.clv_of(user, record)
    if row is None:
        return {"clv": None}
    snapshot = row.snapshot
    currency = snapshot.parameters.get("base_currency", "")
    level = selectors_clv.churn_risk(row, snapshot)
    return {
        "clv": row,
        "clv_percent": round(row.p_alive * 100),
        "clv_revenue": fmt(row.expected_revenue_12m, currency),
        "clv_risk": dict(RISK_LABELS)[level],
        "clv_badge": RISK_BADGES[level],
        "clv_at_risk": selectors_clv.is_at_risk(row, snapshot),
    }


urlpatterns: list[URLPattern] = [
    path("analytics/clv/", clv_page, name="clv"),
    path("analytics/clv/csv/", clv_csv, name="clv-csv"),
    path("analytics/clv/backtest/", clv_backtest, name="clv-backtest"),
]
