"""The ticket pages: core's generic record pages (list with filters and bulk actions,
create/edit, delete with Undo, restore, trash) and what tickets own: the ticket page
with its conversation, the reply box, the customer beside it, and merging."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from clientela.contacts.views.pickers import organization_choices, people_choices
from clientela.core import selectors as core_selectors
from clientela.core.errors import NotFound
from clientela.core.forms import id_list
from clientela.core.views.kinds import (
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    SavedViewDeleteView,
    SavedViewSaveView,
    TrashView,
    record_urls,
)
from clientela.core.views.records import safe_next_url
from clientela.service.choices import TRANSITIONS, TicketPriority, TicketStatus
from clientela.service.forms.tickets import (
    ERROR_TARGETS,
    BulkForm,
    MergeForm,
    ReplyForm,
    TicketForm,
)
from clientela.service.kinds import TICKETS
from clientela.service.models import Queue, Ticket
from clientela.service.selectors.articles import suggested_articles
from clientela.service.selectors.canned import canned_answers_for
from clientela.service.selectors.customer import customer_context
from clientela.service.selectors.satisfaction import ticket_rating
from clientela.service.selectors.tickets import may_work_on, ticket_by_number, ticket_messages
from clientela.service.services import conversation
from clientela.service.services import tickets as services
from clientela.service.services.canned import may_manage
from clientela.service.services.tickets import TicketData


def _statuses(ticket: Ticket) -> list[tuple[str, Any]]:
    return [
        (s, TicketStatus(s).label) for s in TicketStatus.values if s in TRANSITIONS[ticket.status]
    ]


class TicketDetailView(RecordDetailView):
    """A ticket: its conversation oldest first, the reply box, the customer's recent
    interactions, open deals and orders, and the SLA clocks."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        ticket = cast(Ticket, record)
        works_on = may_work_on(self.user, ticket)
        return {
            "ticket": ticket,
            "conversation": list(ticket_messages(user=self.user, ticket=ticket)),
            "customer": customer_context(user=self.user, ticket=ticket),
            "can_reply": works_on and self.may("update") and ticket.merged_into_id is None,
            "can_edit": works_on and self.may("update"),
            "reply_form": ReplyForm(statuses=_statuses(ticket)),
            "canned": list(canned_answers_for(user=self.user, ticket=ticket)) if works_on else [],
            "kb_suggestions": suggested_articles(user=self.user, ticket=ticket) if works_on else [],
            "merge_form": MergeForm(),
            "tags": list(ticket.tags.all()),
            "rating": ticket_rating(user=self.user, ticket=ticket),
        }


class TicketFormView(RecordFormView):
    error_targets = ERROR_TARGETS

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        source = data if data is not None else self.request.GET
        person_ids = id_list(source.getlist("person"))
        org_ids = id_list(source.getlist("organization"))
        if record is not None:
            person_ids += [record.person_id] if record.person_id else []
            org_ids += [record.organization_id] if record.organization_id else []
        kwargs: dict[str, Any] = {
            "users": core_selectors.user_choices(),
            "people": people_choices(self.user, person_ids),
            "organizations": organization_choices(self.user, org_ids),
            "custom_fields": list(core_selectors.custom_field_list(resource=Ticket.RESOURCE)),
        }
        if data is not None:
            return TicketForm(data, **kwargs)
        if record is not None:
            return TicketForm(initial=TicketForm.initial_for(record), **kwargs)
        initial = {
            "person": person_ids[0] if person_ids else None,
            "organization": org_ids[0] if org_ids else None,
            "status": TicketStatus.NEW,
            "language": getattr(self.request, "LANGUAGE_CODE", "en")[:2],
        }
        return TicketForm(initial=initial, **kwargs)


class TicketReplyView(TicketDetailView):
    """The reply box: a public reply or an internal note, optionally a new status."""

    http_method_names = ("post",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = cast(Ticket, self.get_record(pk))
        form = ReplyForm(request.POST, request.FILES, statuses=_statuses(ticket))
        if form.is_valid():
            try:
                conversation.ticket_reply(
                    actor=self.user,
                    ticket=ticket,
                    body=form.cleaned_data["body"],
                    public=form.cleaned_data["public"],
                    status=form.cleaned_data["status"] or None,
                    attachments=request.FILES.getlist("attachments"),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                sent = _("Reply sent.") if form.cleaned_data["public"] else _("Note added.")
                messages.success(request, sent)
                return redirect("service:ticket-detail", pk=pk)
        return self.render_detail(self.get_record(pk), reply_form=form)


class TicketMergeView(TicketDetailView):
    http_method_names = ("post",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = cast(Ticket, self.get_record(pk))
        form = MergeForm(request.POST)
        error = _("Give the number of the ticket to merge into.")
        if form.is_valid():
            text = form.cleaned_data["into"].strip().upper()
            prefix = services.ticket_prefix().upper()
            digits = text.removeprefix(prefix)
            target = (
                ticket_by_number(user=self.user, number=int(digits)) if digits.isdigit() else None
            )
            if target is None:
                error = _("There is no ticket %(number)s you may see.") % {"number": text}
            else:
                try:
                    services.ticket_merge(actor=self.user, ticket=ticket, into=target)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                except NotFound:
                    error = _("You cannot change ticket %(number)s.") % {"number": text}
                else:
                    messages.success(
                        request,
                        _("%(old)s merged into %(new)s.")
                        % {"old": ticket.label, "new": target.label},
                    )
                    return redirect("service:ticket-detail", pk=target.pk)
        form.add_error("into", error)
        return self.render_detail(ticket, merge_form=form)


class TicketListView(RecordListView):
    """The ticket list (queues and "my tickets" are its filters), with bulk actions."""

    http_method_names: tuple[str, ...] = ("get", "post")  # type: ignore[assignment]

    def page_context(self) -> dict[str, Any]:
        return {
            "queues": Queue.objects.filter(active=True),
            "agents": core_selectors.user_choices(),
            "statuses": TicketStatus.choices,
            "priorities": TicketPriority.choices,
            "may_manage_canned": may_manage(self.user),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkForm(request.POST)
        back = safe_next_url(request) or self.url("list")
        ids = id_list(request.POST.getlist("ids"))
        if not form.is_valid() or not ids:
            messages.error(request, _("Tick the tickets and choose what to change."))
            return redirect(back)
        c = form.cleaned_data
        data: dict[str, Any] = {k: c[k] for k in ("status", "priority") if c[k]}
        assignee = c["assignee"]
        if assignee == "none":
            data["assignee_id"] = None
        elif assignee == "me":
            data["assignee_id"] = self.user.pk
        elif assignee:
            data["assignee_id"] = int(assignee) if assignee.isdigit() else assignee
        try:
            count = services.tickets_bulk_update(
                actor=self.user, ticket_ids=ids, data=cast(TicketData, data)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except NotFound:
            messages.error(request, _("Some of these tickets are not yours to change."))
        else:
            messages.success(request, _("%(count)s tickets changed.") % {"count": count})
        return redirect(back)


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    """The agent's day: their tickets still to do, by deadline."""
    return redirect(f"{reverse('service:ticket-list')}?assignee=me&status=active")


urlpatterns: list[URLPattern] = [
    path("tickets/mine/", my_tickets, name="my-tickets"),
    *record_urls(
        TICKETS,
        list=TicketListView,
        create=TicketFormView,
        trash=TrashView,
        detail=TicketDetailView,
        edit=TicketFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
        view_save=SavedViewSaveView,
        view_delete=SavedViewDeleteView,
    ),
    path("tickets/<int:pk>/reply/", TicketReplyView.as_view(kind=TICKETS), name="ticket-reply"),
    path("tickets/<int:pk>/merge/", TicketMergeView.as_view(kind=TICKETS), name="ticket-merge"),
]
