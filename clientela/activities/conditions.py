"""The condition fields of activities (``core.conditions``).

On people and organizations: the last interaction (``before`` a day: had one, none
since; ``after``: one since; ``exists``: any at all; "none since" is ``before`` or not
``exists``), and the birthday within the next N days (``lt``). Interactions count only
where the user sees them.

On tasks themselves (what automation's rules test on the task an event is about, issue
16): title, status, priority, due time, assignee, owner, team and creation day."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.activities.birthdays import within_days_q
from clientela.activities.choices import Priority, TaskStatus
from clientela.activities.models import Interaction, Task
from clientela.activities.selectors import interactions_visible
from clientela.core.conditions import ConditionField, FieldType, register_condition_field
from clientela.core.conditions.build import (
    column_q,
    day_start,
    id_q,
    record_fields,
    user_choices,
)

_KEYS = {"contacts.person": "person", "contacts.organization": "organization"}


def _ids(user: Any, key: str, since: datetime.datetime | None) -> QuerySet[Any]:
    """Ids of the records of ``key`` with an interaction the user sees (since then)."""
    found = interactions_visible(user)
    if since is not None:
        found = found.filter(occurred_at__gte=since)
    if key == "organization":
        return found.filter(organization__isnull=False).values("organization_id")
    links = Interaction.people.through.objects.filter(interaction__in=found.values("pk"))
    return links.values("person_id")


def _last_interaction(key: str) -> Any:
    def q(user: Any, op: str, value: Any) -> Q:
        if op == "exists":
            found = Q(pk__in=_ids(user, key, None))
            return found if value else ~found
        if op == "after":
            return Q(pk__in=_ids(user, key, day_start(value + datetime.timedelta(days=1))))
        return Q(pk__in=_ids(user, key, None)) & ~Q(pk__in=_ids(user, key, day_start(value)))

    return q


def _birthday_within(user: Any, op: str, value: Any) -> Q:
    days = math.ceil(value)  # days until the birthday < value
    if days < 1:
        return Q(pk__in=[])
    return within_days_q(user, days)


def task_fields() -> list[ConditionField]:
    group = _("Task")

    def f(key: str, label: Any, kind: str, q: Any, **extra: Any) -> ConditionField:
        return ConditionField(
            key=key,
            label=label,
            resource=Task.RESOURCE,
            type=kind,
            q=q,
            group=group,
            order=10,
            **extra,
        )

    choice_ops = ("eq", "ne", "in")
    return [
        f("title", _("Title"), FieldType.TEXT, column_q("title")),
        *[
            f(
                key,
                label,
                FieldType.CHOICE,
                column_q(key),
                ops=choice_ops,
                choices=lambda c=choices: c,
            )
            for key, label, choices in (
                ("status", _("Status"), list(TaskStatus.choices)),
                ("priority", _("Priority"), list(Priority.choices)),
            )
        ],
        f("due_at", _("Due"), FieldType.DATE, column_q("due_at", empty=None, moment=True)),
        f(
            "assignee",
            _("Assignee"),
            FieldType.CHOICE,
            id_q("assignee_id"),
            ops=choice_ops,
            choices=user_choices,
        ),
        *record_fields(Task.RESOURCE, group, order=10),
    ]


def register() -> None:
    for condition_field in task_fields():
        register_condition_field(condition_field)
    for resource, key in _KEYS.items():
        register_condition_field(
            ConditionField(
                key="last_interaction",
                label=_("Last interaction"),
                resource=resource,
                type=FieldType.DATE,
                q=_last_interaction(key),
                group=_("Activity"),
                help=_("Before a day: none since. Not filled in: never."),
                order=40,
            )
        )
    register_condition_field(
        ConditionField(
            key="birthday_within_days",
            label=_("Birthday within the next days"),
            resource="contacts.person",
            type=FieldType.NUMBER,
            ops=("lt",),
            q=_birthday_within,
            group=_("Activity"),
            help=_("“Less than 7”: the coming week, today included."),
            order=40,
        )
    )
