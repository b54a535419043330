"""Create a task about the record the rule runs on, through activities' ``task_create``:
``{"type": "create_task", "title": "Call them", "due_in_days": 1, "assignee": "owner",
"priority": "high", "notes": "…"}``. The task is linked like one made from the
record's page: a person's or organization's own, else the record itself (a deal, a
ticket… by ``related_type``) with its person(s) and organization."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.activities.choices import Priority
from clientela.activities.models import LinkedActivity, Task
from clientela.activities.services.tasks import TaskData, task_create
from clientela.automation.rules.actions import ActionProblem, ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.contacts.models import Organization, Person

TITLE_CHARS = Task._meta.get_field("title").max_length or 200
NOTES_CHARS = 10000
MAX_DUE_DAYS = 365
OWNER = "owner"


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"title", "due_in_days", "assignee", "priority", "notes"})
    found: dict[str, Any] = {
        "title": c.text(params, "title", TITLE_CHARS, required=True),
        "due_in_days": c.whole(params, "due_in_days", 0, MAX_DUE_DAYS, 0),
        "priority": c.choice(params, "priority", Priority.values, Priority.NORMAL),
    }
    assignee = params.get("assignee", OWNER)
    if assignee != OWNER:
        if isinstance(assignee, str) and assignee.isdecimal():
            assignee = int(assignee)
        if type(assignee) is not int:
            raise ActionProblem("assignee", _("Give “owner” or the id of a user."))
        assignee = c.a_user({"assignee": assignee}, "assignee")
    found["assignee"] = assignee
    notes = c.text(params, "notes", NOTES_CHARS, required=False)
    if notes:
        found["notes"] = notes
    return found


def links(resource: str, record: Any) -> dict[str, Any]:
    """How a task (or a logged e-mail) about ``record`` is linked: its people, its
    organization and, for a record of a higher app, the record itself."""
    if isinstance(record, Person):
        return {"person_ids": [record.pk]}
    if isinstance(record, Organization):
        return {"organization_id": record.pk}
    found: dict[str, Any] = {}
    if isinstance(record, LinkedActivity):
        people = [p.pk for p in record.people.filter(deleted_at__isnull=True)]
        if record.related_type:
            found.update(related_type=record.related_type, related_id=record.related_id)
    else:
        person = c.person_of(record)
        people = [person.pk] if person is not None else []
        found.update(related_type=resource, related_id=record.pk)
    if people:
        found["person_ids"] = people
    organization = c.organization_of(record)
    if organization is not None:
        found["organization_id"] = organization.pk
    return found


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    record = c.record_of(context)
    assignee = params["assignee"]
    assignee_id = c.owner_of(record).pk if assignee == OWNER else assignee
    data = {
        "title": params["title"],
        "due_at": timezone.now() + datetime.timedelta(days=params["due_in_days"]),
        "priority": params["priority"],
        "assignee_id": assignee_id,
        "description": params.get("notes", ""),
        **links(context.resource, record),
    }
    task = task_create(actor=context.actor, data=cast(TaskData, data))
    return Outcome(
        _("Task “%(title)s” created for %(user)s.") % {"title": task.title, "user": task.assignee},
        c.page_of(Task.RESOURCE, task),
    )


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="create_task",
            label=gettext_lazy("Create a task"),
            params=(
                Param("title", gettext_lazy("Title")),
                Param(
                    "due_in_days",
                    gettext_lazy("Due in (days)"),
                    kind="int",
                    required=False,
                    help=gettext_lazy("0 to 365; 0: due at once."),
                ),
                Param(
                    "assignee",
                    gettext_lazy("For"),
                    required=False,
                    help=gettext_lazy("“owner” (the record's owner) or a user's id."),
                ),
                Param(
                    "priority",
                    gettext_lazy("Priority"),
                    kind="choice",
                    required=False,
                    choices=lambda: list(Priority.choices),
                ),
                Param("notes", gettext_lazy("Notes"), kind="longtext", required=False),
            ),
            clean=_clean,
            run=_run,
            resources=c.customer_kinds(),
            order=10,
        )
    ]
