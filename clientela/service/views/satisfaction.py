"""Satisfaction pages: the customer's public rating pages (no login, in the customer's
language, a clear page for a link that is broken, expired or unknown) and the agents'
CSAT report per agent, queue or month with a chart and a CSV download."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clientela.core.company import company_name
from clientela.core.forms import BootstrapMixin
from clientela.core.permissions import can
from clientela.core.views.records import AuthedRequest
from clientela.core.widgets import DateInput
from clientela.service.models import Ticket
from clientela.service.models.satisfaction import MAX_COMMENT, SCORE_LABELS
from clientela.service.selectors.satisfaction import GROUPS, CsatRow, csat_summary, csat_total
from clientela.service.services import satisfaction as services
from clientela.service.services.satisfaction import RatingLinkError

MAX_DAYS = 5 * 366

# --- the customer's pages ----------------------------------------------------------------


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea({"rows": 4, "class": "form-control"}),
    )


def _language(token: str) -> str | None:
    try:
        return services.rating_link(token).language
    except RatingLinkError:
        return None


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    context = {"company": company_name(), **context}
    response = render(request, f"service/rating/{template}", context, status=status)
    response["Content-Language"] = translation.get_language()
    response["X-Robots-Tag"] = "noindex"
    # The link carries the token: never sent to another site (and "no-referrer" would
    # make the browser send "Origin: null", which the CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def _failed(request: HttpRequest, error: RatingLinkError) -> HttpResponse:
    return _public(request, "problem.html", {"message": error.message}, status=error.status)


def _rated(
    request: HttpRequest, token: str, outcome: services.RatingOutcome, **extra: Any
) -> HttpResponse:
    rating = outcome.rating
    context = {
        "rating": rating,
        "ticket_label": rating.ticket.label,
        "score_label": SCORE_LABELS[rating.score],
        "token": token,
        "created": outcome.created,
        "form": CommentForm() if outcome.can_comment else None,
    }
    status = int(extra.pop("status", 200))
    return _public(request, "rated.html", context | extra, status=status)


@never_cache
@require_GET
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """A click on a rating link: records the score at once (the first time)."""
    with translation.override(_language(token) or translation.get_language()):
        try:
            outcome = services.rating_record(token=token)
        except RatingLinkError as error:
            return _failed(request, error)
        return _rated(request, token, outcome)


@never_cache
@require_POST
def rate_comment(request: HttpRequest, token: str) -> HttpResponse:
    """The comment under a rating (CSRF-checked like every form)."""
    with translation.override(_language(token) or translation.get_language()):
        form = CommentForm(request.POST)
        try:
            outcome = services.rating_record(token=token)
            if not form.is_valid():
                return _rated(request, token, outcome, form=form, status=400)
            services.rating_comment(token=token, comment=form.cleaned_data["comment"])
        except RatingLinkError as error:
            return _failed(request, error)
        except ValidationError as exc:
            form.add_error("comment", exc.message_dict.get("comment", exc.messages))
            return _rated(request, token, outcome, form=form, status=400)
        return _public(request, "thanks.html", {})


# --- the CSAT report ---------------------------------------------------------------------


class CsatForm(BootstrapMixin, forms.Form):
    group_by = forms.ChoiceField(
        label=gettext_lazy("Per"), choices=list(GROUPS.items()), required=False
    )
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["group_by"] = data.get("group_by") or "month"
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or (end.replace(day=1) - datetime.timedelta(days=334)).replace(
            day=1
        )
        if start > end:
            self.add_error("end", _("The end date is before the start date."))
        elif (end - start).days > MAX_DAYS:
            self.add_error("end", _("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data


def _csv(rows: list[CsatRow], total: CsatRow, group_label: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([group_label, _("Ratings"), _("Satisfied (4–5)"), _("CSAT %"), _("Average")])
    for row in [*rows, total]:
        label = row.label
        if label[:1] in ("=", "+", "-", "@", "\t", "\r"):
            label = "'" + label  # a spreadsheet would run it as a formula
        writer.writerow([label, row.count, row.satisfied, row.csat, row.average])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="satisfaction.csv"'
    return response


@login_required
def satisfaction_report(request: AuthedRequest) -> HttpResponse:
    """CSAT per agent, queue or month, over the tickets the user may read."""
    if not can(request.user, "read", Ticket.RESOURCE):
        raise Http404
    form = CsatForm(request.GET)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        rows = csat_summary(
            user=request.user, group_by=data["group_by"], start=data["start"], end=data["end"]
        )
        total = csat_total(rows)
        group_label = str(GROUPS[data["group_by"]])
        if request.GET.get("format") == "csv":
            return _csv(rows, total, group_label)
        context.update(
            rows=rows,
            total=total,
            group_label=group_label,
            start=data["start"],
            end=data["end"],
            chart={
                "labels": [r.label for r in rows],
                "csat": [float(r.csat) for r in rows],
                "counts": [r.count for r in rows],
                "csat_label": _("CSAT %"),
                "count_label": _("Ratings"),
            },
            csv_query=_csv_query(request),
        )
    return render(request, "service/satisfaction.html", context)


def _csv_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


urlpatterns: list[URLPattern] = [
    path("rate/<str:token>/", rate, name="rate"),
    path("rate/<str:token>/comment/", rate_comment, name="rate-comment"),
    path("service/satisfaction/", satisfaction_report, name="satisfaction"),
]
