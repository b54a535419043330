"""What every record page needs, whatever the domain: the request type of a logged-in
view, ``NotFound`` as a 404, the admin check, the safe ``next`` redirect, the ids a
form posted or a link pre-filled, a record's history rows (``history``) and the
panels higher apps register for its page (``core.registry``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from clientela.core.errors import NotFound
from clientela.core.forms import id_list
from clientela.core.models import User
from clientela.core.registry import panels_for

# A record's history rows live in ``history``; record pages import them from here.
from clientela.core.views.history import HistoryRow as HistoryRow
from clientela.core.views.history import history_rows as history_rows

View = Callable[..., HttpResponse]


class AuthedRequest(HttpRequest):
    """What a logged-in view gets: ``login_required`` guarantees a real user, and
    django-htmx's middleware adds ``htmx``."""

    user: User
    htmx: HtmxDetails


def not_found_as_404(view: View) -> View:
    """``NotFound`` from a selector or service becomes a plain 404 page (whether the
    record is missing or just not visible is never told apart)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None

    return wrapped


def require_admin(request: HttpRequest) -> None:
    """Admin pages are a 404 to anyone else, as records one may not see are: their
    existence is not told."""
    if not getattr(request.user, "is_admin", False):
        raise Http404()


def safe_next_url(request: HttpRequest, url: str | None = None) -> str | None:
    """``url`` (by default ``next`` from the form or the query string) when it points
    into this site, else None: a link must never send the user elsewhere. Only a path
    (``/people/``) or a full URL counts: ``redirect()`` would take any other word for
    the name of a view."""
    target = url if url is not None else request.POST.get("next") or request.GET.get("next")
    if (
        target
        and "/" in target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


def bad_request(request: HttpRequest, message: str, back: str = "/") -> HttpResponse:
    """A 400 page saying what in the address was not understood (a date out of range…),
    with a way back."""
    context = {"message": message, "back": back}
    return render(request, "core/bad_request.html", context, status=400)


def redirect_next(request: HttpRequest, fallback: str, **kwargs: Any) -> HttpResponse:
    """Back to ``next`` if it is a local URL, else to ``fallback`` (a URL name or URL)."""
    response: HttpResponse = redirect(safe_next_url(request) or fallback, **kwargs)
    return response


def submitted_ids(request: HttpRequest, name: str) -> list[int]:
    """The ids a form posted under ``name`` (none on GET)."""
    return id_list(request.POST.getlist(name)) if request.method == "POST" else []


def prefilled_links(request: HttpRequest) -> dict[str, Any]:
    """``?person=1&person=2&organization=3`` from a record page's "New …" link, as the
    initial ``people`` and ``organization`` of a form."""
    organizations = id_list(request.GET.getlist("organization"))
    initial: dict[str, Any] = {"people": id_list(request.GET.getlist("person"))}
    if organizations:
        initial["organization"] = organizations[0]
    return initial


@dataclass
class RenderedPanel:
    key: str
    title: Any
    html: str


def rendered_panels(request: HttpRequest, resource: str, record: Any) -> list[RenderedPanel]:
    """The panels higher apps registered for this kind of record, in their order."""
    return [
        RenderedPanel(
            key=panel.key,
            title=panel.title,
            html=render_to_string(panel.template, panel.context(request, record), request),
        )
        for panel in panels_for(resource)
    ]
