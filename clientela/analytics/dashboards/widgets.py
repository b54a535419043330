"""The analytics widgets of the dashboards' catalogue: the top customers, the ABC classes
of customers and the RFM segments, read from the current snapshots through the analytics
selectors (a rep counts only the customers they may see, ranked among themselves), so
the reader of everything costs an index read or a grouped query each."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.analytics import selectors
from clientela.analytics.choices import AbcOf, AnalysisKind, Segment
from clientela.analytics.models import AbcRow, Snapshot
from clientela.contacts.models import Organization, Person
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


#: Rows of the top customers table.
TOP_CUSTOMERS = 10


def _top_rows(user: Any, snapshot: Snapshot) -> list[AbcRow]:
    """The best customers of the snapshot the user may see: the snapshot's ranking
    read as it is (ranking again over fewer customers keeps their order), so a rep
    costs one index read too, not the reclassification of all their customers."""
    rows = AbcRow.objects.filter(snapshot=snapshot, of=AbcOf.CUSTOMERS)
    if not selectors.sees_everything(user):
        rows = rows.filter(
            Q(person__in=Person.objects.alive().visible_to(user).values("pk"))
            | Q(organization__in=Organization.objects.alive().visible_to(user).values("pk"))
        )
    return list(rows.order_by("rank")[:TOP_CUSTOMERS])


def top_customers(user: Any, f: WidgetFilters) -> WidgetData:
    snapshot = selectors.current(AnalysisKind.ABC)
    currency = snapshot.parameters.get("base_currency", "") if snapshot else ""
    data = WidgetData(
        columns=[_("Customer"), _("Revenue (%(currency)s)") % {"currency": currency}],
        url=reverse("analytics:abc"),
        empty=_("No ABC analysis yet: it needs orders with a customer, then a refresh."),
    )
    if snapshot is None or not selectors.may_read(user):
        return data
    for row in _top_rows(user, snapshot):
        page, pk = (
            ("contacts:person-detail", row.person_id)
            if row.person_id
            else ("contacts:organization-detail", row.organization_id)
        )
        data.rows.append([row.name, row.revenue])
        data.display.append(money_text(row.revenue, currency))
        data.links.append(reverse(page, kwargs={"pk": pk}))
    if data.rows:
        end = formats.date_format(snapshot.period_end, "SHORT_DATE_FORMAT")
        data.note = (
            _("Revenue from %(start)s to %(end)s.")
            % {"start": formats.date_format(snapshot.period_start, "SHORT_DATE_FORMAT"), "end": end}
            if snapshot.period_start
            else _("Revenue up to %(end)s.") % {"end": end}
        )
    return data


def register() -> None:
    """Called by ``AnalyticsConfig.ready``."""
    register_widget(
        Widget(
            key="analytics.top_customers",
            title=gettext_lazy("Top customers"),
            kind="table",
            data=top_customers,
            resource="sales.order",
            filters=(),
            w=6,
            h=4,
            default=True,
            order=50,
        )
    )
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
