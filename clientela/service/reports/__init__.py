"""The service reports (issue 14, item 9): each module declares its ``REPORTS``
(``base.Report``: how to compute the rows, the columns, the chart); the reports page
shows them in this order, each with its chart, table and CSV download."""

from __future__ import annotations

from clientela.service.reports import (
    complaints,
    open_by_age,
    satisfaction,
    sla_attainment,
    times,
)
from clientela.service.reports.base import Report

REPORTS: tuple[Report, ...] = (
    *open_by_age.REPORTS,
    *sla_attainment.REPORTS,
    *times.REPORTS,
    *complaints.REPORTS,
    *satisfaction.REPORTS,
)


def report_of(key: str) -> Report | None:
    return next((report for report in REPORTS if report.key == key), None)
