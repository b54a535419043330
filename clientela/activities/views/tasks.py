"""Task pages: core's generic record pages (``core.views.kinds``) with what tasks own:
the list's tabs (mine, my team's, overdue) and its items with their one-click
complete and reopen, and the form's assignee and reminders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.activities import selectors, services
from clientela.activities.choices import TaskStatus
from clientela.activities.filters import task_view
from clientela.activities.views.common import ReminderFormView
from clientela.core.views.kinds import RecordListView
from clientela.core.views.records import AuthedRequest, not_found_as_404, redirect_next

#: The list's tabs (``?view=``; the export also knows "all").
TABS: dict[str, Any] = {
    "mine": gettext_lazy("Mine"),
    "team": gettext_lazy("My team's"),
    "overdue": gettext_lazy("Overdue"),
}


class TaskListView(RecordListView):
    def parse_filters(self, params: QueryDict) -> tuple[Any, Any]:
        return task_view(params)

    def get_queryset(self, filters: Any) -> Any:
        return selectors.task_list(user=self.user, view=filters)

    def current_sort(self, filters: Any) -> str:
        return ""  # by due time, always

    def extra_context(self, filters: Any) -> dict[str, Any]:
        empty = _("No overdue tasks.") if filters == "overdue" else _("No open tasks.")
        return {"view": filters, "tabs": TABS, "empty_message": empty}


class TaskFormView(ReminderFormView):
    def new_initial(self) -> dict[str, Any]:
        return {"assignee": self.user.pk}

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        users = super().form_kwargs(record)["users"]
        if record is not None and record.assignee_id not in {pk for pk, _name in users}:
            users.append((record.assignee_id, str(record.assignee)))
        return {"users": users}


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
