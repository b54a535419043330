"""``/export/<kind>.<fmt>``: a list page's records, with the list's filters, in one of
the export formats, streamed from the kind's scoped list selector (constant memory,
only what the user may see)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clientela.core.views.records import AuthedRequest
from clientela.integrations.exports import FORMATS, KINDS, parse_filters


@login_required
@require_GET
def export(request: AuthedRequest, kind: str, fmt: str) -> StreamingHttpResponse:
    source, writer = KINDS.get(kind), FORMATS.get(fmt)
    if source is None or writer is None or not writer.offers(source):
        raise Http404()
    # Bad filter values are left out, exactly as the list page does, so the export
    # holds what the user saw.
    filters, _errors = parse_filters(source, request.GET)
    response = StreamingHttpResponse(
        writer.write(source, user=request.user, filters=filters),
        content_type=writer.content_type,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{source.path}-{stamp}.{writer.extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
