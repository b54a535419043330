"""The forecast page: a period (this month, this quarter or custom dates), pipeline,
team and owner filters, a table per owner and team with the total, and a bar chart
(Chart.js, data handed over with ``json_script``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core import selectors as core_selectors
from clientela.core.forms import BootstrapMixin
from clientela.core.views.records import AuthedRequest
from clientela.core.widgets import DateInput
from clientela.sales.selectors import forecast as selectors
from clientela.sales.selectors.forecast import COMMITTED_PROBABILITY, ForecastRow
from clientela.sales.views.orders import fmt

BLANK = [("", "—")]
PERIODS = [
    ("month", gettext_lazy("This month")),
    ("quarter", gettext_lazy("This quarter")),
    ("next_quarter", gettext_lazy("Next quarter")),
    ("custom", gettext_lazy("Custom dates")),
]
MAX_DAYS = 3 * 366
MAX_ID = 2**63 - 1


class ForecastForm(BootstrapMixin, forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    pipeline = forms.TypedChoiceField(
        label=gettext_lazy("Pipeline"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(
        label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[Any, Any]]] = {
            "pipeline": BLANK + selectors.pipeline_choices(),
            "team": BLANK + [(t.pk, t.name) for t in core_selectors.team_list()],
            "owner": BLANK + [(u.pk, str(u)) for u in core_selectors.user_choices()],
        }
        for name, options in choices.items():
            self.fields[name].choices = options  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or "quarter"
        data["period"] = period
        today = timezone.localdate()
        if period == "month":
            data["date_from"], data["date_to"] = selectors.month_bounds(today)
        elif period == "quarter":
            data["date_from"], data["date_to"] = selectors.quarter_bounds(today)
        elif period == "next_quarter":
            quarter_end = selectors.quarter_bounds(today)[1]
            data["date_from"], data["date_to"] = selectors.quarter_bounds(
                quarter_end + datetime.timedelta(days=1)
            )
        else:
            start, end = data.get("date_from"), data.get("date_to")
            if start is None and "date_from" not in self.errors:
                self.add_error("date_from", _("Give the first day of the period."))
            if end is None and "date_to" not in self.errors:
                self.add_error("date_to", _("Give the last day of the period."))
            if start and end and start > end:
                self.add_error("date_to", _("The end date is before the start date."))
            elif start and end and (end - start).days > MAX_DAYS:
                self.add_error("date_to", _("Choose a period of at most three years."))
        return data


def _row(row: ForecastRow, currency: str) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "deals": row.deals,
        "open": fmt(row.open, currency),
        "weighted": fmt(row.weighted, currency),
        "committed": fmt(row.committed, currency),
        "won": fmt(row.won, currency),
    }


@login_required
def forecast_page(request: AuthedRequest) -> HttpResponse:
    form = ForecastForm(request.GET or {"period": "quarter"})
    context: dict[str, Any] = {"form": form, "committed_probability": COMMITTED_PROBABILITY}
    if form.is_valid():
        data = form.cleaned_data
        result = selectors.forecast(
            request.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            pipeline=data.get("pipeline"),
            team=data.get("team"),
            owner=data.get("owner"),
        )
        base = result.base_currency
        context.update(
            {
                "forecast": result,
                "owners": [_row(o, base) for o in result.owners],
                "teams": [_row(t, base) for t in result.teams],
                "total": _row(result.total, base),
                "chart": {
                    "currency": base,
                    "labels": [o.name for o in result.owners],
                    "series": [
                        {
                            "key": m,
                            "label": str(label),
                            "values": [str(getattr(o, m)) for o in result.owners],
                        }
                        for m, label in (
                            ("open", _("Open")),
                            ("weighted", _("Weighted")),
                            ("committed", _("Committed")),
                            ("won", _("Won")),
                        )
                    ],
                },
            }
        )
    return render(request, "sales/forecast/forecast.html", context)


urlpatterns: list[URLPattern] = [
    path("forecast/", forecast_page, name="forecast"),
]
