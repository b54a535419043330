"""Correcting the contact history in place: an interaction's entry on a timeline swaps
to a small form (edit), back to the entry (save, cancel), or to a line with an Undo
(delete), all with htmx.

The generic record views of ``core.views.kinds`` do the work (the services with their
version check and audit, the trash and who may bring a record back); these subclasses
only answer with the timeline's fragments instead of whole pages. What someone logged
is changed by its author and admins only (``services.may_change_interaction``): anyone
else gets a 404 here, as from the services and the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from clientela.activities import services
from clientela.activities.forms import ERROR_TARGETS, InteractionEditForm
from clientela.activities.models import Interaction
from clientela.activities.timeline import TimelineEntry
from clientela.activities.views.common import CHANNEL_ICONS
from clientela.core.errors import NotFound
from clientela.core.permissions import can
from clientela.core.services import may_restore
from clientela.core.views.history import history_rows
from clientela.core.views.kinds import (
    KindView,
    RecordDeleteView,
    RecordFormView,
    RecordRestoreView,
)
from clientela.core.views.records import safe_next_url

ENTRY = "activities/_timeline_entry.html"


def entry_context(user: Any) -> dict[str, Any]:
    """What a timeline entry needs besides itself: the channel icons, and whether the
    user's role may change interactions (the buttons show on the user's own entries,
    and on every entry for admins)."""
    return {
        "icons": CHANNEL_ICONS,
        "may_update": can(user, "update", Interaction.RESOURCE),
        "may_delete": can(user, "delete", Interaction.RESOURCE),
        "is_admin": bool(getattr(user, "is_admin", False)),
        "may_send": can(user, "create", Interaction.RESOURCE),
    }


def render_entry(request: HttpRequest, interaction: Interaction, **extra: Any) -> HttpResponse:
    entry = TimelineEntry(kind="interaction", at=interaction.occurred_at, obj=interaction)
    context = {"entry": entry, **entry_context(request.user), **extra}
    return render(request, ENTRY, context)


class AuthorOnly(KindView):
    """The pages that change an entry: for its author and admins; a 404 to anyone else
    (the services refuse them the same way)."""

    def get_record(self, pk: Any) -> Any:
        record = super().get_record(pk)
        if not services.may_change_interaction(self.user, record):
            raise NotFound()
        return record


class InteractionEntryView(KindView):
    """One entry as the timeline shows it: what Cancel (or Escape) puts back."""

    http_method_names = ("get",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_entry(request, self.get_record(pk), focus_edit=True)


class InteractionHistoryView(KindView):
    """The changes made to an entry, in the reader's words (``core/_history.html``)."""

    http_method_names = ("get",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.get_record(pk)
        rows = history_rows(record, labels=self.kind.history_labels)
        return render(request, "core/_history.html", {"history": rows})


class InteractionEditView(AuthorOnly, RecordFormView):
    """The entry's form in place of the entry; saved, the entry again. Bad input comes
    back as the form with its errors (422), a change made meanwhile by someone else as
    the form with a message (409), so nothing is overwritten unseen."""

    error_targets = ERROR_TARGETS

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        auto_id = f"id_edit_{record.pk}_%s"
        if data is not None:
            return InteractionEditForm(data, auto_id=auto_id)
        return InteractionEditForm(initial=InteractionEditForm.initial_for(record), auto_id=auto_id)

    def saved_response(self, saved: Any, key: str) -> HttpResponse:
        # Read again through the selector: the entry shows the owner and attachments.
        return render_entry(self.request, self.get_record(saved.pk), focus_edit=True)

    def form_response(self, context: dict[str, Any]) -> HttpResponse:
        record, form = context["record"], context["form"]
        context["edit_url"] = reverse("activities:interaction-edit", kwargs={"pk": record.pk})
        context["entry_url"] = reverse("activities:interaction-entry", kwargs={"pk": record.pk})
        status = 409 if context["conflict"] else 422 if form.is_bound and form.errors else 200
        return render(self.request, "activities/_timeline_edit.html", context, status=status)


class InteractionDeleteView(AuthorOnly, RecordDeleteView):
    """To the trash from the timeline: the entry gives way to a line saying so, with an
    Undo for whoever may bring it back (the deleter, an admin). Without htmx, the usual
    message with its Undo on the page the entry was shown on."""

    http_method_names = ("post",)

    def remove(self, record: Any, version: int | None) -> None:
        if self.request.htmx:
            self.kind.trash_record(actor=self.user, record=record, expected_version=version)
        else:
            super().remove(record, version)

    def deleted_response(self, record: Any) -> HttpResponse:
        if not self.request.htmx:
            return redirect(safe_next_url(self.request) or self.record_url(record))
        undo = ""
        if may_restore(self.user, record):
            undo = reverse("activities:interaction-restore", kwargs={"pk": record.pk})
        context = {"record": record, "undo_url": undo, "message": self.message("deleted", record)}
        return render(self.request, "activities/_timeline_deleted.html", context)


class InteractionRestoreView(RecordRestoreView):
    """The Undo of a delete on the timeline: the entry back in its place."""

    def restored_response(self, record: Any) -> HttpResponse:
        if not self.request.htmx:
            return super().restored_response(record)
        return render_entry(self.request, self.get_record(record.pk), focus_edit=True)
