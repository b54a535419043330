"""``clientela demo`` also fills the working day: timelines, tasks, appointments."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from clientela.activities import selectors
from clientela.activities.models import Appointment, Interaction, Task
from clientela.core.models import User

pytestmark = pytest.mark.django_db


def test_demo_loads_activities_once_and_reset_replaces_them(capsys: Any) -> None:
    call_command("demo", people=60, organizations=8, verbosity=0)
    counts = (Interaction.objects.count(), Task.objects.count(), Appointment.objects.count())
    assert all(counts), counts
    assert "interactions" in capsys.readouterr().out
    rep = User.objects.get(username="demo-sales-north")
    day = selectors.my_day(user=rep)
    assert day.tasks_overdue
    assert all(t.due_at is not None and t.due_at < timezone.now() for t in day.tasks_overdue)
    call_command("demo", people=60, organizations=8, reset=True, verbosity=0)
    assert (
        Interaction.objects.count(),
        Task.objects.count(),
        Appointment.objects.count(),
    ) == counts
