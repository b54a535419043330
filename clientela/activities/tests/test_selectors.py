"""Reads: the merged timeline and its pages, task lists, the calendar, conflicts, "My
day" and notifications."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.activities import selectors, services
from clientela.activities.models import Interaction, Notification
from clientela.activities.selectors import today_bounds
from clientela.activities.services import InteractionData
from clientela.activities.timeline import timeline
from clientela.contacts.services import MembershipInput
from clientela.core.registry import timeline_sources

pytestmark = pytest.mark.django_db


def ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def _log(
    actor: Any,
    person: Any,
    hours: float,
    channel: str = "call",
    *,
    occurred_at: datetime.datetime | None = None,
    is_private: bool = False,
) -> Any:
    data: InteractionData = {
        "channel": channel,
        "occurred_at": occurred_at or ago(hours),
        "person_ids": [person.pk],
    }
    if is_private:
        data["is_private"] = True
    return services.interaction_create(actor=actor, data=data)


def test_timeline_merges_all_sources_newest_first(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)  # its "create" audit entry is the newest history
    old_call = _log(rep_north, person, 48)
    recent_note = _log(rep_north, person, 1, "note")
    task = services.task_create(
        actor=rep_north,
        data={"title": "Follow up", "due_at": ago(-24), "person_ids": [person.pk]},
    )
    start = ago(5)
    appointment = services.appointment_create(
        actor=rep_north,
        data={
            "title": "Visit",
            "start_at": start,
            "end_at": start + datetime.timedelta(hours=1),
            "person_ids": [person.pk],
        },
    )
    page = timeline(user=rep_north, person=person)
    kinds = [(e.kind, e.obj) for e in page.entries]
    assert kinds[0] == ("task", task)  # due tomorrow: the latest moment
    assert [o for k, o in kinds if k != "history"] == [task, recent_note, appointment, old_call]
    assert [e.kind for e in page.entries].count("history") == 1
    ats = [e.at for e in page.entries]
    assert ats == sorted(ats, reverse=True)
    assert page.next_before is None


def test_timeline_pages_cover_every_entry_once(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    same_moment = ago(3)
    for _ in range(7):  # ties on "at" must not be skipped or repeated across pages
        _log(rep_north, person, 0, occurred_at=same_moment)
    for hours in range(1, 9):
        _log(rep_north, person, hours * 10)
    seen: list[tuple[str, int]] = []
    before = None
    while True:
        page = timeline(user=rep_north, person=person, before=before, limit=4)
        seen += [(e.kind, e.obj.pk) for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == len(set(seen)) == 7 + 8 + 1


def test_organization_timeline_includes_its_people(
    rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north)
    member = person_factory(rep_north, memberships=[MembershipInput(organization_id=org.pk)])
    outsider = person_factory(rep_north)
    about_member = _log(rep_north, member, 2)
    about_org = services.interaction_create(
        actor=rep_north, data={"channel": "email", "organization_id": org.pk}
    )
    both = services.interaction_create(
        actor=rep_north,
        data={"channel": "meeting", "organization_id": org.pk, "person_ids": [member.pk]},
    )
    _log(rep_north, outsider, 1)
    page = timeline(user=rep_north, organization=org, channel=None)
    shown = [e.obj for e in page.entries if e.kind == "interaction"]
    assert sorted(i.pk for i in shown) == sorted([about_member.pk, about_org.pk, both.pk])


def test_timeline_filters_by_channel_and_user(
    rep_north: Any, rep_north2: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    call = _log(rep_north, person, 1, "call")
    _log(rep_north, person, 2, "email")
    other_call = _log(rep_north2, person, 3, "call")
    by_channel = timeline(user=rep_north, person=person, channel="call")
    assert [e.obj for e in by_channel.entries] == [call, other_call]
    by_user = timeline(user=rep_north, person=person, actor_id=rep_north2.pk)
    assert [e.obj for e in by_user.entries] == [other_call]


def test_timeline_hides_private_notes_of_others(
    rep_north: Any, rep_north2: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    _log(rep_north, person, 1, "note", is_private=True)
    page = timeline(user=rep_north2, person=person)
    assert [e.kind for e in page.entries] == ["history"]


def test_timeline_ignores_a_malformed_cursor(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    _log(rep_north, person, 1)
    for junk in ("nonsense", "2026-01-01|nope|1", "x|interaction|y", "2026-01-01|task|3"):
        assert len(timeline(user=rep_north, person=person, before=junk).entries) == 2


def test_timeline_of_5000_entries_is_fast_and_bounded(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    now = timezone.now()
    rows = Interaction.objects.bulk_create(
        [
            Interaction(
                owner=rep_north,
                team=rep_north.team,
                channel="call",
                occurred_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(5000)
        ]
    )
    Interaction.people.through.objects.bulk_create(
        [Interaction.people.through(interaction_id=r.pk, person_id=person.pk) for r in rows]
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        page = timeline(user=rep_north, person=person, limit=25)
        elapsed = time.perf_counter() - started
    assert len(page.entries) == 25
    assert page.next_before
    # One query per registered source (this app's four, sales' two), and the
    # attachments of the interactions shown.
    assert len(queries) == len(timeline_sources) + 1
    assert elapsed < 0.5
    deep = timeline(user=rep_north, person=person, before=page.next_before)
    assert deep.entries[0].at < page.entries[-1].at


def test_task_lists(rep_north: Any, rep_north2: Any) -> None:
    overdue = services.task_create(actor=rep_north, data={"title": "late", "due_at": ago(2)})
    mine = services.task_create(actor=rep_north, data={"title": "mine", "due_at": ago(-2)})
    theirs = services.task_create(actor=rep_north2, data={"title": "theirs"})
    done = services.task_create(actor=rep_north, data={"title": "done"})
    services.task_complete(actor=rep_north, task=done)
    assert list(selectors.task_list(user=rep_north, view="mine")) == [overdue, mine]
    assert list(selectors.task_list(user=rep_north, view="overdue")) == [overdue]
    assert set(selectors.task_list(user=rep_north, view="team")) == {overdue, mine, theirs}
    assert done in selectors.task_list(user=rep_north, view="all")


def test_calendar_range_and_conflicts(rep_north: Any, rep_north2: Any) -> None:
    base = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)

    def make(actor: Any, start_h: float, end_h: float, **extra: Any) -> Any:
        return services.appointment_create(
            actor=actor,
            data={
                "title": f"{start_h}",
                "start_at": base + datetime.timedelta(hours=start_h),
                "end_at": base + datetime.timedelta(hours=end_h),
            }
            | extra,  # type: ignore[arg-type]
        )

    first = make(rep_north, 0, 2)
    overlapping_attended = make(rep_north2, 1, 3, attendee_ids=[rep_north.pk])
    overlapping_other = make(rep_north2, 1, 3)
    touching = make(rep_north, 2, 4)
    assert selectors.appointment_conflicts(appointment=first) == [overlapping_attended]
    assert overlapping_other not in selectors.appointment_conflicts(appointment=touching)
    in_range = selectors.appointment_list(
        user=rep_north,
        start=base + datetime.timedelta(hours=2),
        end=base + datetime.timedelta(hours=5),
    )
    assert list(in_range) == [overlapping_attended, overlapping_other, touching]


def test_my_day(rep_north: Any, person_factory: Any) -> None:
    start, end = today_bounds(rep_north)
    today_task = services.task_create(
        actor=rep_north, data={"title": "today", "due_at": end - datetime.timedelta(seconds=1)}
    )
    overdue = services.task_create(
        actor=rep_north, data={"title": "old", "due_at": start - datetime.timedelta(days=1)}
    )
    appointment = services.appointment_create(
        actor=rep_north,
        data={
            "title": "lunch",
            "start_at": start + datetime.timedelta(hours=12),
            "end_at": start + datetime.timedelta(hours=13),
        },
    )
    person = person_factory(rep_north, birthday=timezone.localdate().replace(year=1990))
    note = _log(rep_north, person, 1, "note")
    Notification.objects.create(user=rep_north, title="ping")
    day = selectors.my_day(user=rep_north)
    assert day.tasks_today == [today_task]
    assert day.tasks_overdue == [overdue]
    assert day.appointments_today == [appointment]
    assert [b.person for b in day.birthdays] == [person]
    assert day.recent_interactions == [note]
    assert [n.title for n in day.notifications] == ["ping"]
    assert selectors.unread_notification_count(user=rep_north) == 1


def test_interaction_list_of_an_organization_includes_its_people(
    rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north)
    member = person_factory(rep_north, memberships=[MembershipInput(organization_id=org.pk)])
    about_member = _log(rep_north, member, 2)
    about_org = services.interaction_create(
        actor=rep_north, data={"channel": "email", "organization_id": org.pk}
    )
    _log(rep_north, person_factory(rep_north), 1)
    found = selectors.interaction_list(user=rep_north, organization_id=org.pk)
    assert list(found) == [about_org, about_member]
    assert list(selectors.interaction_list(user=rep_north, person_id=member.pk)) == [about_member]
    assert list(selectors.interaction_list(user=rep_north, channel="email")) == [about_org]


def test_conflict_ids_never_name_an_appointment_the_user_cannot_see(
    rep_north: Any, rep_south: Any
) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    mine = services.appointment_create(
        actor=rep_north,
        data={
            "title": "Mine",
            "start_at": start,
            "end_at": start + datetime.timedelta(hours=1),
            "attendee_ids": [rep_south.pk],
        },
    )
    theirs = services.appointment_create(
        actor=rep_south,
        data={"title": "Theirs", "start_at": start, "end_at": start + datetime.timedelta(hours=1)},
    )
    assert selectors.appointment_conflict_ids(user=rep_north, appointments=[mine]) == {mine.pk: []}
    assert selectors.appointment_conflict_ids(user=rep_south, appointments=[theirs])[theirs.pk] == [
        mine.pk
    ]
