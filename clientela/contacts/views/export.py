"""CSV export of a list page with its filters: streamed row by row from the scoped
selector, so a large base never sits in memory and an export holds only what the user
may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clientela.contacts.exports import csv_lines
from clientela.contacts.filters import ContactFilters
from clientela.contacts.views.kinds import Kind
from clientela.core.views.records import AuthedRequest


@login_required
@require_GET
def record_export(request: AuthedRequest, *, kind: Kind) -> HttpResponse | StreamingHttpResponse:
    # Bad filter values are left out, exactly as the list page does, so the export
    # matches what the user saw.
    filters, _errors = ContactFilters.from_params(request.GET, resource=kind.resource)
    rows = kind.export_rows(user=request.user, filters=filters)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{kind.url_prefix}-export-{stamp}.csv"'
    return response
