"""The export of tasks (``RecordKind.export_columns`` / ``export_rows``, see
``core.exports``): the task list's records (its ``view`` tab: mine, my team's, overdue
or all) through ``selectors.task_list``, each as the API shows it; the tabular columns
name the assignee, the owner, the organization and the people beside the API's ids.

Interactions and appointments declare no export: the API body of an interaction holds
absolute download links made from the request, and an appointment's holds its
conflicts, read per appointment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clientela.activities.models import Task
from clientela.activities.selectors import TaskView, task_list
from clientela.core.exports import (
    ID_COLUMN,
    Errors,
    ExportRows,
    field_column,
    name_column,
    names,
    text_of,
    username,
    verbose_name,
)

#: The task list's tabs (``?view=``); "mine" when none is given.
VIEWS = ("mine", "team", "overdue", "all")


def _view(params: Mapping[str, Any]) -> tuple[TaskView, Errors]:
    view = str(params.get("view") or "mine")
    if view in VIEWS:
        return cast(TaskView, view), {}
    return "mine", {"view": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(VIEWS)}]}


def _tasks(*, user: Any, filters: TaskView | None) -> QuerySet[Task]:
    qs = task_list(user=user, view=filters or "mine")
    return qs.select_related("owner").prefetch_related("reminders")


def _task_names(task: Task) -> dict[str, str]:
    return {
        "assignee": username(task.assignee),
        "organization": text_of(task.organization),
        "people": names(task.people),
        "owner": username(task.owner),
    }


#: The related records the tabular columns name (``_task_names``).
_NAMED = ("assignee", "organization", "people", "owner")

TASK_COLUMNS = (
    ID_COLUMN,
    *(field_column(Task, name) for name in ("title", "description", "due_at", "priority")),
    field_column(Task, "status"),
    *(name_column(name, verbose_name(Task, name)) for name in _NAMED),
    *(field_column(Task, name) for name in ("completed_at", "created_at", "updated_at")),
)

TASK_ROWS = ExportRows(parse=_view, select=_tasks, names=_task_names)
