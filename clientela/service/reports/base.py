"""What a service report is: a declaration the reports page, its charts and its CSV
downloads read. A report's ``compute(*, user, start, end, queue)`` answers its rows
(one dict per bar group), reading only the tickets ``user`` may see
(``selectors.reports.report_tickets``) created in ``[start, end)``; ``columns`` are the
table's and the CSV's columns (the first one names the row); ``chart`` says which
columns are drawn and how.

Adding a report is one more module in this package with its ``REPORTS`` and one line
in ``__init__``: the page, the chart and the CSV follow.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from clientela.service.models import Queue

Row = dict[str, Any]


class Compute(Protocol):
    def __call__(
        self,
        *,
        user: Any,
        start: datetime.datetime,
        end: datetime.datetime,
        queue: Queue | None,
    ) -> list[Row]: ...


@dataclass(frozen=True)
class Column:
    """A column of the table and the CSV: the row's ``key``, its translated header,
    and ``unit`` shown after its values on the page ("%", "h")."""

    key: str
    label: StrOrPromise
    unit: str = ""


@dataclass(frozen=True)
class Chart:
    """The chart of a report: one bar group per row, labelled by the first column;
    a dataset per ``series`` key (a column's key), stacked or side by side."""

    series: tuple[str, ...]
    stacked: bool = False
    unit: str = ""


@dataclass(frozen=True)
class Report:
    key: str
    title: StrOrPromise
    #: What the figures mean, in one sentence under the title.
    description: StrOrPromise
    compute: Compute
    columns: tuple[Column, ...]
    chart: Chart

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def chart_data(self, rows: list[Row]) -> dict[str, Any]:
        """What ``core/bar_charts.js`` draws (embedded with ``json_script``)."""
        label = self.columns[0].key
        return {
            "labels": [str(row[label]) for row in rows],
            "stacked": self.chart.stacked,
            "unit": self.chart.unit,
            "series": [
                {
                    "label": str(self.column(key).label),
                    "values": [_number(row.get(key)) for row in rows],
                }
                for key in self.chart.series
            ],
        }

    def is_empty(self, rows: list[Row]) -> bool:
        """No figure to show: no row, or only rows of zeros (the empty months of a
        monthly report)."""
        return not any(row.get(c.key) for row in rows for c in self.columns[1:])

    def table(self, rows: list[Row]) -> Iterator[list[Any]]:
        """The rows as cells in the order of ``columns`` (None as an empty cell)."""
        for row in rows:
            yield ["" if row.get(c.key) is None else row[c.key] for c in self.columns]


def breakdowns(
    key: str,
    titles: dict[str, tuple[StrOrPromise, StrOrPromise]],
    *,
    description: StrOrPromise,
    compute: Callable[..., list[Row]],
    columns: tuple[Column, ...],
    chart: Chart,
) -> tuple[Report, ...]:
    """One report per breakdown of the same figures: ``titles`` maps each ``by`` (what
    ``compute`` groups by) to the report's title and the header of its first column;
    the report's key is ``<key>-by-<by>``."""
    return tuple(
        Report(
            key=f"{key}-by-{by}",
            title=title,
            description=description,
            compute=partial(compute, by=by),
            columns=(Column("label", first), *columns),
            chart=chart,
        )
        for by, (title, first) in titles.items()
    )


def grouped(qs: QuerySet[Any], fields: tuple[str, ...], figures: dict[str, Any]) -> list[Row]:
    """``figures`` (aggregates) of ``qs`` per value of ``fields``, in one query."""
    return [dict(group) for group in qs.values(*fields).annotate(**figures)]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in %, one decimal (None without a whole)."""
    return round(100 * part / whole, 1) if whole else None


def queue_label(name: str | None) -> str:
    return name if name is not None else str(_("No queue"))


def by_label(rows: list[Row], key: str = "label") -> list[Row]:
    """Rows sorted by name (on both databases), the unnamed row last."""
    no_queue = str(_("No queue"))
    return sorted(rows, key=lambda row: (row[key] == no_queue, str(row[key]).casefold()))


def months_of(start: datetime.datetime, end: datetime.datetime) -> list[datetime.date]:
    """The first day of each month ``[start, end)`` touches (in ``start``'s zone)."""
    first = start.date().replace(day=1)
    last = (end - datetime.timedelta(microseconds=1)).date()
    months = []
    while first <= last:
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months
