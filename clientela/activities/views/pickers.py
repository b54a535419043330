"""The people picker of the task and appointment forms: visible people matching what
the user types, as checkboxes to add (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clientela.contacts import selectors as contact_selectors
from clientela.contacts.filters import ContactFilters
from clientela.core.views.records import AuthedRequest

LIMIT = 20


@login_required
@require_GET
def people_options(request: AuthedRequest) -> HttpResponse:
    query = (request.GET.get("people_q") or "").strip()[:100]
    people = []
    if query:
        filters = ContactFilters(q=query)
        people = list(contact_selectors.person_list(user=request.user, filters=filters)[:LIMIT])
    return render(request, "activities/_people_options.html", {"people": people, "query": query})
