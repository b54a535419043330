"""The public addresses in a campaign e-mail (no login; the signed token is the proof):
the open pixel and the click redirect. A tampered or unknown token answers 404; the
redirect goes only to a URL the message held (``services.tracking.delivery_clicked``).

They are as light as a page can be (one or two statements each, no session, no
template), so a newsletter's first minutes of clicks cost little."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clientela.core.errors import NotFound
from clientela.marketing import tracking
from clientela.marketing.services import tracking as services

#: A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    delivery_id = tracking.read_delivery_token(token)
    if delivery_id is None:
        raise Http404()
    services.delivery_opened(delivery_id=delivery_id)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    found = tracking.read_click_token(token)
    if found is None:
        raise Http404()
    delivery_id, number = found
    try:
        url = services.delivery_clicked(delivery_id=delivery_id, number=number)
    except NotFound:
        raise Http404() from None
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"  # the token stays here
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("m/o/<str:token>.gif", open_pixel, name="track-open"),
    path("m/c/<str:token>/", click, name="track-click"),
]
