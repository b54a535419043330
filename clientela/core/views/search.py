"""The header search: results as you type (an htmx fragment under the search box) and
a full results page. ``core.search.search`` applies the user's visibility itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from clientela.core import search as search_backend
from clientela.core.permissions import RESOURCES

#: Hits per kind of record in the drop-down, and on the full page.
DROPDOWN_LIMIT = 8
PAGE_LIMIT = 50
MAX_QUERY = 200


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails  # added by django-htmx's middleware


@dataclass
class Hit:
    title: str
    subtitle: str
    url: str


@dataclass
class Group:
    label: Any
    icon: str
    hits: list[Hit]


def _groups(user: Any, query: str, limit: int) -> list[Group]:
    groups = []
    # One search per kind of record so that many people cannot crowd every
    # organization out of the drop-down (and vice versa).
    for key, resource in RESOURCES.items():
        hits = []
        for entry in search_backend.search(user=user, query=query, resources=[key], limit=limit):
            try:
                url = reverse(resource.detail_url_name, kwargs={"pk": entry.object_id})
            except NoReverseMatch:
                continue
            hits.append(Hit(title=entry.title, subtitle=entry.subtitle, url=url))
        if hits:
            groups.append(Group(label=resource.label, icon=resource.icon, hits=hits))
    return groups


@login_required
@require_GET
def search(request: HtmxRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    as_you_type = bool(request.htmx) and not request.htmx.boosted
    if as_you_type and not query:
        # Nothing at all, so the drop-down's :empty rule hides it.
        return HttpResponse("")
    groups = _groups(request.user, query, DROPDOWN_LIMIT if as_you_type else PAGE_LIMIT)
    context = {"query": query, "groups": groups}
    if as_you_type:
        return render(request, "core/_search_results.html", context)
    return render(request, "core/search.html", context)
