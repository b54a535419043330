"""Who sees and changes which activities: role scopes, assignees and attendees, private
notes, and the visibility of the people and organizations an activity links to."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clientela.activities import selectors, services
from clientela.activities.models import Interaction, Task
from clientela.core.errors import NotFound

pytestmark = pytest.mark.django_db


def _appointment(actor: Any, **extra: Any) -> Any:
    start = timezone.now() + datetime.timedelta(days=1)
    return services.appointment_create(
        actor=actor,
        data={"title": "Visit", "start_at": start, "end_at": start + datetime.timedelta(hours=1)}
        | extra,  # type: ignore[arg-type]
    )


def test_rep_of_another_team_gets_not_found(rep_north: Any, rep_south: Any) -> None:
    interaction = services.interaction_create(actor=rep_north, data={"channel": "call"})
    task = services.task_create(actor=rep_north, data={"title": "x"})
    appointment = _appointment(rep_north)
    with pytest.raises(NotFound):
        selectors.interaction_get(user=rep_south, pk=interaction.pk)
    with pytest.raises(NotFound):
        selectors.task_get(user=rep_south, pk=task.pk)
    with pytest.raises(NotFound):
        selectors.appointment_get(user=rep_south, pk=appointment.pk)
    with pytest.raises(NotFound):
        services.task_complete(actor=rep_south, task=task)
    with pytest.raises(NotFound):
        services.interaction_update(actor=rep_south, interaction=interaction, data={"subject": "x"})
    with pytest.raises(NotFound):
        services.appointment_trash(actor=rep_south, appointment=appointment)
    assert selectors.task_list(user=rep_south, view="all").count() == 0


def test_team_members_share_activities(rep_north: Any, rep_north2: Any) -> None:
    task = services.task_create(actor=rep_north, data={"title": "x"})
    assert selectors.task_get(user=rep_north2, pk=task.pk) == task
    assert list(selectors.task_list(user=rep_north2, view="team")) == [task]
    assert list(selectors.task_list(user=rep_north2, view="mine")) == []


def test_private_interaction_only_for_author_and_admin(
    rep_north: Any, rep_north2: Any, manager_north: Any, admin: Any
) -> None:
    note = services.interaction_create(
        actor=rep_north, data={"channel": "note", "is_private": True, "body": "secret"}
    )
    assert selectors.interaction_get(user=rep_north, pk=note.pk) == note
    assert selectors.interaction_get(user=admin, pk=note.pk) == note
    for other in (rep_north2, manager_north):
        with pytest.raises(NotFound):
            selectors.interaction_get(user=other, pk=note.pk)
        with pytest.raises(NotFound):
            services.interaction_update(actor=other, interaction=note, data={"body": "x"})
        with pytest.raises(NotFound):
            services.interaction_trash(actor=other, interaction=note)
        assert note not in selectors.interaction_list(user=other)


def test_read_only_role_cannot_write(reader: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.interaction_create(actor=reader, data={"channel": "note"})
    with pytest.raises(PermissionDenied):
        services.task_create(actor=reader, data={"title": "x"})
    assert not Interaction.objects.exists()
    assert not Task.objects.exists()


def test_rep_cannot_assign_tasks_outside_the_team(rep_north: Any, rep_south: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=rep_north, data={"title": "x", "assignee_id": rep_south.pk})
    assert "assignee_id" in exc.value.message_dict
    assert not Task.objects.exists()


def test_assignee_and_attendee_see_what_concerns_them(
    admin: Any, rep_south: Any, rep_north: Any
) -> None:
    task = services.task_create(actor=admin, data={"title": "x", "assignee_id": rep_south.pk})
    assert selectors.task_get(user=rep_south, pk=task.pk) == task
    appointment = _appointment(admin, attendee_ids=[rep_north.pk])
    assert selectors.appointment_get(user=rep_north, pk=appointment.pk) == appointment


def test_linking_people_the_actor_cannot_see_is_refused(
    rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    south_person = person_factory(rep_south)
    task = services.task_create(actor=rep_north, data={"title": "x"})
    with pytest.raises(ValidationError) as exc:
        services.task_update(actor=rep_north, task=task, data={"person_ids": [south_person.pk]})
    assert "person_ids" in exc.value.message_dict
    assert not task.people.exists()


@pytest.mark.parametrize("pk", ["abc", -1, 0, 2**70, None])
def test_junk_ids_are_not_found(rep_north: Any, pk: Any) -> None:
    with pytest.raises(NotFound):
        selectors.task_get(user=rep_north, pk=pk)
    with pytest.raises(NotFound):
        selectors.interaction_get(user=rep_north, pk=pk)


def test_all_scope_roles_see_every_task_and_appointment(
    rep_north: Any, rep_south: Any, reader: Any, marketer: Any
) -> None:
    task = services.task_create(actor=rep_north, data={"title": "x"})
    appointment = _appointment(rep_south)
    for user in (reader, marketer):
        assert selectors.task_get(user=user, pk=task.pk) == task
        assert selectors.appointment_get(user=user, pk=appointment.pk) == appointment
        assert task in selectors.task_list(user=user, view="all")
