"""The timeline of a person or organization: the entries of every registered timeline
source (``core.registry.register_timeline_source``), merged newest first. This app
registers four sources (interactions, tasks, appointments and the record's audit
history, read through its scoped selectors); higher apps add theirs (``sales``: a
deal's stage changes and orders) without this module knowing them.

Each source is read with its own indexed query for at most ``limit`` entries before the
cursor, and the sources are merged in Python: a page costs one small query per source
however long the history is. The cursor is ``(at, kind, id)`` of the last entry shown
(``core.registry.TimelineCursor``); ties on ``at`` break on kind, then id, so no entry is
skipped or repeated between pages.
"""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from clientela.activities.models import Appointment, Interaction, Task
from clientela.activities.selectors import (
    appointments_visible,
    interactions_visible,
    tasks_visible,
)
from clientela.contacts.models import Membership, Organization, Person
from clientela.core.models import AuditEntry
from clientela.core.registry import (
    TimelineBefore,
    TimelineCursor,
    TimelineFilters,
    TimelineSource,
    timeline_sources,
    timeline_sources_in_order,
)
from clientela.core.selectors import audit_history

MAX_LIMIT = 100

Rows = list[tuple[datetime.datetime, Any]]


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    at: datetime.datetime
    obj: Any

    @property
    def key(self) -> tuple[datetime.datetime, str, int]:
        return (self.at, self.kind, int(self.obj.pk))

    @property
    def source(self) -> TimelineSource:
        return timeline_sources[self.kind]


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    #: Pass as ``before`` for the next page; None at the end.
    next_before: str | None


def members_of(organization: Organization) -> QuerySet[Any, Any]:
    """The people of an organization, as a subquery: its timeline shows theirs too."""
    return Membership.objects.filter(organization=organization).values("person_id")


def about(model: Any, person: Person | None, organization: Organization | None) -> Q:
    """Records of ``model`` (with ``people`` and ``organization``) about the person, or
    about the organization or one of its people."""
    through = model.people.through
    column = f"{model._meta.model_name}_id"
    if person is not None:
        return Q(pk__in=through.objects.filter(person_id=person.pk).values(column))
    assert organization is not None
    return either_of(
        model._base_manager.filter(organization_id=organization.pk).values("pk"),
        through.objects.filter(person_id__in=members_of(organization)).values(column),
    )


def of_customer(model: Any, person: Person | None, organization: Organization | None) -> Q:
    """Rows of ``model`` (with a ``person`` and an ``organization`` column: orders,
    tickets) of the person, or of the organization or one of its people."""
    if person is not None:
        return Q(person_id=person.pk)
    assert organization is not None
    return either_of(
        model._base_manager.filter(organization_id=organization.pk).values("pk"),
        model._base_manager.filter(person_id__in=members_of(organization)).values("pk"),
    )


def either_of(*ids: QuerySet[Any, Any]) -> Q:
    """Rows whose id is in one of the subqueries. Both sides of the OR are id lists,
    so SQLite reads each on its index (a "multi-index OR"); with
    ``organization_id = … OR pk IN (…)``, once ``ANALYZE`` has run, it walked the whole
    table (every interaction of every customer) for one organization's page."""
    found = Q()
    for subquery in ids:
        found |= Q(pk__in=subquery)
    return found


# --- this app's sources -------------------------------------------------------------------


def interaction_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> Rows:
    interactions = interactions_visible(user).filter(
        about(Interaction, person, organization), before.q("occurred_at")
    )
    if filters.channel:
        interactions = interactions.filter(channel=filters.channel)
    if filters.actor_id is not None:
        interactions = interactions.filter(owner_id=filters.actor_id)
    rows = (
        interactions.select_related("owner")
        .prefetch_related("attachments")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [(i.occurred_at, i) for i in rows]


def task_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> Rows:
    tasks = tasks_visible(user).annotate(
        at=Coalesce(F("due_at"), F("created_at"), output_field=DateTimeField())
    )
    tasks = tasks.filter(about(Task, person, organization), before.q("at"))
    if filters.actor_id is not None:
        tasks = tasks.filter(Q(owner_id=filters.actor_id) | Q(assignee_id=filters.actor_id))
    return [(t.at, t) for t in tasks.select_related("assignee").order_by("-at", "-id")[:limit]]


def appointment_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> Rows:
    appointments = appointments_visible(user).filter(
        about(Appointment, person, organization), before.q("start_at")
    )
    if filters.actor_id is not None:
        appointments = appointments.filter(owner_id=filters.actor_id)
    rows = appointments.select_related("owner").order_by("-start_at", "-id")[:limit]
    return [(a.start_at, a) for a in rows]


def history_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> Rows:
    """The changes to the record itself (it was fetched through a scoped selector)."""
    record = person or organization
    assert record is not None
    history: QuerySet[AuditEntry] = audit_history(record=record).filter(before.q("created_at"))
    if filters.actor_id is not None:
        history = history.filter(actor_id=filters.actor_id)
    return [(h.created_at, h) for h in history.order_by("-created_at", "-id")[:limit]]


SOURCES = (
    TimelineSource(
        key="interaction",
        label=_("Interaction"),
        icon="bi-chat-left-text",
        entries=interaction_entries,
        template="activities/timeline/_interaction.html",
        filter_label=_("Interactions"),
        order=10,
        channels=True,
    ),
    TimelineSource(
        key="task",
        label=_("Task"),
        icon="bi-check2-square",
        entries=task_entries,
        template="activities/timeline/_task.html",
        filter_label=_("Tasks"),
        order=20,
    ),
    TimelineSource(
        key="appointment",
        label=_("Appointment"),
        icon="bi-calendar-event",
        entries=appointment_entries,
        template="activities/timeline/_appointment.html",
        filter_label=_("Appointments"),
        order=30,
    ),
    TimelineSource(
        key="history",
        label=_("Change"),
        icon="bi-clock-history",
        entries=history_entries,
        template="activities/timeline/_history.html",
        filter_label=_("Changes to the record"),
        order=90,
    ),
)


# --- the merge ------------------------------------------------------------------------------


def _sources(kind: str | None, channel: str | None) -> list[TimelineSource]:
    return [
        s
        for s in timeline_sources_in_order()
        if (not kind or s.key == kind) and (not channel or s.channels)
    ]


def timeline(
    *,
    user: Any,
    person: Person | None = None,
    organization: Organization | None = None,
    kind: str | None = None,
    channel: str | None = None,
    actor_id: int | None = None,
    before: str | None = None,
    limit: int = 25,
) -> TimelinePage:
    """One page of the record's timeline. ``person``/``organization`` must come from a
    scoped contacts selector; each source narrows its rows to what ``user`` sees.
    ``kind`` keeps one source's entries; ``channel`` keeps interactions of that channel
    only; ``actor_id`` keeps what that user logged, owns or changed."""
    if (person is None) == (organization is None):
        raise ValueError("timeline() needs a person or an organization")
    limit = max(1, min(int(limit), MAX_LIMIT))
    if kind not in timeline_sources:
        kind = None  # an unknown kind is no filter, as an unknown channel
    cursor = TimelineCursor.parse(before)
    filters = TimelineFilters(actor_id=actor_id, channel=channel or None)
    take = limit + 1
    streams: list[list[TimelineEntry]] = []
    for source in _sources(kind, filters.channel):
        rows = source.entries(
            user=user,
            person=person,
            organization=organization,
            before=TimelineBefore(source.key, cursor),
            limit=take,
            filters=filters,
        )
        entries = [TimelineEntry(source.key, at, obj) for at, obj in rows]
        # The merge needs each stream newest first; a source's word is not taken for it.
        streams.append(sorted(entries, key=lambda e: e.key, reverse=True)[:take])
    merged = list(heapq.merge(*streams, key=lambda e: e.key, reverse=True))
    entries = merged[:limit]
    more = len(merged) > limit
    last = entries[-1] if entries else None
    return TimelinePage(
        entries=entries,
        next_before=str(TimelineCursor(*last.key)) if more and last else None,
    )
