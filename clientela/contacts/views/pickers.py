"""The person and organization pickers every form that links to contacts uses (the
person form's memberships, tasks, appointments, deals, quotes, orders): the choices a
form starts with, and the endpoints its search box reloads them from (htmx). Both
only ever offer records the user may see; the services check whatever is posted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clientela.contacts import selectors
from clientela.contacts.filters import ContactFilters
from clientela.core.errors import NotFound
from clientela.core.views.records import AuthedRequest, submitted_ids

#: How many records a picker offers at once: a search box narrows them down.
LIMIT = 20
#: How many organizations a form's select starts with (before any search).
FIRST_ORGANIZATIONS = 100
#: At most this many linked people are shown (as many as the API lets a record link).
MAX_LINKED = 100


def _query(request: AuthedRequest, *names: str) -> str:
    return next((request.GET[n] for n in names if request.GET.get(n)), "").strip()[:100]


def people_choices(user: Any, ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, name) of the given people the user can see (a form's linked or picked
    ones); others are left out, and the service reports them if posted anyway."""
    wanted = list(dict.fromkeys(ids))[:MAX_LINKED]
    if not wanted:
        return []
    return [(p.pk, str(p)) for p in selectors.person_list(user=user).filter(pk__in=wanted)]


def organization_choices(user: Any, ids: Iterable[int]) -> list[tuple[int, str]]:
    """A first batch of visible organizations, plus the given ones the user can see,
    by name."""
    options = {
        o.pk: o.name for o in selectors.organization_choices(user=user, limit=FIRST_ORGANIZATIONS)
    }
    for pk in ids:
        if pk not in options:
            try:
                options[pk] = selectors.organization_get(user=user, pk=pk).name
            except NotFound:
                continue
    return sorted(options.items(), key=lambda item: item[1].casefold())


def linked_choices(request: HttpRequest, initial: dict[str, Any]) -> dict[str, Any]:
    """The ``people`` and ``organizations`` choices of a ``LinkedForm``: what was
    posted, else the record's links (or those a "New …" link pre-filled)."""
    people = submitted_ids(request, "people") or initial.get("people", [])
    organizations = submitted_ids(request, "organization") or (
        [initial["organization"]] if initial.get("organization") else []
    )
    return {
        "people": people_choices(request.user, people),
        "organizations": organization_choices(request.user, organizations),
    }


@login_required
@require_GET
def person_options(request: AuthedRequest, *, checkboxes: bool = False) -> HttpResponse:
    """The visible people matching what was typed: ``<option>``s of a select, or
    checkboxes to add (``checkboxes``, the linked people of tasks and deals)."""
    query = _query(request, "person_q", "people_q")
    people = []
    if query:
        found = selectors.person_list(user=request.user, filters=ContactFilters(q=query))
        people = list(found[:LIMIT])
    return render(
        request,
        "contacts/_person_options.html",
        {"people": people, "query": query, "checkboxes": checkboxes},
    )


@login_required
@require_GET
def organization_options(request: AuthedRequest) -> HttpResponse:
    """``<option>``s of the visible organizations matching what was typed."""
    query = _query(request, "org_q", "q")
    organizations = selectors.organization_choices(user=request.user, q=query, limit=LIMIT)
    return render(
        request,
        "contacts/_organization_options.html",
        {"organizations": organizations, "query": query},
    )
