"""The "Offers" page (issue 13, item 8): the value funnel draft → sent → accepted as
inline SVG, the table by rep, product or month (sortable by any column) and its CSV.
Figures are computed live (``analytics.offers``) over the quotes the reader may see."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from clientela.analytics import offers
from clientela.analytics.choices import OfferGrouping
from clientela.core.downloads import csv_cell as _cell
from clientela.core.forms import BootstrapMixin
from clientela.core.views.records import AuthedRequest
from clientela.core.widgets import DateInput
from clientela.sales.views.orders import fmt


class OffersForm(BootstrapMixin, forms.Form):
    by = forms.ChoiceField(choices=OfferGrouping.choices, required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["period"] = offers.period_of(data.get("date_from"), data.get("date_to"))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = {"from": "date_from", "to": "date_to"}.get(name)
                for message in messages:
                    self.add_error(field, message)
        return data


def _columns() -> list[tuple[str, str, bool]]:
    """(sort key, header, shown on a phone)."""
    return [
        ("quotes", _("Quotes"), False),
        ("sent", pgettext("quotes", "Sent"), True),
        ("accepted", pgettext("quotes", "Accepted"), True),
        ("conversion", _("Conversion"), True),
        ("median_days", _("Median days to accept"), False),
        ("value_quoted", _("Value quoted"), False),
        ("value_sent", _("Value sent"), False),
        ("value_accepted", _("Value accepted"), True),
    ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value * 100, 1)} %"


def _days(value: float | None) -> str:
    return "—" if value is None else number_format(value, 1)


def _query(request: AuthedRequest, **changes: str) -> str:
    params = {k: v for k, v in request.GET.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v})
    return "?" + urlencode(params)


def _funnel_svg(steps: list[offers.FunnelStep]) -> list[dict[str, Any]]:
    """Each step as a bar centred in a 0–100 wide box, as wide as its value (its count
    when nothing has a value) relative to the first step."""
    widest_value = max((s.value for s in steps), default=0)
    widest_count = max((s.count for s in steps), default=0)
    bars = []
    for n, step in enumerate(steps):
        if widest_value > 0:
            width = float(step.value / widest_value) * 100
        else:
            width = step.count / widest_count * 100 if widest_count else 0
        width = max(width, 0.5)
        bars.append(
            {
                "step": step.step,
                "x": f"{(100 - width) / 2:.2f}",
                "y": n * 12,
                "width": f"{width:.2f}",
            }
        )
    return bars


def _by(request: AuthedRequest) -> str:
    by = request.GET.get("by") or ""
    return by if by in OfferGrouping.values else OfferGrouping.REP


def _read(request: AuthedRequest) -> tuple[OffersForm, str, str, offers.Offers]:
    """The form, grouping, sort and figures the page and its CSV show (404 for a user
    who may not read quotes)."""
    if not offers.may_read(request.user):
        raise Http404
    form = OffersForm(request.GET or None)
    by = _by(request)
    period = form.cleaned_data.get("period") if form.is_valid() else None
    sort = request.GET.get("sort") or offers.default_sort(by)
    return form, by, sort, offers.offers(request.user, by=by, period=period, sort=sort)


@login_required
def offers_page(request: AuthedRequest) -> HttpResponse:
    form, by, sort, result = _read(request)
    currency = result.base_currency
    column, descending = offers.sort_key(sort)
    headers = []
    for key, label, phone in [("name", _("Name"), True), *_columns()]:
        active = key == column
        next_sort = key if active and descending else f"-{key}"
        if key == "name" and not active:
            next_sort = "name"
        headers.append(
            {
                "key": key,
                "label": label,
                "url": _query(request, sort=next_sort),
                "active": active,
                "aria": ("descending" if descending else "ascending") if active else "",
                "phone": phone,
            }
        )
    rows = [
        {
            "name": row.name,
            "quotes": row.quotes,
            "sent": row.sent,
            "accepted": row.accepted,
            "conversion": _percent(row.conversion),
            "median_days": _days(row.median_days),
            "value_quoted": fmt(row.value_quoted, currency),
            "value_sent": fmt(row.value_sent, currency),
            "value_accepted": fmt(row.value_accepted, currency),
        }
        for row in result.rows
    ]
    funnel = [
        {
            "step": step.step,
            "label": step.label,
            "count": step.count,
            "value": fmt(step.value, currency),
            "rate": _percent(step.count / result.funnel[0].count)
            if n and result.funnel[0].count
            else "",
        }
        for n, step in enumerate(result.funnel)
    ]
    context = {
        "form": form,
        "by": by,
        "sort": sort,
        "result": result,
        "tabs": [
            (value, label, _query(request, by=value, sort=""))
            for value, label in OfferGrouping.choices
        ],
        "headers": headers,
        "rows": rows,
        "funnel": funnel,
        "bars": _funnel_svg(result.funnel),
        "csv_url": reverse("analytics:offers-csv") + _query(request),
    }
    return render(request, "analytics/offers.html", context)


@login_required
def offers_csv(request: AuthedRequest) -> HttpResponse:
    _form, by, _sort, result = _read(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Name"),
            "id",
            *[label for _key, label, _phone in _columns()],
            _("Currency"),
        ]
    )
    for row in result.rows:
        writer.writerow(
            [
                _cell(row.name),
                row.id or "",
                row.quotes,
                row.sent,
                row.accepted,
                "" if row.conversion is None else f"{row.conversion:.4f}",
                "" if row.median_days is None else row.median_days,
                row.value_quoted,
                row.value_sent,
                row.value_accepted,
                result.base_currency,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="offers-by-{by}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("analytics/offers/", offers_page, name="offers"),
    path("analytics/offers/csv/", offers_csv, name="offers-csv"),
]
