"""The analytics widgets of the dashboards' catalogue: the RFM segments and the ABC
classes of customers, read from the current snapshots through the analytics selectors
(a rep counts only the customers they may see), so they cost a grouped query each."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.analytics import selectors
from clientela.analytics.choices import AbcOf, Segment
from clientela.core.dashboards import Widget, WidgetData, WidgetFilters, register_widget
from clientela.sales.money import money_text


def _count(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


def rfm_distribution(user: Any, f: WidgetFilters) -> WidgetData:
    _cells, segments = selectors.rfm_counts(user)
    data = WidgetData(
        columns=[_("Segment"), _("Customers")],
        url=reverse("analytics:rfm"),
        empty=_("No customers to segment yet: RFM needs orders with a customer, then a refresh."),
    )
    if not segments:
        return data
    for seg in Segment:
        n = segments.get(seg.value, 0)
        data.rows.append([str(seg.label), n])
        data.display.append(_count(n))
        data.links.append(reverse("analytics:rfm-segment", kwargs={"segment": seg.value}))
    return data


def abc_classes(user: Any, f: WidgetFilters) -> WidgetData:
    result = selectors.abc(user, AbcOf.CUSTOMERS)
    url = reverse("analytics:abc")
    data = WidgetData(
        columns=[
            _("Class"),
            _("Customers"),
            _("Revenue (%(currency)s)") % {"currency": result.base_currency},
        ],
        url=url,
        empty=_("No ABC analysis yet: it needs orders with a customer, then a refresh."),
    )
    if result.is_empty:
        return data
    for grade, figures in result.summary().items():
        data.rows.append([grade, figures["count"], figures["revenue"]])
        data.display.append(_count(figures["count"]))
        data.links.append(f"{url}#abc-class-{grade}")
    total = sum(row[1] for row in data.rows)
    revenue = sum(row[2] for row in data.rows)
    data.note = _("%(n)s customers, %(revenue)s in all.") % {
        "n": _count(total),
        "revenue": money_text(revenue, result.base_currency),
    }
    return data


def register() -> None:
    """Called by ``AnalyticsConfig.ready``."""
    register_widget(
        Widget(
            key="analytics.rfm_distribution",
            title=gettext_lazy("RFM segments"),
            kind="bar",
            data=rfm_distribution,
            resource="sales.order",
            filters=(),
            w=6,
            h=4,
            default=True,
            order=110,
        )
    )
    register_widget(
        Widget(
            key="analytics.abc_classes",
            title=gettext_lazy("ABC classes of customers"),
            kind="pie",
            data=abc_classes,
            resource="sales.order",
            filters=(),
            w=4,
            h=4,
            order=120,
        )
    )
