"""Task pages: the lists (mine, my team's, overdue), one-click complete and reopen,
create/edit with reminders (delete is core's generic page)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.activities import selectors, services
from clientela.activities.choices import TaskStatus
from clientela.activities.forms import (
    ERROR_TARGETS,
    TaskForm,
    reminder_formset,
)
from clientela.activities.models import Task
from clientela.activities.selectors import TaskView
from clientela.contacts.views.pickers import linked_choices
from clientela.core.errors import VersionConflict
from clientela.core.forms import add_service_errors, local_input, user_options
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can, require
from clientela.core.views.records import (
    AuthedRequest,
    not_found_as_404,
    prefilled_links,
    redirect_next,
)

PER_PAGE = 50
LIST_VIEWS: dict[str, Any] = {
    "mine": gettext_lazy("Mine"),
    "team": gettext_lazy("My team's"),
    "overdue": gettext_lazy("Overdue"),
}


@login_required
@require_GET
def task_list(request: AuthedRequest) -> HttpResponse:
    requested = request.GET.get("view", "")
    view = cast(TaskView, requested if requested in LIST_VIEWS else "mine")
    tasks = selectors.task_list(user=request.user, view=view)
    page = WindowPaginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "view": view,
        "views": LIST_VIEWS,
        "list_url": reverse("activities:task-list"),
        "can_create": can(request.user, "create", Task.RESOURCE),
    }
    template = "activities/_task_results.html" if request.htmx else "activities/task_list.html"
    return render(request, template, context)


@login_required
@require_GET
@not_found_as_404
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    return render(
        request,
        "activities/task_detail.html",
        {
            "task": task,
            "can_edit": can(request.user, "update", Task.RESOURCE),
            "can_delete": can(request.user, "delete", Task.RESOURCE),
        },
    )


def _reminders_initial(task: Task) -> list[dict[str, Any]]:
    return [
        {"minutes_before": r.minutes_before, "by_email": r.by_email} for r in task.reminders.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def task_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    task = selectors.task_get(user=user, pk=pk) if pk is not None else None
    require(user, "update" if task else "create", Task.RESOURCE)
    data = request.POST if request.method == "POST" else None
    if task is not None:
        initial: dict[str, Any] = {
            "title": task.title,
            "description": task.description,
            "due_at": local_input(task.due_at),
            "priority": task.priority,
            "assignee": task.assignee_id,
            "people": [p.pk for p in task.people.all()],
            "organization": task.organization_id,
            "version": task.version,
        }
        reminders_initial = _reminders_initial(task)
    else:
        initial = {"assignee": user.pk, **prefilled_links(request)}
        reminders_initial = []
    users = user_options()
    if task is not None and task.assignee_id not in {pk for pk, _name in users}:
        users.append((task.assignee_id, str(task.assignee)))
    form = TaskForm(
        data,
        initial=initial,
        users=users,
        **linked_choices(request, initial),
    )
    reminders = reminder_formset(data, initial=reminders_initial or None)
    conflict = False
    if data is not None and form.is_valid() & reminders.is_valid():
        payload = form.to_data(reminders)
        try:
            if task is None:
                saved = services.task_create(actor=user, data=payload)
            else:
                saved = services.task_update(
                    actor=user,
                    task=task,
                    data=payload,
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as exc:
            add_service_errors(form, exc, formsets={"reminders": reminders}, targets=ERROR_TARGETS)
        except VersionConflict:
            conflict = True
        else:
            text = _("Task “%(name)s” saved.") if task else _("Task “%(name)s” created.")
            messages.success(request, text % {"name": saved})
            return redirect_next(request, "activities:task-detail", pk=saved.pk)
    return render(
        request,
        "activities/task_form.html",
        {
            "task": task,
            "form": form,
            "reminders": reminders,
            "conflict": conflict,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "cancel_url": (
                reverse("activities:task-detail", kwargs={"pk": task.pk})
                if task
                else reverse("activities:task-list")
            ),
        },
    )


@login_required
@require_POST
@not_found_as_404
def task_set_status(request: AuthedRequest, pk: int, *, done: bool) -> HttpResponse:
    """Complete (or reopen) in one click; from a list, htmx swaps the row in place."""
    task = selectors.task_get(user=request.user, pk=pk)
    error = ""
    try:
        if done and task.status != TaskStatus.DONE:
            task = services.task_complete(actor=request.user, task=task)
        elif not done and task.status != TaskStatus.OPEN:
            task = services.task_reopen(actor=request.user, task=task)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "activities/_task_item.html", {"task": task, "error": error})
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, _("Task “%(name)s” completed.") % {"name": task})
    return redirect_next(request, "activities:task-detail", pk=task.pk)
