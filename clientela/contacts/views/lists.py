"""List pages of people and organizations: filters, sorting, pagination, saved views.
With htmx, filter/sort/page changes get only the results partial back (the same
partial the full page includes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clientela.contacts import selectors
from clientela.contacts.filters import ContactFilters
from clientela.contacts.forms import FilterForm, SavedViewForm
from clientela.contacts.views.kinds import Kind
from clientela.core import selectors as core_selectors
from clientela.core import services as core_services
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can
from clientela.core.registry import list_actions_for
from clientela.core.views.records import AuthedRequest, not_found_as_404

RESULTS_ID = "list-results"
#: Parameters that change what a list shows, as opposed to page.
IGNORED_IN_VIEWS = {"page"}


def columns_for(kind: Kind) -> list[dict[str, Any]]:
    """The table's columns; ``sort`` is the ``filters.SORTS`` key (None: not sortable).
    ``css`` hides the less important ones on phones."""
    return [
        {"label": gettext_lazy("Name"), "sort": "name", "css": ""},
        {"label": gettext_lazy("E-mail"), "sort": "email", "css": "d-none d-md-table-cell"},
        {"label": gettext_lazy("Phone"), "sort": "phone", "css": "d-none d-lg-table-cell"},
        {"label": gettext_lazy("City"), "sort": "city", "css": "d-none d-sm-table-cell"},
        {"label": gettext_lazy("Country"), "sort": "country", "css": "d-none d-xl-table-cell"},
        {"label": gettext_lazy("Tags"), "sort": None, "css": "d-none d-xxl-table-cell"},
        {"label": gettext_lazy("Owner"), "sort": "owner", "css": "d-none d-md-table-cell"},
    ]


def view_query(params: QueryDict) -> str:
    """The query string a saved view stores: the filters and sort that are set, not the
    page."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        values = [v for v in values if v.strip()]
        if key not in IGNORED_IN_VIEWS and values:
            kept.setlist(key, values)
    return kept.urlencode()


@login_required
@require_GET
def record_list(request: AuthedRequest, *, kind: Kind) -> HttpResponse:
    user = request.user
    filters, errors = ContactFilters.from_params(request.GET, resource=kind.resource)
    records = kind.list_selector(user=user, filters=filters)
    # Not Django's Paginator: its COUNT(*) of every match would cost more than the whole
    # page at a million records (see core.pagination).
    page = WindowPaginator(records, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    filtering = any(
        v for k, v in request.GET.items() if k not in {"page", "sort"} and k not in errors
    )
    context: dict[str, Any] = {
        "kind": kind,
        "page_obj": page,
        "records": page.object_list,
        "columns": columns_for(kind),
        "filter_errors": [m for messages_ in errors.values() for m in messages_],
        "filtering": filtering,
        "results_id": RESULTS_ID,
        "list_url": reverse(kind.url("list")),
        "current_sort": f"{'-' if filters.descending else ''}{filters.sort}",
        "view_query": view_query(request.GET),
        "can_create": can(user, "create", kind.resource),
        # The duplicate finder is offered to those who may clean the data up.
        "duplicates_url": reverse(kind.url("duplicates"))
        if can(user, "update", kind.resource)
        else "",
        "save_view_form": SavedViewForm(initial={"query": view_query(request.GET)}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "contacts/_record_results.html", context)
    custom_fields = list(core_selectors.custom_field_list(resource=kind.resource))
    context["filter_form"] = FilterForm(
        initial=request.GET.dict(),
        tags=core_selectors.tag_list(),
        users=core_selectors.user_choices(),
        teams=core_selectors.team_list(),
        custom_fields=custom_fields,
    )
    context["saved_views"] = core_selectors.saved_view_list(user=user, resource=kind.resource)
    # Links higher apps add (the export formats), each given the list's filters.
    context["list_actions"] = [
        a
        for a in list_actions_for(kind.resource)
        if not a.permission or can(user, a.permission, kind.resource)
    ]
    return render(request, "contacts/record_list.html", context)


@login_required
@require_POST
def saved_view_save(request: AuthedRequest, *, kind: Kind) -> HttpResponse:
    form = SavedViewForm(request.POST)
    list_url = reverse(kind.url("list"))
    if not form.is_valid():
        messages.error(request, _("Give the view a name (at most 100 characters)."))
        return redirect(list_url)
    # Stored as typed in the page's query string; it is parsed like any list URL.
    query = view_query(QueryDict(form.cleaned_data["query"]))
    try:
        view = core_services.saved_view_save(
            user=request.user, resource=kind.resource, name=form.cleaned_data["name"], query=query
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(list_url)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{list_url}?{view.query}" if view.query else list_url)


@login_required
@require_POST
@not_found_as_404
def saved_view_delete(request: AuthedRequest, pk: int, *, kind: Kind) -> HttpResponse:
    core_services.saved_view_delete(user=request.user, view_id=pk)
    messages.success(request, _("View deleted."))
    return redirect(kind.url("list"))


@login_required
@require_GET
def organization_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the visible organizations matching ``org_q``, for the
    organization picker of the person form."""
    query = (request.GET.get("org_q") or request.GET.get("q") or "").strip()[:100]
    organizations = selectors.organization_choices(user=request.user, q=query, limit=50)
    return render(
        request,
        "contacts/_organization_options.html",
        {"organizations": organizations, "query": query},
    )
