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
from clientela.service.models import CannedAnswer
from clientela.service.selectors.canned import canned_answer_get, canned_answer_list
from clientela.service.selectors.tickets import may_work_on, ticket_get
from clientela.service.services.canned import (
    canned_answer_delete,
    canned_answer_save,
    may_manage,
    render_canned,
)

ERROR_TARGETS = {"queue_id": "queue"}


def _answer(request: AuthedRequest, pk: int | None) -> CannedAnswer | None:
    if not may_manage(request.user):
        raise NotFound()
    if pk is None:
        return None
    found = canned_answer_list(user=request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def canned_answers(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """The list with the form to add one, or (``pk``) the form of one answer."""
    answer = _answer(request, pk)
    if request.method == "POST" and request.POST.get("delete") and answer is not None:
        canned_answer_delete(actor=request.user, answer=answer)
        messages.success(request, _("Canned answer “%(title)s” deleted.") % {"title": answer})
        return redirect("service:canned-answers")
    form = CannedAnswerForm(
        request.POST or None,
        initial=CannedAnswerForm.initial_for(answer) if answer else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = canned_answer_save(actor=request.user, data=form.to_data(), answer=answer)
        except ValidationError as exc:
            add_service_errors(form, exc, targets=ERROR_TARGETS)
        else:
            messages.success(request, _("Canned answer “%(title)s” saved.") % {"title": saved})
            return redirect("service:canned-answers")
    context = {
        "answers": canned_answer_list(user=request.user),
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
        answer = canned_answer_get(ticket=ticket, pk=request.GET["answer"])
        filled = render_canned(answer, ticket=ticket, agent=request.user)
        text = f"{typed.rstrip()}\n\n{filled}" if typed.strip() else filled
    return render(request, "service/canned/_reply_body.html", {"text": text})


urlpatterns: list[URLPattern] = [
    path("tickets/canned-answers/", canned_answers, name="canned-answers"),
    path("tickets/canned-answers/<int:pk>/", canned_answers, name="canned-answer"),
    path("tickets/<int:pk>/canned/", canned_insert, name="ticket-canned"),
]
