"""The analytics pages: the ABC analysis (a Pareto chart drawn as inline SVG on the
server, the class lists), the RFM map (the 5 × 5 grid of R and F scores, each cell
linking to its segment), a segment's customers (and their CSV), "Refresh now" with its
progress (htmx polling), and the panel on person and organization pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.analytics import rules_selectors, selectors, selectors_cycles, services
from clientela.analytics.analyses import analysis_of, registered
from clientela.analytics.choices import AbcOf, AnalysisKind, Segment
from clientela.analytics.compute import AbcItem
from clientela.analytics.segments import grid
from clientela.contacts.models import Organization, Person
from clientela.core.downloads import csv_cell as _cell
from clientela.core.downloads import csv_response
from clientela.core.forms import BootstrapMixin
from clientela.core.views.records import AuthedRequest
from clientela.core.widgets import DateInput
from clientela.sales.views.orders import fmt

SEGMENT_COLOURS = {
    Segment.CHAMPIONS: "#198754",
    Segment.LOYAL: "#20c997",
    Segment.POTENTIAL_LOYALISTS: "#0dcaf0",
    Segment.NEW: "#0d6efd",
    Segment.PROMISING: "#6ea8fe",
    Segment.NEED_ATTENTION: "#ffc107",
    Segment.ABOUT_TO_SLEEP: "#fd7e14",
    Segment.AT_RISK: "#dc3545",
    Segment.CANT_LOSE: "#a52834",
    Segment.HIBERNATING: "#6c757d",
    Segment.LOST: "#343a40",
}
CLASS_BADGES = {"A": "text-bg-success", "B": "text-bg-warning", "C": "text-bg-secondary"}
#: Rows of each class listed on the ABC page, and customers on a segment's page.
LIST_ROWS = 25
SEGMENT_ROWS = 200


def _require_reader(user: Any) -> None:
    if not selectors.may_read(user):
        raise Http404


class AbcForm(BootstrapMixin, forms.Form):
    of = forms.ChoiceField(choices=AbcOf.choices, required=False, widget=forms.HiddenInput)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    a = forms.IntegerField(label=gettext_lazy("A (%)"), required=False)
    b = forms.IntegerField(label=gettext_lazy("B (%)"), required=False)
    c = forms.IntegerField(label=gettext_lazy("C (%)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            start, end = data.get("date_from"), data.get("date_to")
            data["period"] = services.clean_period(start, end) if start or end else None
            given = [data.get(k) for k in "abc"]
            data["thresholds"] = (
                services.clean_thresholds(*given) if any(v is not None for v in given) else None
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = {"from": "date_from", "to": "date_to"}.get(name, name)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


def _status(kind: str) -> dict[str, Any]:
    latest = selectors.latest(kind)
    current = selectors.current(kind)
    return {
        "kind": kind,
        "latest": latest,
        "current": current,
        "working": latest is not None and latest.is_active,
        "failed": latest if latest is not None and latest.status == "failed" else None,
    }


def _pareto(
    curve: list[tuple[float, float]], summary: dict[str, Any], total: int
) -> dict[str, Any]:
    """The SVG's geometry in a 0–100 × 0–100 box (y grows downwards)."""
    points = " ".join(f"{x * 100:.2f},{100 - y * 100:.2f}" for x, y in curve)
    bands = []
    start = 0.0
    for grade in "ABC":
        width = 100 * summary[grade]["count"] / total if total else 0
        bands.append({"grade": grade, "x": f"{start:.2f}", "width": f"{width:.2f}"})
        start += width
    return {"points": points, "bands": bands}


def _row(item: AbcItem, currency: str) -> dict[str, Any]:
    url = ""
    if item.person_id:
        url = reverse("contacts:person-detail", kwargs={"pk": item.person_id})
    elif item.organization_id:
        url = reverse("contacts:organization-detail", kwargs={"pk": item.organization_id})
    return {
        "rank": item.rank,
        "name": item.name,
        "url": url,
        "revenue": fmt(item.revenue, currency),
        "share": f"{item.share * 100:.1f}",
        "cumulative": f"{item.cumulative_share * 100:.1f}",
        "grade": item.abc_class,
    }


@login_required
def abc_page(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    form = AbcForm(request.GET or None)
    of: str = AbcOf.CUSTOMERS
    period, thresholds = None, None
    if form.is_valid():
        of = form.cleaned_data.get("of") or AbcOf.CUSTOMERS
        period, thresholds = form.cleaned_data["period"], form.cleaned_data["thresholds"]
    elif request.GET.get("of") in AbcOf.values:
        of = request.GET["of"]
    result = selectors.abc(request.user, of, period, thresholds)
    summary = result.summary()
    total = sum(s["count"] for s in summary.values())
    currency = result.base_currency
    classes = [
        {
            "grade": grade,
            "badge": CLASS_BADGES[grade],
            "count": summary[grade]["count"],
            "revenue": fmt(summary[grade]["revenue"], currency) if currency else "",
            "rows": [_row(i, currency) for i in result.of_class(grade, LIST_ROWS)],
        }
        for grade in "ABC"
    ]
    context = {
        "form": form,
        "of": of,
        "result": result,
        "status": _status(AnalysisKind.ABC),
        "classes": classes,
        "total": total,
        "pareto": _pareto(result.curve(), summary, total),
        "tabs": AbcOf.choices,
    }
    return render(request, "analytics/abc.html", context)


@login_required
def rfm_page(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    cells, segments = selectors.rfm_counts(request.user)
    rows = [
        [
            {
                "r": r,
                "f": f,
                "segment": seg,
                "label": Segment(seg).label,
                "colour": SEGMENT_COLOURS[Segment(seg)],
                "count": cells.get((r, f), 0),
            }
            for r, f, seg in row
        ]
        for row in grid()
    ]
    legend = [
        {
            "segment": seg.value,
            "label": seg.label,
            "colour": SEGMENT_COLOURS[seg],
            "count": segments.get(seg.value, 0),
        }
        for seg in Segment
    ]
    context = {
        "rows": rows,
        "legend": legend,
        "total": sum(segments.values()),
        "status": _status(AnalysisKind.RFM),
    }
    return render(request, "analytics/rfm.html", context)


def _segment(name: str) -> Segment:
    try:
        return Segment(name)
    except ValueError:
        raise Http404 from None


@login_required
def segment_page(request: AuthedRequest, segment: str) -> HttpResponse:
    _require_reader(request.user)
    seg = _segment(segment)
    snapshot = selectors.current(AnalysisKind.RFM)
    currency = snapshot.parameters.get("base_currency", "") if snapshot else ""
    rows = selectors.rfm_rows(request.user, seg)
    shown = list(rows[: SEGMENT_ROWS + 1])
    for row in shown:
        row.monetary_display = fmt(row.monetary, currency)  # type: ignore[attr-defined]
        row.url = (  # type: ignore[attr-defined]
            reverse("contacts:person-detail", kwargs={"pk": row.person_id})
            if row.person_id
            else reverse("contacts:organization-detail", kwargs={"pk": row.organization_id})
        )
    context = {
        "segment": seg,
        "colour": SEGMENT_COLOURS[seg],
        "rows": shown[:SEGMENT_ROWS],
        "more": len(shown) > SEGMENT_ROWS,
        "snapshot": snapshot,
    }
    return render(request, "analytics/segment.html", context)


@login_required
def segment_csv(request: AuthedRequest, segment: str) -> HttpResponse:
    _require_reader(request.user)
    seg = _segment(segment)
    return csv_response(
        f"rfm-{seg.value}.csv",
        [
            _("Name"),
            "person_id",
            "organization_id",
            _("Recency (days)"),
            _("Frequency"),
            _("Monetary"),
            "R",
            "F",
            "M",
            _("Segment"),
        ],
        (
            [
                _cell(row.name),
                row.person_id or "",
                row.organization_id or "",
                row.recency_days,
                row.frequency,
                row.monetary,
                row.r,
                row.f,
                row.m,
                seg.label,
            ]
            for row in selectors.rfm_rows(request.user, seg).iterator(chunk_size=2000)
        ),
    )


@login_required
def status_partial(request: AuthedRequest, kind: str) -> HttpResponse:
    _require_reader(request.user)
    if kind not in registered():
        raise Http404
    status = _status(kind)
    response = render(request, "analytics/_status.html", {"status": status})
    if request.GET.get("was") == "working" and not status["working"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def refresh_now(request: AuthedRequest, kind: str) -> HttpResponse:
    _require_reader(request.user)
    if kind not in registered():
        raise Http404
    try:
        services.refresh(request.user, kinds=[kind])
    except PermissionDenied:
        raise Http404 from None
    if request.htmx:
        return render(request, "analytics/_status.html", {"status": _status(kind)})
    return redirect(analysis_of(kind).page)


def customer_panel(request: HttpRequest, record: Person | Organization) -> dict[str, Any]:
    """The context of ``analytics/_panel.html`` (``core.registry`` panel): the ABC class,
    RFM segment, purchase cycle, lifetime value and the three products to offer next
    (``rules_selectors.offer_next``) of the person or organization, as the reader sees
    them."""
    user = request.user
    if not selectors.may_read(user):
        return {"hidden": True}
    from clientela.analytics.views_clv import panel_context  # noqa: PLC0415 - it imports this

    item = selectors.abc_class_of(user, record)
    rfm = selectors.rfm_of(user, record)
    offers = rules_selectors.offer_next(user, record, limit=3)
    return {
        "cycle": selectors_cycles.cycle_of(user, record),
        **panel_context(user, record),
        "offers": [
            {
                "name": offer.name,
                "url": reverse("analytics:product-rules", args=[offer.product_id]),
                "because": ", ".join(offer.rule.antecedent_names),
                "confidence": round(offer.rule.confidence * 100),
            }
            for offer in offers
        ],
        "abc": item,
        "abc_badge": CLASS_BADGES.get(item.abc_class, "") if item else "",
        "rfm": rfm,
        "rfm_label": Segment(rfm.segment).label if rfm else "",
        "rfm_colour": SEGMENT_COLOURS[Segment(rfm.segment)] if rfm else "",
    }


app_name = "analytics"
urlpatterns: list[URLPattern] = [
    path("analytics/", abc_page, name="abc"),
    path("analytics/rfm/", rfm_page, name="rfm"),
    path("analytics/rfm/<slug:segment>/", segment_page, name="rfm-segment"),
    path("analytics/rfm/<slug:segment>/csv/", segment_csv, name="rfm-segment-csv"),
    path("analytics/status/<slug:kind>/", status_partial, name="status"),
    path("analytics/refresh/<slug:kind>/", refresh_now, name="refresh"),
]
