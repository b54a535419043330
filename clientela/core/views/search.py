"""The header search: results as you type (an htmx fragment under the search box) and
a full results page, over every searchable kind of record (``RecordKind.searchable``,
with a detail page to link to) in one query, grouped by kind under a heading each.
``core.search`` applies the user's visibility itself and ranks the hits; the kind
whose best hit ranks highest comes first ("José" puts people first, "Acme"
organizations)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from clientela.core import search as search_backend
from clientela.core.kinds import RecordKind, record_kinds

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


def searched_kinds() -> list[RecordKind]:
    """The kinds the header search finds: the searchable ones with a page to link to."""
    return [k for k in record_kinds() if k.searchable and k.has_detail_page]


def search_hint() -> str:
    """What the search box finds, from the kinds registered: "Search people,
    organizations, leads, deals, quotes, orders…"."""
    kinds = ", ".join(str(kind.plural).lower() for kind in searched_kinds())
    return _("Search %(kinds)s…") % {"kinds": kinds}


def _groups(user: Any, query: str, limit: int) -> list[Group]:
    kinds = searched_kinds()
    # Up to ``limit`` hits per kind of record, so that many people cannot crowd every
    # organization out of the drop-down (and vice versa); one query for all of them.
    found = search_backend.search_by_resource(
        user=user, query=query, resources=[k.resource for k in kinds], limit=limit
    )
    # The kind with the best hit first; the registration order among equals.
    kinds = sorted(
        kinds, key=lambda k: min((e.search_rank for e in found.get(k.resource, [])), default=9)
    )
    groups = []
    for kind in kinds:
        hits = [
            Hit(
                title=entry.title,
                subtitle=entry.subtitle,
                url=reverse(kind.url("detail"), kwargs={"pk": entry.object_id}),
            )
            for entry in found.get(kind.resource, [])
        ]
        if hits:
            groups.append(Group(label=kind.plural, icon=kind.icon, hits=hits))
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
    context = {"query": query, "groups": groups, "hint": search_hint()}
    if as_you_type:
        return render(request, "core/_search_results.html", context)
    return render(request, "core/search.html", context)
