"""The Mailboxes section of the settings (admins only): the IMAP mailboxes the worker
polls, each with its state (last poll, last error, back-off), a form whose password is
write-only, "Test connection", and the inbound messages that need an admin's look
(unreadable, a handler failed, or nobody took them) with their raw source."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from clientela.core.choices import InboundStatus
from clientela.core.forms import add_service_errors, user_options
from clientela.core.inbound import selectors
from clientela.core.inbound.polling import MailboxUnreachable, mailbox_test_connection
from clientela.core.inbound.services import (
    mailbox_create,
    mailbox_delete,
    mailbox_snapshot,
    mailbox_update,
)
from clientela.core.models import Mailbox
from clientela.core.pagination import WindowPaginator
from clientela.core.settings_forms import MailboxForm
from clientela.core.views import request_user
from clientela.core.views.records import AuthedRequest, not_found_as_404, require_admin


@login_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    user = request_user(request)
    mailboxes = list(selectors.mailbox_list(user=user))
    review = selectors.inbound_message_list(user=user).filter(flagged=True).count()
    context = {"mailboxes": mailboxes, "review_count": review}
    return render(request, "core/settings/mailboxes.html", context)


def _form_page(
    request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None = None
) -> HttpResponse:
    return render(request, "core/settings/mailbox_form.html", {"form": form, "mailbox": mailbox})


def _form(*args: Any, **kwargs: Any) -> MailboxForm:
    return MailboxForm(*args, users=user_options(), **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_new(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    if request.method != "POST":
        return _form_page(request, _form())
    form = _form(request.POST)
    if form.is_valid():
        try:
            mailbox = mailbox_create(
                actor=request_user(request),
                data=form.data_for_service(),  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Mailbox “%(name)s” added.") % {"name": mailbox.name})
            return redirect("core:mailbox-edit", pk=mailbox.pk)
    return _form_page(request, form)


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    mailbox = selectors.mailbox_get(user=actor, pk=pk)
    if request.method != "POST":
        return _form_page(
            request,
            _form(
                initial={**mailbox_snapshot(mailbox), "owner_id": mailbox.owner_id}, editing=True
            ),
            mailbox,
        )
    form = _form(request.POST, editing=True)
    if form.is_valid():
        try:
            mailbox_update(
                actor=actor,
                mailbox=mailbox,
                data=form.data_for_service(),  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Mailbox saved."))
            return redirect("core:mailbox-edit", pk=mailbox.pk)
    return _form_page(request, form, mailbox)


@login_required
@not_found_as_404
@require_POST
def mailbox_test(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    mailbox = selectors.mailbox_get(user=request_user(request), pk=pk)
    try:
        count = mailbox_test_connection(mailbox=mailbox)
    except MailboxUnreachable as exc:
        messages.error(request, _("Connection failed: %(reason)s") % {"reason": exc})
    else:
        text = ngettext(
            "Connected: the folder “%(folder)s” holds %(count)d message.",
            "Connected: the folder “%(folder)s” holds %(count)d messages.",
            count,
        )
        messages.success(request, text % {"folder": mailbox.folder, "count": count})
    return redirect("core:mailbox-edit", pk=mailbox.pk)


@login_required
@not_found_as_404
@require_POST
def mailbox_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request)
    actor = request_user(request)
    mailbox = selectors.mailbox_get(user=actor, pk=pk)
    name = mailbox.name
    mailbox_delete(actor=actor, mailbox=mailbox)
    messages.success(request, _("Mailbox “%(name)s” deleted.") % {"name": name})
    return redirect("core:mailbox-list")


@login_required
def inbound_message_list(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    status = request.GET.get("status", "")
    if status not in InboundStatus.values:
        status = ""
    qs = selectors.inbound_message_list(user=request_user(request), status=status)
    page = WindowPaginator(qs, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "messages_list": page.object_list,
        "status": status,
        "statuses": InboundStatus.choices,
        "list_url": reverse("core:inbound-messages"),
        "results_id": "inbound-results",
    }
    authed: AuthedRequest = request  # type: ignore[assignment]
    if authed.htmx and not authed.htmx.boosted:
        return render(request, "core/settings/_inbound_results.html", context)
    return render(request, "core/settings/inbound_messages.html", context)


@login_required
@not_found_as_404
def inbound_message_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as received, as a download (never shown inline: it may be HTML)."""
    require_admin(request)
    message = selectors.inbound_message_get(user=request_user(request), pk=pk)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
