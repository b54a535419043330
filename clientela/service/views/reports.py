"""Service > Reports: every declared report (``service.reports``) for a period and a
queue, each as a chart, a small table and a CSV download. Only for users who may read
tickets (404 otherwise); each figure counts the tickets the reader may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from clientela.core.downloads import csv_cell, csv_response
from clientela.core.memo import memo_scope
from clientela.core.views.records import AuthedRequest
from clientela.service.forms.reports import ReportFilterForm
from clientela.service.reports import REPORTS, report_of
from clientela.service.reports.base import Report
from clientela.service.selectors.config import queue_list
from clientela.service.selectors.reports import may_read_reports


def _form(request: AuthedRequest) -> ReportFilterForm:
    if not may_read_reports(request.user):
        raise Http404
    queues = queue_list(user=request.user).prefetch_related(None).order_by("name")
    # Unbound (no filter given yet) the defaults apply: validate an empty query.
    return ReportFilterForm(request.GET or {}, queues=queues)


def _shown(report: Report, form: ReportFilterForm, user: Any) -> dict[str, Any]:
    start, end = form.instants()
    rows = report.compute(user=user, start=start, end=end, queue=form.cleaned_data["queue"])
    return {
        "report": report,
        "rows": rows,
        "empty": report.is_empty(rows),
        "cells": [
            [
                {"value": value, "unit": column.unit}
                for value, column in zip(row, report.columns, strict=True)
            ]
            for row in report.table(rows)
        ],
        "chart": report.chart_data(rows),
        "chart_id": f"chart-{report.key}",
    }


@login_required
@require_GET
def reports_page(request: AuthedRequest) -> HttpResponse:
    form = _form(request)
    valid = form.is_valid()
    with memo_scope():  # reports of one measure (times by queue, by month) share it
        shown = [_shown(report, form, request.user) for report in REPORTS] if valid else []
    context = {"form": form, "shown": shown, "query": request.GET.urlencode()}
    return render(request, "service/reports/page.html", context, status=200 if valid else 400)


@login_required
@require_GET
def report_csv(request: AuthedRequest, key: str) -> HttpResponse:
    form = _form(request)
    report = report_of(key)
    if report is None:
        raise Http404
    if not form.is_valid():
        context = {"form": form, "shown": [], "query": request.GET.urlencode()}
        return render(request, "service/reports/page.html", context, status=400)
    start, end = form.instants()
    rows = report.compute(user=request.user, start=start, end=end, queue=form.cleaned_data["queue"])
    first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return csv_response(
        f"{report.key}-{first.isoformat()}-{last.isoformat()}.csv",
        [str(column.label) for column in report.columns],
        ([csv_cell(row[0]), *row[1:]] for row in report.table(rows)),
    )


urlpatterns: list[URLPattern] = [
    path("service/reports/", reports_page, name="reports"),
    path("service/reports/<slug:key>.csv", report_csv, name="report-csv"),
]
