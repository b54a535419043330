"""Demo activities for ``clientela demo``: a believable working day for every demo
user who owns customers — past calls, e-mails and meetings on their people's
timelines, tasks due today, overdue and later (some with reminders) and appointments
this week. Created through the services, like the customer base.

The choices follow the seed, but dates are relative to the day the demo is loaded
(a "task due today" must be due today), so two loads on different days differ in
their dates only.
"""

from __future__ import annotations

import datetime
import random
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import services
from clientela.activities.choices import Direction, InteractionChannel, Priority
from clientela.activities.models import Appointment, Interaction, Task
from clientela.activities.reminders import ReminderInput
from clientela.contacts.selectors import person_list
from clientela.core.demo import DEMO_ACCOUNTS, DEMO_PREFIX
from clientela.core.models import User

PEOPLE_PER_USER = 40
TASKS_PER_USER = 14
APPOINTMENTS_PER_USER = 6

SUBJECTS = {
    InteractionChannel.CALL: [
        "Follow-up call",
        "Asked about prices",
        "Called back",
        "Quick check-in",
    ],
    InteractionChannel.EMAIL: ["Sent the catalogue", "Quote request", "Thank-you note"],
    InteractionChannel.MEETING: ["Visit at their shop", "Coffee meeting", "Product demo"],
    InteractionChannel.NOTE: ["Prefers mornings", "Interested in the new range"],
    InteractionChannel.SMS: ["Delivery confirmed"],
}
TASK_TITLES = [
    "Call back about the order",
    "Send a quote",
    "Prepare the renewal",
    "Check the delivery",
    "Invite to the spring event",
    "Update the contact details",
    "Send the brochure",
]
APPOINTMENT_TITLES = ["Visit", "Product demo", "Lunch meeting", "Quarterly review"]


def _owners() -> list[User]:
    names = [a.username for a in DEMO_ACCOUNTS if a.owns_records]
    return list(User.objects.filter(username__in=names).order_by("username"))


@transaction.atomic
def load(seed: int) -> str:
    rng = random.Random(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    counts = {"interactions": 0, "tasks": 0, "appointments": 0}
    for user in _owners():
        people = list(person_list(user=user).filter(owner=user).order_by("id")[:PEOPLE_PER_USER])
        if not people:
            continue
        for person in people:
            for _n in range(rng.randint(1, 3)):
                channel = rng.choice(list(SUBJECTS))
                data = {
                    "channel": channel,
                    "direction": rng.choice([Direction.OUTBOUND, Direction.INBOUND]),
                    "occurred_at": now - datetime.timedelta(hours=rng.randint(2, 24 * 60)),
                    "subject": rng.choice(SUBJECTS[channel]),
                    "person_ids": [person.pk],
                }
                if channel in (InteractionChannel.CALL, InteractionChannel.MEETING):
                    data["duration_minutes"] = rng.choice([5, 10, 15, 30, 45, 60])
                services.interaction_create(actor=user, data=cast(Any, data))
                counts["interactions"] += 1
        for n in range(TASKS_PER_USER):
            # A few overdue, a few due today (later than now), the rest in the next weeks.
            if n < 3:
                due = now - datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5))
            elif n < 6:
                # Later today, but never tomorrow when the demo is loaded late at night.
                end_of_day = timezone.localtime(now).replace(hour=23, minute=59)
                due = min(now + datetime.timedelta(minutes=rng.randint(30, 240)), end_of_day)
            else:
                due = now + datetime.timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8))
            task_data: dict[str, Any] = {
                "title": rng.choice(TASK_TITLES),
                "due_at": due,
                "priority": rng.choice([Priority.NORMAL, Priority.NORMAL, Priority.HIGH]),
                "person_ids": [rng.choice(people).pk],
            }
            if due > now + datetime.timedelta(minutes=20) and n % 3 == 0:
                task_data["reminders"] = [ReminderInput(minutes_before=15)]
            services.task_create(actor=user, data=cast(Any, task_data))
            counts["tasks"] += 1
        for n in range(APPOINTMENTS_PER_USER):
            start = (now + datetime.timedelta(days=n, hours=rng.randint(1, 6))).replace(minute=0)
            if start <= now:
                start += datetime.timedelta(hours=1)
            services.appointment_create(
                actor=user,
                data=cast(
                    Any,
                    {
                        "title": rng.choice(APPOINTMENT_TITLES),
                        "start_at": start,
                        "end_at": start + datetime.timedelta(hours=1),
                        "time_zone": user.time_zone,
                        "location": rng.choice(["", "Their shop", "Our office", "Video call"]),
                        "person_ids": [rng.choice(people).pk],
                        "attendee_ids": [user.pk],
                    },
                ),
            )
            counts["appointments"] += 1
    return (
        _("Added %(interactions)s interactions, %(tasks)s tasks and %(appointments)s appointments.")
        % counts
    )


@transaction.atomic
def remove() -> None:
    """Everything demo users own in this app (the demo base's own history)."""
    for model in (Interaction, Task, Appointment):
        model.objects.filter(owner__username__startswith=DEMO_PREFIX).delete()
