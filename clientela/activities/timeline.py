"""The timeline of a person or organization: interactions, tasks, appointments and the
record's audit history, merged newest first. A selector module on top of ``selectors``,
whose scoped querysets it reads (``selectors`` never imports it).

Each source is read with its own indexed query for at most ``limit`` entries before the
cursor, and the sources are merged in Python: a page costs four small queries however
long the history is. The cursor is ``(at, kind, id)`` of the last entry shown, encoded
as ``"<iso datetime>|<kind>|<id>"`` in ``next_before``; ties on ``at`` break on kind,
then id, so no entry is skipped or repeated between pages.
"""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import DateTimeField, F, Q, QuerySet
from django.db.models.functions import Coalesce

from clientela.activities.models import Appointment, Interaction, Task
from clientela.activities.selectors import (
    appointments_visible,
    interactions_visible,
    tasks_visible,
)
from clientela.contacts.models import Membership, Organization, Person
from clientela.core.models import AuditEntry
from clientela.core.selectors import audit_history

Kind = Literal["interaction", "task", "appointment", "history"]
KINDS: tuple[Kind, ...] = ("appointment", "history", "interaction", "task")
MAX_LIMIT = 100


@dataclass(frozen=True)
class TimelineEntry:
    kind: Kind
    at: datetime.datetime
    obj: Any

    @property
    def key(self) -> tuple[datetime.datetime, str, int]:
        return (self.at, self.kind, int(self.obj.pk))


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    #: Pass as ``before`` for the next page; None at the end.
    next_before: str | None


def parse_cursor(value: str | None) -> tuple[datetime.datetime, str, int] | None:
    """A cursor from a query string; anything malformed means "from the top"."""
    if not value:
        return None
    try:
        at_text, kind, pk_text = value.rsplit("|", 2)
        at = datetime.datetime.fromisoformat(at_text)
        pk = int(pk_text)
    except ValueError:
        return None
    if at.tzinfo is None or kind not in KINDS:
        return None
    return at, kind, pk


def format_cursor(entry: TimelineEntry) -> str:
    return f"{entry.at.isoformat()}|{entry.kind}|{entry.obj.pk}"


def _before(kind: str, at_field: str, cursor: tuple[datetime.datetime, str, int] | None) -> Q:
    """Rows of one source that sort after the cursor in (at, kind, id) descending."""
    if cursor is None:
        return Q()
    at, c_kind, pk = cursor
    if kind < c_kind:
        return Q(**{f"{at_field}__lte": at})
    if kind > c_kind:
        return Q(**{f"{at_field}__lt": at})
    return Q(**{f"{at_field}__lt": at}) | Q(**{at_field: at, "pk__lt": pk})


def _people_of(organization: Organization) -> QuerySet[Any, Any]:
    return Membership.objects.filter(organization=organization).values("person_id")


def _about(model: Any, person: Person | None, organization: Organization | None) -> Q:
    through = model.people.through
    column = f"{model._meta.model_name}_id"
    if person is not None:
        return Q(pk__in=through.objects.filter(person_id=person.pk).values(column))
    assert organization is not None
    return Q(organization_id=organization.pk) | Q(
        pk__in=through.objects.filter(person_id__in=_people_of(organization)).values(column)
    )


def timeline(
    *,
    user: Any,
    person: Person | None = None,
    organization: Organization | None = None,
    channel: str | None = None,
    actor_id: int | None = None,
    before: str | None = None,
    limit: int = 25,
) -> TimelinePage:
    """One page of the record's timeline. ``person``/``organization`` must come from a
    scoped contacts selector; the activities in it are narrowed to what ``user`` sees.
    ``channel`` keeps interactions of that channel only; ``actor_id`` keeps what that
    user logged, owns or changed."""
    record = person or organization
    if record is None:
        raise ValueError("timeline() needs a person or an organization")
    limit = max(1, min(int(limit), MAX_LIMIT))
    cursor = parse_cursor(before)
    take = limit + 1
    sources: list[list[TimelineEntry]] = []

    interactions = interactions_visible(user).filter(
        _about(Interaction, person, organization), _before("interaction", "occurred_at", cursor)
    )
    if channel:
        interactions = interactions.filter(channel=channel)
    if actor_id is not None:
        interactions = interactions.filter(owner_id=actor_id)
    sources.append(
        [
            TimelineEntry("interaction", i.occurred_at, i)
            for i in interactions.select_related("owner")
            .prefetch_related("attachments")
            .order_by("-occurred_at", "-id")[:take]
        ]
    )
    if not channel:
        tasks = tasks_visible(user).annotate(
            at=Coalesce(F("due_at"), F("created_at"), output_field=DateTimeField())
        )
        tasks = tasks.filter(_about(Task, person, organization), _before("task", "at", cursor))
        if actor_id is not None:
            tasks = tasks.filter(Q(owner_id=actor_id) | Q(assignee_id=actor_id))
        sources.append(
            [
                TimelineEntry("task", t.at, t)
                for t in tasks.select_related("assignee").order_by("-at", "-id")[:take]
            ]
        )
        appointments = appointments_visible(user).filter(
            _about(Appointment, person, organization),
            _before("appointment", "start_at", cursor),
        )
        if actor_id is not None:
            appointments = appointments.filter(owner_id=actor_id)
        sources.append(
            [
                TimelineEntry("appointment", a.start_at, a)
                for a in appointments.select_related("owner").order_by("-start_at", "-id")[:take]
            ]
        )
        history: QuerySet[AuditEntry] = audit_history(record=record).filter(
            _before("history", "created_at", cursor)
        )
        if actor_id is not None:
            history = history.filter(actor_id=actor_id)
        sources.append(
            [
                TimelineEntry("history", h.created_at, h)
                for h in history.order_by("-created_at", "-id")[:take]
            ]
        )
    merged = list(heapq.merge(*sources, key=lambda e: e.key, reverse=True))
    entries = merged[:limit]
    more = len(merged) > limit
    return TimelinePage(
        entries=entries, next_before=format_cursor(entries[-1]) if more and entries else None
    )
