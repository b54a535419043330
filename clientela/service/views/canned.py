"""Canned answers: the page where admins and managers keep them, and the ticket page's
"insert" (htmx: the reply box again, the answer added, its merge fields filled in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientela.core.errors import NotFound
from clientela.core.forms import add_service_errors
from clientela.core.views.records import AuthedRequest, not_found_as_404
from clientela.service.forms.canned import CannedAnswerForm
from clientela.service.kinds import CANNED_ANSWERS as KIND
from clientela.service.models import CannedAnswer
from clientela.service.selectors.canned import canned_answer_for_ticket
from clientela.service.selectors.tickets import may_work_on, ticket_get
from clientela.service.services.canned import may_manage, render_canned

ERROR_TARGETS = {"queue_id": "queue"}


def _answer(request: AuthedRequest, pk: int | None) -> CannedAnswer | None:
    # Agents read the answers (the ticket page offers them), but this page is where they
    # are kept: it does not exist for anyone else.
    if not may_manage(request.user):
        raise NotFound()
    return None if pk is None else KIND.get(user=request.user, pk=pk)


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def canned_answers(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """The list with the form to add one, or (``pk``) the form of one answer. Reads and
    writes are the kind's (``service.kinds.CANNED_ANSWERS``), as in the API."""
    answer = _answer(request, pk)
    if request.method == "POST" and request.POST.get("delete") and answer is not None:
        KIND.trash_record(actor=request.user, record=answer)
        messages.success(request, _("Canned answer “%(title)s” deleted.") % {"title": answer})
        return redirect("service:canned-answers")
    form = CannedAnswerForm(
        request.POST or None,
        initial=CannedAnswerForm.initial_for(answer) if answer else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if answer is None:
                saved = KIND.create_record(actor=request.user, data=form.to_data())
            else:
                saved = KIND.update_record(actor=request.user, record=answer, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc, targets=ERROR_TARGETS)
        else:
            messages.success(request, _("Canned answer “%(title)s” saved.") % {"title": saved})
            return redirect("service:canned-answers")
    context = {
        "answers": KIND.list_selector(user=request.user),
        "answer": answer,
        "form": form,
    }
    return render(request, "service/canned/answers.html", context)


@login_required
@not_found_as_404
@require_GET
def canned_insert(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reply box with the chosen answer added after what was typed."""
    ticket = ticket_get(user=request.user, pk=pk)
    if not may_work_on(request.user, ticket):
        raise NotFound()
    typed = request.GET.get("body", "")[:100000]
    text = typed
    if request.GET.get("answer"):
        answer = canned_answer_for_ticket(
            user=request.user, ticket=ticket, pk=request.GET["answer"]
        )
        filled = render_canned(answer, ticket=ticket, agent=request.user)
        text = f"{typed.rstrip()}\n\n{filled}" if typed.strip() else filled
    return render(request, "service/canned/_reply_body.html", {"text": text})


urlpatterns: list[URLPattern] = [
    path("tickets/canned-answers/", canned_answers, name="canned-answers"),
    path("tickets/canned-answers/<int:pk>/", canned_answers, name="canned-answer"),
    path("tickets/<int:pk>/canned/", canned_insert, name="ticket-canned"),
]
