"""The public addresses in a campaign e-mail (no login; the signed token is the proof):
the open pixel, the click redirect, the one-click unsubscribe and the preferences page
(in the recipient's language). A tampered or unknown token answers 404; the
redirect goes only to a URL the message held (``services.tracking.delivery_clicked``).

They are as light as a page can be (one or two statements each, no session, no
template), so a newsletter's first minutes of clicks cost little."""

from __future__ import annotations

import base64
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from clientela.core.client_ip import client_ip
from clientela.core.company import company_name
from clientela.core.errors import NotFound
from clientela.marketing import tracking
from clientela.marketing.models import ConsentPurpose, ConsentState, Delivery
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


# --- the recipient's pages ----------------------------------------------------------------


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    response = render(
        request,
        f"marketing/public/{template}",
        {"company": company_name(), **context},
        status=status,
    )
    response["Content-Language"] = translation.get_language()
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"  # the token stays on this site
    return response


def _delivery(token: str) -> Delivery | None:
    delivery_id = tracking.read_delivery_token(token)
    if delivery_id is None:
        return None
    try:
        return services.delivery_for_link(delivery_id)
    except NotFound:
        return None


def _problem(request: HttpRequest) -> HttpResponse:
    return _page(request, "problem.html", {}, status=404)


def _client(request: HttpRequest) -> dict[str, Any]:
    return {"ip": client_ip(request), "user_agent": request.headers.get("User-Agent", "")}


@never_cache
@csrf_exempt  # RFC 8058: the mail provider POSTs without a session or a token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (a link checker's GET changes nothing); POST (the
    button, or a mail client's one-click): unsubscribed at once, no login."""
    delivery = _delivery(token)
    if delivery is None:
        return _problem(request)
    with translation.override(delivery.language or None):
        done = request.method == "POST"
        if done:
            services.delivery_unsubscribe(delivery_id=delivery.pk, **_client(request))
        context = {
            "done": done,
            "purpose": delivery.campaign.purpose.name,
            "address": delivery.address,
            "preferences_url": reverse("tracking:preferences", args=[token]),
        }
        return _page(request, "unsubscribe.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """Each purpose ticked or not, saved at once; "Unsubscribe from everything"."""
    delivery = _delivery(token)
    if delivery is None:
        return _problem(request)
    with translation.override(delivery.language or None):
        purposes = list(ConsentPurpose.objects.filter(active=True).order_by("order", "pk"))
        saved = request.method == "POST"
        if saved:
            known = {p.key for p in purposes}
            wanted = set() if request.POST.get("leave") else set(request.POST.getlist("purpose"))
            services.preferences_save(
                delivery_id=delivery.pk,
                wanted=wanted & known,
                wording={p.key: f"{p.name}: {p.description}".strip(": ") for p in purposes},
                **_client(request),
            )
        granted = set(
            ConsentState.objects.filter(
                person_id=delivery.person_id or 0, channel=delivery.campaign.channel, granted=True
            ).values_list("purpose__key", flat=True)
        )
        context = {
            "purposes": purposes,
            "granted": granted,
            "address": delivery.address,
            "saved": saved,
        }
        return _page(request, "preferences.html", context)


#: Under ``/m/`` and in the namespace ``tracking``, first in the project's URLs
#: (``clientela/urls.py``): every recipient's click resolves here, so it must not be
#: tried against the whole site's patterns first (~0.26 ms, a tenth of a click).
urlpatterns: list[URLPattern] = [
    path("o/<str:token>.gif", open_pixel, name="track-open"),
    path("c/<str:token>/", click, name="track-click"),
    path("u/<str:token>/", unsubscribe, name="unsubscribe"),
    path("p/<str:token>/", preferences, name="preferences"),
]
