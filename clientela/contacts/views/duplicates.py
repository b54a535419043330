"""The likely-duplicates pages (``/people/duplicates/``, ``/organizations/duplicates/``):
the pairs of the latest scan the user may see both sides of, filtered by a minimum
score, "Scan now" and "Not a duplicate" (htmx: the row goes away)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clientela.contacts import data_quality, selectors
from clientela.contacts.duplicates import DEFAULT_MIN_SCORE, reason_texts
from clientela.contacts.models import DuplicateScanStatus
from clientela.core.kinds import RecordKind
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import require
from clientela.core.views.records import AuthedRequest, not_found_as_404

RESULTS_ID = "duplicate-results"
#: The minimum scores offered by the filter.
SCORE_CHOICES = (0.6, 0.7, 0.8, 0.9, 0.95)


def parse_min_score(raw: str | None) -> tuple[float, str]:
    """The minimum score from the query string (0..1, or a percentage such as "80%")
    and an error message when it could not be used (then the default applies)."""
    text = (raw or "").strip()
    if not text:
        return DEFAULT_MIN_SCORE, ""
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%")) / (100 if percent else 1)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:  # NaN fails this too
        return DEFAULT_MIN_SCORE, _(
            "The minimum score must be a number between 0 and 1 (or 0% and 100%)."
        )
    return value, ""


def _columns() -> list[dict[str, Any]]:
    return [
        {"label": gettext_lazy("Score"), "sort": None, "css": ""},
        {"label": gettext_lazy("Record"), "sort": None, "css": ""},
        {"label": gettext_lazy("Possible duplicate"), "sort": None, "css": ""},
        {"label": gettext_lazy("Why"), "sort": None, "css": "d-none d-md-table-cell"},
        {"label": "", "sort": None, "css": ""},
    ]


@login_required
@require_GET
def duplicate_list(request: AuthedRequest, *, kind: RecordKind) -> HttpResponse:
    user = request.user
    require(user, "update", kind.resource)
    min_score, error = parse_min_score(request.GET.get("min_score"))
    pairs = selectors.duplicate_pair_list(user=user, kind=kind.url_prefix, min_score=min_score)
    page = WindowPaginator(pairs, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    found = list(page.object_list)
    records = selectors.duplicate_records(
        user=user, kind=kind.url_prefix, ids={i for p in found for i in (p.a_id, p.b_id)}
    )
    rows = [
        {
            "pair": p,
            "a": records.get(p.a_id),
            "b": records.get(p.b_id),
            "pct": round(p.score * 100),
            "reasons": reason_texts(p.reasons),
        }
        for p in found
    ]
    scan = selectors.duplicate_scan_latest(kind=kind.url_prefix)
    list_url = reverse(kind.url("duplicates"))
    context: dict[str, Any] = {
        "kind": kind,
        "page_obj": page,
        "records": rows,
        "columns": _columns(),
        "results_id": RESULTS_ID,
        "list_url": list_url,
        "current_sort": "",
        "min_score": min_score,
        "min_score_error": error,
        "score_choices": [(c, round(c * 100)) for c in SCORE_CHOICES],
        "scan": scan,
        "scan_pending": scan is not None
        and scan.status in (DuplicateScanStatus.QUEUED, DuplicateScanStatus.RUNNING),
        "dismiss_url": reverse(kind.url("duplicate-dismiss")),
        "scan_url": reverse(kind.url("duplicate-scan")),
        "merge_url": reverse(kind.url("merge")),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "contacts/_duplicate_results.html", context)
    return render(request, "contacts/duplicate_list.html", context)


@login_required
@require_POST
def duplicate_scan(request: AuthedRequest, *, kind: RecordKind) -> HttpResponse:
    scan = data_quality.duplicate_scan_request(actor=request.user, kind=kind.url_prefix)
    if scan.status == DuplicateScanStatus.DONE:
        messages.success(
            request,
            _("Scan finished: %(pairs)s likely duplicates among %(records)s records.")
            % {"pairs": scan.pairs, "records": scan.records},
        )
    else:
        messages.info(
            request,
            _("The scan runs in the background; reload this page in a few minutes."),
        )
    return redirect(kind.url("duplicates"))


@login_required
@require_POST
@not_found_as_404
def duplicate_dismiss(request: AuthedRequest, *, kind: RecordKind) -> HttpResponse:
    data_quality.duplicate_dismiss(
        actor=request.user, kind=kind.url_prefix, a=request.POST.get("a"), b=request.POST.get("b")
    )
    if request.htmx:
        return HttpResponse("")  # the row is replaced by nothing
    messages.success(request, _("Marked as not a duplicate."))
    return redirect(kind.url("duplicates"))
