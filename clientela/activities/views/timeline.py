"""The timeline panel of person and organization pages: entries newest first with
filters and "Load more", and the inline "Log an interaction" form (htmx), plus the
download of an interaction's attachments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from clientela.activities import selectors, services
from clientela.activities.choices import InteractionChannel
from clientela.activities.forms import ERROR_TARGETS, InteractionForm, TimelineFilterForm
from clientela.activities.models import Interaction
from clientela.activities.timeline import TimelineEntry, timeline
from clientela.activities.views.interactions import entry_context
from clientela.contacts import selectors as contact_selectors
from clientela.contacts.models import Organization, Person
from clientela.core.errors import NotFound
from clientela.core.forms import add_service_errors, user_options
from clientela.core.permissions import can
from clientela.core.registry import timeline_sources
from clientela.core.views.records import AuthedRequest, not_found_as_404

KINDS = ("person", "organization")


def _record(user: Any, kind: str, pk: int) -> Person | Organization:
    if kind == "person":
        return contact_selectors.person_get(user=user, pk=pk)
    if kind == "organization":
        return contact_selectors.organization_get(user=user, pk=pk)
    raise Http404()


def _kind(record: Person | Organization) -> str:
    return "person" if isinstance(record, Person) else "organization"


#: The filter bar's fields, kept on "Load more".
FILTERS = ("kind", "channel", "user")


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The filters of the query string; an unknown value is no filter, not an error."""
    kind = request.GET.get("kind") or None
    if kind not in timeline_sources:
        kind = None
    channel = request.GET.get("channel") or None
    if channel not in InteractionChannel.values:
        channel = None
    raw_user = request.GET.get("user", "")
    return {
        "kind": kind,
        "channel": channel,
        "actor_id": int(raw_user) if raw_user.isdigit() else None,
    }


def entries_context(
    request: HttpRequest, record: Person | Organization, *, before: str | None = None
) -> dict[str, Any]:
    kind = _kind(record)
    filters = _filters(request)
    page = timeline(
        user=request.user,
        person=record if isinstance(record, Person) else None,
        organization=record if isinstance(record, Organization) else None,
        before=before,
        **filters,
    )
    entries_url = reverse("activities:timeline-entries", args=[kind, record.pk])
    more_url = ""
    if page.next_before:
        query = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
        query["before"] = page.next_before
        more_url = f"{entries_url}?{urlencode(query)}"
    return {
        "record": record,
        "kind": kind,
        "entries": page.entries,
        "before": before,
        "more_url": more_url,
        "entries_url": entries_url,
        **entry_context(request.user),
    }


def timeline_panel(request: Any, record: Person | Organization) -> dict[str, Any]:
    """The context of the panel on a record's page (registered in ``apps.py``)."""
    kind = _kind(record)
    context = entries_context(request, record)
    context.update(
        {
            "filter_form": TimelineFilterForm(request.GET or None, users=user_options()),
            "form": InteractionForm(auto_id=f"id_log_{kind}_%s"),
            "log_url": reverse("activities:timeline-log", args=[kind, record.pk]),
            "can_log": can(request.user, "create", Interaction.RESOURCE),
            "can_task": can(request.user, "create", "activities.task"),
            "can_appointment": can(request.user, "create", "activities.appointment"),
            "link_query": urlencode({kind: record.pk, "next": request.get_full_path()}),
        }
    )
    return context


@login_required
@require_GET
@not_found_as_404
def timeline_entries(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """A page of entries: after a filter change (replaces the list) or for "Load more"
    (replaces the button)."""
    record = _record(request.user, kind, pk)
    context = entries_context(request, record, before=request.GET.get("before") or None)
    return render(request, "activities/_timeline_entries.html", context)


@login_required
@require_POST
@not_found_as_404
def timeline_log(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """Log an interaction about the record. The answer is the form again (empty after
    success, with errors otherwise) and, on success, the new entry for the top of the
    list (an htmx out-of-band swap)."""
    record = _record(request.user, kind, pk)
    form = InteractionForm(request.POST, request.FILES, auto_id=f"id_log_{kind}_%s")
    created = None
    if form.is_valid():
        data = form.to_data()
        if kind == "person":
            data["person_ids"] = [record.pk]
        else:
            data["organization_id"] = record.pk
        try:
            created = services.interaction_create(actor=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc, targets=ERROR_TARGETS)
        else:
            form = InteractionForm(auto_id=f"id_log_{kind}_%s")
    return render(
        request,
        "activities/_timeline_log.html",
        {
            "form": form,
            "record": record,
            "kind": kind,
            "log_url": reverse("activities:timeline-log", args=[kind, record.pk]),
            "new_entry": (
                TimelineEntry(kind="interaction", at=created.occurred_at, obj=created)
                if created
                else None
            ),
            **entry_context(request.user),
        },
    )


@login_required
@require_GET
def attachment_download(request: AuthedRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    """An attachment, only to those who may see its interaction."""
    try:
        attachment, handle = selectors.attachment_open(
            user=request.user, interaction_pk=pk, attachment_pk=attachment_pk
        )
    except NotFound:
        raise Http404() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
