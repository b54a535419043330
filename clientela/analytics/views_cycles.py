"""The purchase cycles page: "Due to reorder" (the customers past their usual cycle, most
overdue first: the list a rep works through), every customer's cycle, and each
product's typical repurchase interval; sortable, paginated, "only mine", another margin
than the snapshot's, and the CSV of what is shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.analytics import selectors_cycles as cycles
from clientela.analytics.choices import AnalysisKind
from clientela.analytics.models import CustomerCycleRow
from clientela.analytics.views import _require_reader, _status
from clientela.core.downloads import csv_cell as _cell
from clientela.core.downloads import csv_response
from clientela.core.forms import BootstrapMixin
from clientela.core.pagination import WindowPaginator
from clientela.core.views.records import AuthedRequest

TABS = (
    ("due", gettext_lazy("Due to reorder")),
    ("all", gettext_lazy("All cycles")),
    ("products", gettext_lazy("Products")),
)
RESULTS_ID = "cycles-results"
#: Products listed on the page (the CSV has them all).
PRODUCT_ROWS = 100


class CyclesForm(BootstrapMixin, forms.Form):
    tab = forms.ChoiceField(choices=TABS, required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    margin = forms.CharField(
        label=gettext_lazy("Margin (% of the cycle)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 1000, "step": 1}),
    )
    mine = forms.BooleanField(label=gettext_lazy("Only my customers"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["tab"] = data.get("tab") or "due"
        try:
            data["margin_share"] = cycles.clean_margin(data.get("margin"), percent=True)
        except ValidationError as exc:
            self.add_error("margin", exc.message_dict["margin"])
        try:
            data["sort"] = cycles.clean_sort(data.get("sort"))
        except ValidationError:
            data["sort"] = cycles.DEFAULT_SORT  # an old link's sort: the default order
        return data


def _parse(request: AuthedRequest) -> tuple[CyclesForm, dict[str, Any]]:
    form = CyclesForm(request.GET)
    wanted: dict[str, Any] = {
        "tab": "due",
        "sort": cycles.DEFAULT_SORT,
        "margin": None,
        "mine": False,
    }
    if form.is_valid():
        data = form.cleaned_data
        wanted = {
            "tab": data["tab"],
            "sort": data["sort"],
            "margin": data["margin_share"],
            "mine": data["mine"],
        }
    elif request.GET.get("tab") in dict(TABS):
        wanted["tab"] = request.GET["tab"]
    return form, wanted


def _rows(request: AuthedRequest, wanted: dict[str, Any]) -> Any:
    return cycles.customer_cycles(
        request.user,
        due=True if wanted["tab"] == "due" else None,
        margin=wanted["margin"],
        mine=wanted["mine"],
        sort=wanted["sort"],
    )


def customer_url(row: CustomerCycleRow) -> str:
    if row.person_id:
        return reverse("contacts:person-detail", kwargs={"pk": row.person_id})
    return reverse("contacts:organization-detail", kwargs={"pk": row.organization_id})


def late_days(row: CustomerCycleRow) -> int:
    """Whole days past the cycle (halves up), 0 when not yet."""
    return max(0, int(row.overdue_days + 0.5))


COLUMNS = (
    (gettext_lazy("Customer"), "name", ""),
    (gettext_lazy("Orders"), "orders", "text-end d-none d-sm-table-cell"),
    (gettext_lazy("Usual cycle (days)"), "cycle", "text-end"),
    (gettext_lazy("Last order"), "last", "text-end d-none d-md-table-cell"),
    (gettext_lazy("Next expected"), "next", "text-end d-none d-sm-table-cell"),
    (gettext_lazy("Days late"), "overdue", "text-end"),
)


@login_required
def cycles_page(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    form, wanted = _parse(request)
    snapshot = cycles.current_snapshot()
    # The margin in force when none is typed.
    form.fields["margin"].widget.attrs["placeholder"] = round(
        100 * cycles.snapshot_margin(snapshot)
    )
    context: dict[str, Any] = {
        "form": form,
        "tab": wanted["tab"],
        "tabs": TABS,
        "status": _status(AnalysisKind.CYCLES),
        "snapshot": snapshot,
        "margin_percent": round(
            100
            * (cycles.snapshot_margin(snapshot) if wanted["margin"] is None else wanted["margin"])
        ),
        "results_id": RESULTS_ID,
        "list_url": reverse("analytics:cycles"),
        "current_sort": wanted["sort"],
    }
    if wanted["tab"] == "products":
        intervals = cycles.product_intervals(request.user)
        context["products"] = intervals.items[:PRODUCT_ROWS]
        context["products_total"] = len(intervals.items)
    else:
        page = WindowPaginator(_rows(request, wanted), settings.CLIENTELA_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        for row in page:
            row.url = customer_url(row)
            row.late = late_days(row)
        context["page_obj"] = page
        context["columns"] = [
            {"label": label, "sort": key, "css": css} for label, key, css in COLUMNS
        ]
    template = "analytics/cycles.html"
    if request.htmx and request.htmx.target == RESULTS_ID:
        template = "analytics/_cycles_results.html"
    return render(request, template, context)


@login_required
def cycles_csv(request: AuthedRequest) -> HttpResponse:
    """What the tab shows, every row (same filters and order)."""
    _require_reader(request.user)
    _form, wanted = _parse(request)
    if wanted["tab"] == "products":
        items = cycles.product_intervals(request.user).items
        return csv_response(
            "repurchase-intervals.csv",
            ["product_id", _("Product"), _("Customers"), _("Repurchase interval (days)")],
            ([i.product_id, _cell(i.name), i.customers, f"{i.median_days:g}"] for i in items),
        )
    rows = _rows(request, wanted).iterator(chunk_size=2000)
    name = "due-to-reorder" if wanted["tab"] == "due" else "purchase-cycles"
    return csv_response(
        f"{name}.csv",
        [
            _("Name"),
            "person_id",
            "organization_id",
            _("Orders"),
            _("Usual cycle (days)"),
            _("Last order"),
            _("Next expected"),
            _("Days overdue"),
            _("Due to reorder"),
        ],
        (
            [
                _cell(row.name),
                row.person_id or "",
                row.organization_id or "",
                row.orders,
                f"{row.median_days:g}",
                row.last_order.isoformat(),
                row.next_expected.isoformat(),
                f"{row.overdue_days:g}",
                _("yes") if row.is_due else _("no"),
            ]
            for row in rows
        ),
    )
