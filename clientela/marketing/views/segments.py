"""The pages of segments and static lists: core's generic record pages, with the
condition builder on the segment form and its live count (an htmx POST of the rules),
the members on each detail page (paged, sorted), CSV exports of the members, and the
people list's "Add to a list" (the people its current filters select)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.contacts.filters import ContactFilters
from clientela.contacts.models import Person
from clientela.contacts.selectors import person_list
from clientela.core.conditions import ConditionError
from clientela.core.conditions.editor import builder_fields, builder_labels
from clientela.core.downloads import csv_cell, csv_response
from clientela.core.errors import NotFound
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can
from clientela.core.views.kinds import (
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    TrashView,
    record_urls,
)
from clientela.core.views.records import AuthedRequest, not_found_as_404
from clientela.marketing.filters import MemberFilters
from clientela.marketing.forms.segments import AddToListForm
from clientela.marketing.kinds import LISTS, SEGMENTS
from clientela.marketing.selectors import segments as selectors
from clientela.marketing.services import segments as services

PER_PAGE = 50
EXPORT_LIMIT = 100000


def _members_page(request: AuthedRequest, people: QuerySet[Person]) -> dict[str, Any]:
    page = WindowPaginator(people, PER_PAGE).get_page(request.GET.get("page"))
    return {"page_obj": page, "members": page.object_list, "list_url": request.path}


def _member_filters(request: AuthedRequest) -> MemberFilters:
    filters, _errors = MemberFilters.from_params(request.GET)
    return filters


class SegmentDetailView(RecordDetailView):
    """A segment: its conditions and its members as the user sees them now."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        try:
            people = selectors.segment_members(
                user=self.user, segment=record, filters=_member_filters(self.request)
            )
            context = _members_page(self.request, people)
        except ConditionError as error:
            return {"segment": record, "rules_error": error}
        return {**context, "segment": record, "results_id": "segment-members"}


class SegmentFormView(RecordFormView):
    """The segment form with the condition builder; a bad rule comes back beside it."""

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {
            "fields_json": json.dumps(builder_fields(Person.RESOURCE)),
            "labels_json": json.dumps(builder_labels()),
            "segment": record,
        }

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for key in [k for k in exc.error_dict if k.startswith("rules.")]:
                path = key[len("rules.") :]
                form.add_error("rules", [f"{path}: {m}" for m in exc.message_dict[key]])
                del exc.error_dict[key]
        super().service_errors(form, exc)


def _may_read(user: Any, resource: str) -> None:
    if not can(user, "read", resource):
        raise NotFound()


@login_required
@not_found_as_404
@require_POST
def segment_count(request: AuthedRequest) -> HttpResponse:
    """The count of the rules being edited (the builder posts them as it changes):
    how many people the user sees meet them, or what is wrong, where."""
    _may_read(request.user, SEGMENTS.resource)
    context: dict[str, Any] = {}
    try:
        rules = json.loads(request.POST.get("rules") or '{"all": []}')
        context["count"] = selectors.rules_count(user=request.user, rules=rules)
    except ValueError:
        context["error"] = _("The conditions are not valid JSON.")
    except ConditionError as error:
        context["error"], context["path"] = error.message, error.path
    return render(request, "marketing/segments/_count.html", context)


def _export(people: QuerySet[Person], name: str) -> HttpResponse:
    header = [
        _("Id"),
        _("First name"),
        _("Last name"),
        _("E-mail"),
        _("Phone"),
        _("City"),
        _("Country"),
    ]
    rows = (
        [
            p.pk,
            *[
                csv_cell(v)
                for v in (p.first_name, p.last_name, p.email, p.phone, p.city, p.country)
            ],
        ]
        for p in people.only("pk", "first_name", "last_name", "email", "phone", "city", "country")[
            :EXPORT_LIMIT
        ].iterator(chunk_size=2000)
    )
    return csv_response(f"{name}.csv", header, rows)


@login_required
@not_found_as_404
@require_GET
def segment_export(request: AuthedRequest, pk: int) -> HttpResponse:
    segment = selectors.segment_get(user=request.user, pk=pk)
    try:
        people = selectors.segment_members(user=request.user, segment=segment)
    except ConditionError:
        raise NotFound() from None
    return _export(people.prefetch_related(None).select_related(None), f"segment-{segment.pk}")


class ListDetailView(RecordDetailView):
    """A static list: its members the user sees, each removable."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        people = selectors.list_members(
            user=self.user, static_list=record, filters=_member_filters(self.request)
        )
        return {
            **_members_page(self.request, people),
            "static_list": record,
            "results_id": "list-members",
        }


@login_required
@not_found_as_404
@require_GET
def list_export(request: AuthedRequest, pk: int) -> HttpResponse:
    static_list = selectors.list_get(user=request.user, pk=pk)
    people = selectors.list_members(user=request.user, static_list=static_list)
    return _export(people.prefetch_related(None).select_related(None), f"list-{static_list.pk}")


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


@login_required
@not_found_as_404
@require_POST
def list_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take the ticked people off the list."""
    static_list = selectors.list_get(user=request.user, pk=pk)
    ids = _ids(request.POST.getlist("person"))
    if not ids:
        messages.warning(request, _("Tick the people to take off the list."))
    else:
        try:
            removed = services.list_remove_members(
                actor=request.user, static_list=static_list, person_ids=ids
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)s taken off the list.") % {"n": removed})
    return redirect(reverse("marketing:list-detail", kwargs={"pk": static_list.pk}))


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def people_to_list(request: AuthedRequest) -> HttpResponse:
    """The people list's "Add to a list": the people its filters (the query string)
    select go onto a chosen list, or a new one."""
    if not can(request.user, "update", LISTS.resource):
        raise NotFound()
    filters, errors = ContactFilters.from_params(request.GET, resource=Person.RESOURCE)
    people = person_list(user=request.user, filters=filters)
    lists = selectors.list_list(user=request.user)[:500]
    form = AddToListForm(request.POST if request.method == "POST" else None, lists=lists)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a new list is not kept if adding fails
                static_list = _target_list(request, form)
                added = services.list_add_people(
                    actor=request.user, static_list=static_list, people=people
                )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("%(n)s added to the list.") % {"n": added})
            return redirect(reverse("marketing:list-detail", kwargs={"pk": static_list.pk}))
    context = {
        "form": form,
        "count": people.count(),
        "filter_errors": errors,
        "query": request.GET.urlencode(),
        "kind": LISTS,
    }
    return render(request, "marketing/segments/people_to_list.html", context)


def _target_list(request: AuthedRequest, form: AddToListForm) -> Any:
    chosen = form.cleaned_data.get("static_list")
    if chosen:
        return selectors.list_get(user=request.user, pk=chosen)
    name = form.cleaned_data["new_name"].strip()
    return services.list_create(actor=request.user, data={"name": name})


urlpatterns: list[URLPattern] = [
    path("segments/count/", segment_count, name="segment-count"),
    path("segments/<int:pk>/export/", segment_export, name="segment-export"),
    *record_urls(
        SEGMENTS,
        list=RecordListView,
        create=SegmentFormView,
        trash=TrashView,
        detail=SegmentDetailView,
        edit=SegmentFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
    path("lists/add-people/", people_to_list, name="list-add-people"),
    path("lists/<int:pk>/export/", list_export, name="list-export"),
    path("lists/<int:pk>/remove/", list_remove, name="list-remove"),
    *record_urls(
        LISTS,
        list=RecordListView,
        create=RecordFormView,
        trash=TrashView,
        detail=ListDetailView,
        edit=RecordFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
]
