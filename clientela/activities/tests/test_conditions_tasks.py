"""The condition fields of tasks (``activities.conditions``), each parsed, compiled and
run on the tasks as automation's rules run them: which tasks match, ``ne`` and
``exists`` included, and a bad value refused with its path (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from clientela.activities.models import Task
from clientela.activities.services import task_complete, task_create
from clientela.core.testing.conditions import error_of, leaf, matching

pytestmark = pytest.mark.django_db

TASK = Task.RESOURCE
NOON = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
ALL = {"Call back", "Send offer", "Tidy desk"}


@pytest.fixture
def task_list(admin: Any, rep_north: Any, rep_south: Any) -> None:
    call = task_create(
        actor=admin,
        data={
            "title": "Call back",
            "due_at": NOON,
            "priority": "high",
            "assignee_id": rep_north.pk,
        },
    )
    task_create(
        actor=admin,
        data={
            "title": "Send offer",
            "due_at": NOON + datetime.timedelta(days=3),
            "assignee_id": rep_south.pk,
        },
    )
    task_create(actor=admin, data={"title": "Tidy desk", "priority": "low", "due_at": None})
    task_complete(actor=admin, task=call)


def titles(user: Any, *parts: dict[str, Any]) -> set[str]:
    return matching(user, TASK, Task.objects.all(), *parts, label="title")


def test_task_fields(admin: Any, rep_north: Any, rep_south: Any, task_list: None) -> None:
    assert titles(admin, leaf("title", "contains", "OFFER")) == {"Send offer"}
    assert titles(admin, leaf("title", "ne", "Send offer")) == {"Call back", "Tidy desk"}
    assert titles(admin, leaf("status", "eq", "done")) == {"Call back"}
    assert titles(admin, leaf("status", "ne", "done")) == {"Send offer", "Tidy desk"}
    assert titles(admin, leaf("priority", "in", ["high", "low"])) == {"Call back", "Tidy desk"}
    assert titles(admin, leaf("priority", "ne", "normal")) == {"Call back", "Tidy desk"}
    assert titles(admin, leaf("due_at", "before", "2026-03-11")) == {"Call back"}
    assert titles(admin, leaf("due_at", "after", "2026-03-10")) == {"Send offer"}
    assert titles(admin, leaf("due_at", "exists", False)) == {"Tidy desk"}
    assert titles(admin, leaf("due_at", "exists", True)) == {"Call back", "Send offer"}
    assert titles(admin, leaf("assignee", "eq", str(rep_north.pk))) == {"Call back"}
    assert titles(admin, leaf("assignee", "ne", str(rep_north.pk))) == {"Send offer", "Tidy desk"}
    assert titles(admin, leaf("owner", "eq", str(rep_south.pk))) == {"Send offer"}
    assert titles(admin, leaf("team", "eq", str(rep_south.team_id))) == {"Send offer"}
    assert titles(admin, leaf("created_at", "after", "2026-03-10")) == ALL


def test_task_bad_values_name_their_place(admin: Any, task_list: None) -> None:
    assert error_of(TASK, leaf("status", "eq", "finished")).path == "all[0].value"
    assert error_of(TASK, leaf("due_at", "after", "2026-02-30")).path == "all[0].value"
    assert error_of(TASK, leaf("title", "eq", "x"), leaf("priority", "gt", "low")).path == (
        "all[1].op"
    )
    assert error_of(TASK, leaf("assignee", "exists", True)).path == "all[0].op"
    assert error_of(TASK, leaf("tags", "contains", "x")).path == "all[0].field"
