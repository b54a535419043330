"""Every read of interactions, tasks, appointments and notifications, narrowed first to
what the asking user may see: the role's visibility on the activity resource, plus
the tasks assigned to them and the appointments they attend; private interactions
only for their author and admins."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.files import File
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from clientela.activities.birthdays import upcoming, upcoming_people
from clientela.activities.choices import TaskStatus, UnmatchedStatus
from clientela.activities.models import (
    Appointment,
    Attachment,
    Interaction,
    Notification,
    Task,
    UnmatchedEmail,
)
from clientela.contacts.models import Membership
from clientela.contacts.selectors import organization_list, person_list
from clientela.core.choices import Scope
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.models import User
from clientela.core.permissions import rights_for, visibility_q
from clientela.core.selectors import user_choices

TaskView = Literal["mine", "team", "overdue", "all"]


def interactions_visible(user: Any) -> QuerySet[Interaction]:
    qs = Interaction.objects.alive().visible_to(user)
    if not getattr(user, "is_admin", False):
        qs = qs.filter(Q(is_private=False) | Q(owner_id=user.pk))
    return qs


def tasks_visible(user: Any) -> QuerySet[Task]:
    q = visibility_q(user, Task.RESOURCE)
    if q is None:
        return Task.objects.none()
    live = Task.objects.alive()
    # An empty Q (scope "all") would vanish from the OR below and narrow to the assignee.
    return live.filter(q | Q(assignee_id=user.pk)) if q else live


def appointments_visible(user: Any) -> QuerySet[Appointment]:
    q = visibility_q(user, Appointment.RESOURCE)
    if q is None:
        return Appointment.objects.none()
    attending = Appointment.attendees.through.objects.filter(user_id=user.pk).values(
        "appointment_id"
    )
    live = Appointment.objects.alive()
    return live.filter(q | Q(pk__in=attending)) if q else live


# --- interactions ---------------------------------------------------------------------


def interaction_list(
    *,
    user: Any,
    person_id: int | None = None,
    organization_id: int | None = None,
    channel: str | None = None,
) -> QuerySet[Interaction]:
    """Newest first; page it with ``core.pagination.WindowPaginator``."""
    qs = interactions_visible(user)
    if person_id is not None:
        qs = qs.filter(
            pk__in=Interaction.people.through.objects.filter(person_id=person_id).values(
                "interaction_id"
            )
        )
    if organization_id is not None:
        # As on the organization's timeline: its own interactions and its people's.
        members = Membership.objects.filter(organization_id=organization_id).values("person_id")
        about_members = Interaction.people.through.objects.filter(person_id__in=members).values(
            "interaction_id"
        )
        qs = qs.filter(Q(organization_id=organization_id) | Q(pk__in=about_members))
    if channel:
        qs = qs.filter(channel=channel)
    return qs.select_related("owner", "organization").prefetch_related("people", "attachments")


def interaction_get(*, user: Any, pk: Any) -> Interaction:
    found = interaction_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def attachment_open(
    *, user: Any, interaction_pk: Any, attachment_pk: Any
) -> tuple[Attachment, File[bytes]]:
    """An attachment of an interaction the user may see, opened for reading; a file
    gone from storage is as good as unknown (``NotFound``), on the page and the API."""
    interaction = interaction_get(user=user, pk=interaction_pk)
    attachment = interaction.attachments.filter(pk=parse_id(attachment_pk)).first()
    if attachment is None:
        raise NotFound()
    try:
        return attachment, attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None


# --- tasks ----------------------------------------------------------------------------


def task_list(*, user: Any, view: TaskView = "mine") -> QuerySet[Task]:
    """Open tasks by due time ("all": every visible task, any status).
    "mine": assigned to the user; "team": what the role's scope shows; "overdue":
    the user's open tasks past due (everyone visible for a team/all scope)."""
    qs = tasks_visible(user)
    if view == "mine":
        qs = qs.filter(assignee_id=user.pk, status=TaskStatus.OPEN)
    elif view == "team":
        qs = qs.filter(status=TaskStatus.OPEN)
    elif view == "overdue":
        qs = qs.filter(status=TaskStatus.OPEN, due_at__lt=timezone.now())
    elif view != "all":
        raise NotFound()
    return qs.select_related("assignee", "organization").prefetch_related("people")


def task_get(*, user: Any, pk: Any) -> Task:
    found = task_list(user=user, view="all").prefetch_related("reminders").filter(pk=parse_id(pk))
    task = found.first()
    if task is None:
        raise NotFound()
    return task


# --- appointments ---------------------------------------------------------------------


def appointment_list(
    *, user: Any, start: datetime.datetime | None = None, end: datetime.datetime | None = None
) -> QuerySet[Appointment]:
    """Visible appointments overlapping [start, end) (either end open when None), by
    start time."""
    qs = appointments_visible(user)
    if start is not None:
        qs = qs.filter(end_at__gt=start)
    if end is not None:
        qs = qs.filter(start_at__lt=end)
    return (
        qs.select_related("owner", "organization")
        .prefetch_related("attendees", "people")
        .order_by("start_at", "id")
    )


def appointment_get(*, user: Any, pk: Any) -> Appointment:
    found = (
        appointments_visible(user)
        .select_related("owner", "organization")
        .prefetch_related("attendees", "people", "reminders")
        .filter(pk=parse_id(pk))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def appointment_conflicts(*, appointment: Appointment) -> list[Appointment]:
    """Other live appointments overlapping this one that share an attending user (the
    owner counts as attending)."""
    users = {appointment.owner_id, *appointment.attendees.values_list("pk", flat=True)}
    attended = Appointment.attendees.through.objects.filter(user_id__in=users).values(
        "appointment_id"
    )
    return list(
        Appointment.objects.alive()
        .filter(
            Q(owner_id__in=users) | Q(pk__in=attended),
            start_at__lt=appointment.end_at,
            end_at__gt=appointment.start_at,
        )
        .exclude(pk=appointment.pk)
        .order_by("start_at", "id")
    )


def appointment_conflict_ids(*, user: Any, appointments: list[Appointment]) -> dict[int, list[int]]:
    """``appointment_conflicts`` for a whole page in two queries rather than one per
    appointment, as ids — only of the conflicting appointments ``user`` may see, so an
    answer never discloses another team's record."""
    found: dict[int, list[int]] = {a.pk: [] for a in appointments}
    if not appointments:
        return found
    attending = {a.pk: {a.owner_id, *(u.pk for u in a.attendees.all())} for a in appointments}
    users = set().union(*attending.values())
    attended = Appointment.attendees.through.objects.filter(user_id__in=users).values(
        "appointment_id"
    )
    candidates = (
        appointments_visible(user)
        .filter(
            Q(owner_id__in=users) | Q(pk__in=attended),
            start_at__lt=max(a.end_at for a in appointments),
            end_at__gt=min(a.start_at for a in appointments),
        )
        .prefetch_related(Prefetch("attendees", queryset=User.objects.only("id")))
        .order_by("start_at", "id")
    )
    for other in candidates:
        their_users = {other.owner_id, *(u.pk for u in other.attendees.all())}
        for a in appointments:
            if (
                other.pk != a.pk
                and other.start_at < a.end_at
                and other.end_at > a.start_at
                and attending[a.pk] & their_users
            ):
                found[a.pk].append(other.pk)
    return {pk: sorted(ids) for pk, ids in found.items()}


# --- the calendar ---------------------------------------------------------------------


def calendar_people(*, user: Any) -> list[User]:
    """The users whose calendar ``user`` may show: every active user for an "all"
    scope on appointments, their team's for a "team" scope, else only themselves."""
    rights = rights_for(user, Appointment.RESOURCE)
    if not rights.read:
        return []
    if rights.scope == Scope.ALL:
        return list(user_choices())
    if rights.scope == Scope.TEAM and user.team_id is not None:
        return list(user_choices().filter(team_id=user.team_id))
    return [user]


def _calendar_person(user: Any, person_id: int) -> None:
    """``NotFound`` unless ``user`` may show the calendar of ``person_id``."""
    if person_id != user.pk and person_id not in {p.pk for p in calendar_people(user=user)}:
        raise NotFound()


def calendar_appointments(
    *, user: Any, start: datetime.datetime, end: datetime.datetime, person_id: int | None
) -> QuerySet[Appointment]:
    """Visible appointments overlapping [start, end): of one person (owned or attended)
    when ``person_id`` is given, else every one ``user`` may see."""
    qs = appointment_list(user=user, start=start, end=end)
    if person_id is not None:
        _calendar_person(user, person_id)
        attending = Appointment.attendees.through.objects.filter(user_id=person_id).values(
            "appointment_id"
        )
        qs = qs.filter(Q(owner_id=person_id) | Q(pk__in=attending))
    return qs


def calendar_tasks(
    *, user: Any, start: datetime.datetime, end: datetime.datetime, person_id: int | None
) -> QuerySet[Task]:
    """Visible open tasks due in [start, end): assigned to one person when
    ``person_id`` is given, else every one ``user`` may see."""
    qs = tasks_visible(user).filter(status=TaskStatus.OPEN, due_at__gte=start, due_at__lt=end)
    if person_id is not None:
        _calendar_person(user, person_id)
        qs = qs.filter(assignee_id=person_id)
    return qs.select_related("assignee").order_by("due_at", "id")


# --- notifications and "My day" -------------------------------------------------------


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_notification_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


@dataclass
class MyDay:
    tasks_today: list[Task] = field(default_factory=list)
    tasks_overdue: list[Task] = field(default_factory=list)
    appointments_today: list[Appointment] = field(default_factory=list)
    birthdays: list[Any] = field(default_factory=list)
    #: How many birthdays the week holds (``birthdays`` shows the first few).
    birthdays_total: int = 0
    recent_interactions: list[Interaction] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def today_bounds(user: Any) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of today in the user's time zone, as aware datetimes."""
    zone = timezone.get_current_timezone()
    if getattr(user, "time_zone", ""):
        zone = zoneinfo.ZoneInfo(user.time_zone)
    now = timezone.localtime(timezone.now(), zone)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


#: Rows per list on "My day": an overview; the task lists page through the rest.
MY_DAY_LIMIT = 20
#: Birthdays shown on "My day"; "See all" lists the rest (a big base has dozens a week).
MY_DAY_BIRTHDAYS = 5


def my_day(*, user: Any, limit: int = MY_DAY_LIMIT) -> MyDay:
    start, end = today_bounds(user)
    mine = task_list(user=user, view="mine")
    birthday_people = upcoming_people(user=user)
    return MyDay(
        tasks_today=list(mine.filter(due_at__gte=start, due_at__lt=end)[:limit]),
        tasks_overdue=list(mine.filter(due_at__lt=start)[:limit]),
        appointments_today=list(
            appointment_list(user=user, start=start, end=end).filter(
                Q(owner_id=user.pk)
                | Q(
                    pk__in=Appointment.attendees.through.objects.filter(user_id=user.pk).values(
                        "appointment_id"
                    )
                )
            )[:limit]
        ),
        birthdays=upcoming(birthday_people[:MY_DAY_BIRTHDAYS], user=user),
        birthdays_total=birthday_people.count(),
        recent_interactions=list(
            interactions_visible(user)
            .filter(owner_id=user.pk)
            .prefetch_related("people")
            .order_by("-occurred_at", "-id")[:10]
        ),
        notifications=list(notification_list(user=user, unread_only=True)[:10]),
    )


__all__ = [
    "MyDay",
    "appointment_conflicts",
    "appointment_get",
    "appointment_list",
    "calendar_appointments",
    "calendar_people",
    "calendar_tasks",
    "interaction_get",
    "interaction_list",
    "my_day",
    "notification_list",
    "task_get",
    "task_list",
    "unread_notification_count",
]


# --- e-mail from unknown senders (``services.email_log``) ------------------------------


def unmatched_email_list(*, user: Any) -> QuerySet[UnmatchedEmail]:
    """The unmatched e-mails waiting for ``user``: their own, and for admins those of
    the shared mailbox that concern no user."""
    mine = Q(user_id=user.pk)
    if getattr(user, "is_admin", False):
        mine |= Q(user__isnull=True)
    return UnmatchedEmail.objects.filter(mine, status=UnmatchedStatus.OPEN).order_by(
        "-received_at", "-id"
    )


def unmatched_email_get(*, user: Any, pk: Any) -> UnmatchedEmail:
    found = unmatched_email_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def email_recipients(*, user: Any, person_ids: list[int], organization_id: int | None) -> Any:
    """The people and organization an e-mail is written from, as ``user`` sees them
    (those they may not see left out): (people, organization)."""
    people = list(person_list(user=user).filter(pk__in=person_ids).order_by("pk")[:20])
    organization = None
    if organization_id is not None:
        organization = organization_list(user=user).filter(pk=organization_id).first()
    return people, organization
