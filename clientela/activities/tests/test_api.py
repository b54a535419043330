"""The activities REST API (/api/v1/interactions, /tasks, /appointments) through the
real URL conf and middleware: CRUD, bad input, permissions, versions, idempotency."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clientela.activities.models import Appointment, Interaction, Reminder, Task
from clientela.core.models import AuditEntry
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db

INTERACTIONS, TASKS, APPOINTMENTS = "/api/v1/interactions", "/api/v1/tasks", "/api/v1/appointments"
READ_WRITE = ("activities:read", "activities:write")


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def soon(hours: float = 24) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


@pytest.fixture
def south(rep_south: Any) -> Api:
    return Api(rep_south, READ_WRITE)


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz")


@pytest.fixture
def acme(rep_north: Any, organization_factory: Any) -> Any:
    return organization_factory(rep_north, name="Acme")


def call_body(**extra: Any) -> dict[str, Any]:
    return {
        "channel": "call",
        "direction": "in",
        "occurred_at": "2025-03-01T09:30:00+01:00",
        "subject": "Asked for a quote",
        **extra,
    }


# --- interactions ---------------------------------------------------------------------


def test_interaction_round_trip(north: Api, rep_north: Any, ana: Any, acme: Any) -> None:
    body = call_body(
        duration_minutes=12,
        body="Wants 40 chairs.",
        outcome="Quote by Friday",
        person_ids=[ana.pk],
        organization_id=acme.pk,
    )
    created = north.post(INTERACTIONS, body)
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    data = created.json()
    assert (
        data
        | {
            "channel": "call",
            "direction": "in",
            "occurred_at": "2025-03-01T08:30:00Z",
            "duration_minutes": 12,
            "subject": "Asked for a quote",
            "body": "Wants 40 chairs.",
            "outcome": "Quote by Friday",
            "is_private": False,
            "person_ids": [ana.pk],
            "organization_id": acme.pk,
            "owner": {"id": rep_north.pk, "username": rep_north.username},
            "attachments": [],
            "version": 1,
        }
        == data
    )
    fetched = north.get(f"{INTERACTIONS}/{data['id']}")
    assert fetched.status_code == 200
    assert fetched["ETag"] == '"1"'
    assert fetched.json() == data


def test_interaction_patch_changes_only_what_was_sent_and_delete_trashes(
    north: Api, ana: Any
) -> None:
    interaction_id = north.post(INTERACTIONS, call_body(person_ids=[ana.pk])).json()["id"]
    patched = north.patch(f"{INTERACTIONS}/{interaction_id}", {"outcome": "Won"})
    assert patched.status_code == 200, patched.content
    data = patched.json()
    assert (data["outcome"], data["subject"], data["person_ids"], data["version"]) == (
        "Won",
        "Asked for a quote",
        [ana.pk],
        2,
    )
    assert patched["ETag"] == '"2"'
    assert north.delete(f"{INTERACTIONS}/{interaction_id}").status_code == 204
    assert north.get(f"{INTERACTIONS}/{interaction_id}").status_code == 404
    assert north.delete(f"{INTERACTIONS}/{interaction_id}").status_code == 404
    assert Interaction.objects.get().deleted_at is not None


def test_writes_are_audited_as_coming_from_the_api(north: Api, rep_north: Any) -> None:
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    north.patch(f"{INTERACTIONS}/{interaction_id}", {"subject": "Changed"})
    north.delete(f"{INTERACTIONS}/{interaction_id}")
    entries = AuditEntry.objects.filter(object_id=interaction_id)
    assert sorted(entries.values_list("action", "interface")) == [
        ("create", "api"),
        ("delete", "api"),
        ("update", "api"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "channel"),
        ({"channel": None}, "channel"),
        (call_body(channel="fax"), "channel"),
        (call_body(direction="sideways"), "direction"),
        (call_body(occurred_at="2025-03-01T09:30:00"), "occurred_at"),
        (call_body(occurred_at="yesterday"), "occurred_at"),
        (call_body(occurred_at=1740000000), "occurred_at"),
        (call_body(subject="s" * 201), "subject"),
        (call_body(body="b" * 20001), "body"),
        (call_body(subject=123), "subject"),
        (call_body(duration_minutes=-5), "duration_minutes"),
        (call_body(duration_minutes="long"), "duration_minutes"),
        (call_body(person_ids=[999999]), "person_ids"),
        (call_body(person_ids="1"), "person_ids"),
        (call_body(person_ids=None), "person_ids"),
        (call_body(organization_id=999999), "organization_id"),
        (call_body(organization_id=0), "organization_id"),
        (call_body(is_private="maybe"), "is_private"),
        (call_body(subjet="typo"), "subjet"),
    ],
)
def test_bad_interaction_input_is_422_naming_the_field_and_saves_nothing(
    north: Api, body: dict[str, Any], field: str
) -> None:
    response = north.post(INTERACTIONS, body)
    assert response.status_code == 422, response.content
    assert field in fields(response), response.json()
    assert response.json()["detail"]
    assert not Interaction.objects.exists()


def test_people_and_organizations_of_another_team_cannot_be_linked(
    north: Api, rep_south: Any, person_factory: Any, organization_factory: Any
) -> None:
    southerner = person_factory(rep_south)
    southco = organization_factory(rep_south)
    response = north.post(
        INTERACTIONS, call_body(person_ids=[southerner.pk], organization_id=southco.pk)
    )
    assert response.status_code == 422
    assert fields(response) >= {"person_ids", "organization_id"}
    assert not Interaction.objects.exists()


def test_private_interaction_is_seen_only_by_its_author_and_admins(
    north: Api, rep_north2: Any, admin: Any, ana: Any
) -> None:
    created = north.post(INTERACTIONS, call_body(is_private=True, person_ids=[ana.pk])).json()
    url = f"{INTERACTIONS}/{created['id']}"
    colleague = Api(rep_north2, READ_WRITE)
    assert colleague.get(INTERACTIONS).json()["items"] == []
    assert colleague.get(INTERACTIONS, {"person_id": ana.pk}).json()["items"] == []
    assert colleague.get(url).status_code == 404
    assert colleague.patch(url, {"subject": "Peek"}).status_code == 404
    assert colleague.delete(url).status_code == 404
    boss = Api(admin, READ_WRITE)
    assert boss.get(url).status_code == 200
    assert [i["id"] for i in north.get(INTERACTIONS).json()["items"]] == [created["id"]]
    assert Interaction.objects.get().subject == "Asked for a quote"


def test_list_filters_by_person_organization_and_channel(
    north: Api, rep_north: Any, ana: Any, acme: Any, person_factory: Any
) -> None:
    ben = person_factory(rep_north, first_name="Ben")
    call = north.post(INTERACTIONS, call_body(person_ids=[ana.pk])).json()["id"]
    note = north.post(
        INTERACTIONS, call_body(channel="note", person_ids=[ben.pk], organization_id=acme.pk)
    ).json()["id"]

    def ids(**params: Any) -> list[int]:
        response = north.get(INTERACTIONS, params)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids(person_id=ana.pk) == [call]
    assert ids(organization_id=acme.pk) == [note]
    assert ids(channel="note") == [note]
    assert sorted(ids()) == sorted([call, note])
    assert north.get(INTERACTIONS, {"channel": "fax"}).status_code == 422


# --- tasks ----------------------------------------------------------------------------


def test_task_round_trip_with_reminders(north: Api, rep_north: Any, ana: Any, acme: Any) -> None:
    due = soon(48)
    created = north.post(
        TASKS,
        {
            "title": "Send the quote",
            "description": "40 chairs",
            "due_at": iso(due),
            "priority": "high",
            "person_ids": [ana.pk],
            "organization_id": acme.pk,
            "reminders": [
                {"minutes_before": 15, "by_email": True},
                {"minutes_before": 1440, "by_email": False},
            ],
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["title"], data["priority"], data["status"], data["assignee_id"]) == (
        "Send the quote",
        "high",
        "open",
        rep_north.pk,
    )
    assert datetime.datetime.fromisoformat(data["due_at"]) == due
    assert data["completed_at"] is None
    assert (data["person_ids"], data["organization_id"]) == ([ana.pk], acme.pk)
    assert sorted((r["minutes_before"], r["by_email"]) for r in data["reminders"]) == [
        (15, True),
        (1440, False),
    ]
    reminder = next(r for r in data["reminders"] if r["minutes_before"] == 15)
    assert datetime.datetime.fromisoformat(reminder["remind_at"]) == due - datetime.timedelta(
        minutes=15
    )
    assert north.get(f"{TASKS}/{data['id']}").json() == data


def test_task_complete_and_status_changes(north: Api) -> None:
    task = north.post(TASKS, {"title": "Call back", "due_at": iso(soon())}).json()
    done = north.post(f"{TASKS}/{task['id']}/complete", {})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert done.json()["completed_at"] is not None
    again = north.post(f"{TASKS}/{task['id']}/complete", {})
    assert again.json()["version"] == done.json()["version"]
    reopened = north.patch(f"{TASKS}/{task['id']}", {"status": "open", "title": "Call back!"})
    assert reopened.status_code == 200, reopened.content
    assert (reopened.json()["status"], reopened.json()["title"]) == ("open", "Call back!")
    assert reopened.json()["completed_at"] is None
    cancelled = north.patch(f"{TASKS}/{task['id']}", {"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    assert north.patch(f"{TASKS}/{task['id']}", {"status": "lost"}).status_code == 422


def test_refused_edit_does_not_change_the_status_either(north: Api) -> None:
    task = north.post(TASKS, {"title": "Call back"}).json()
    response = north.patch(f"{TASKS}/{task['id']}", {"status": "done", "title": ""})
    assert response.status_code == 422
    assert "title" in fields(response)
    assert Task.objects.get().status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": ["x"]}, "title"),
        ({"title": "T", "priority": "urgent"}, "priority"),
        ({"title": "T", "due_at": "2025-13-01T00:00:00Z"}, "due_at"),
        ({"title": "T", "assignee_id": 999999}, "assignee_id"),
        ({"title": "T", "person_ids": [999999]}, "person_ids"),
        ({"title": "T", "organization_id": 999999}, "organization_id"),
        ({"title": "T", "reminders": [{"minutes_before": 15}]}, "reminders"),  # no due time
        ({"title": "T", "due_at": "HOUR", "reminders": [{"minutes_before": 120}]}, "reminders"),
        (
            {"title": "T", "due_at": "DAY", "reminders": [{"minutes_before": -10}]},
            "reminders.0.minutes_before",
        ),
        ({"title": "T", "due_at": "DAY", "reminders": [{"minutes": 10}]}, "reminders.0.minutes"),
        ({"title": "T", "due_at": "DAY", "reminders": "15"}, "reminders"),
        ({"title": "T", "status": "done"}, "status"),  # status is set by completing
    ],
)
def test_bad_task_input_is_422_and_saves_nothing(
    north: Api, body: dict[str, Any], field: str
) -> None:
    # Placeholders: due in an hour (a reminder two hours before would be past) or a day.
    if body.get("due_at") == "HOUR":
        body["due_at"] = iso(soon(1))
    elif body.get("due_at") == "DAY":
        body["due_at"] = iso(soon(24))
    response = north.post(TASKS, body)
    assert response.status_code == 422, response.content
    assert field in fields(response), response.json()
    assert not Task.objects.exists()
    assert not Reminder.objects.exists()


def test_task_cannot_be_assigned_to_another_team(north: Api, rep_south: Any) -> None:
    response = north.post(TASKS, {"title": "T", "assignee_id": rep_south.pk})
    assert response.status_code == 422
    assert "assignee_id" in fields(response)
    assert not Task.objects.exists()


def test_task_views_and_status_filter(
    north: Api, rep_north: Any, rep_north2: Any, rep_south: Any
) -> None:
    mine = north.post(TASKS, {"title": "Mine", "due_at": iso(soon())}).json()["id"]
    colleague = Api(rep_north2, READ_WRITE)
    theirs = colleague.post(TASKS, {"title": "Theirs", "due_at": iso(soon(2))}).json()["id"]
    late = north.post(TASKS, {"title": "Late"}).json()["id"]
    Task.objects.filter(pk=late).update(due_at=timezone.now() - datetime.timedelta(days=1))
    done = north.post(TASKS, {"title": "Done"}).json()["id"]
    north.post(f"{TASKS}/{done}/complete", {})
    Api(rep_south, READ_WRITE).post(TASKS, {"title": "Southern"})

    def ids(**params: Any) -> set[int]:
        response = north.get(TASKS, params)
        assert response.status_code == 200, response.content
        return {t["id"] for t in response.json()["items"]}

    assert {mine, late} <= ids(view="mine")
    assert theirs not in ids(view="mine")
    assert ids(view="team") >= {mine, theirs, late}
    assert ids(view="overdue") == {late}
    assert ids(view="all", status="done") == {done}
    assert not ids(view="all") & set(
        Task.objects.filter(team=rep_south.team).values_list("pk", flat=True)
    )
    assert north.get(TASKS, {"view": "everyone"}).status_code == 422


# --- appointments ---------------------------------------------------------------------


def meeting(start: datetime.datetime, hours: float = 1, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Visit",
        "start_at": iso(start),
        "end_at": iso(start + datetime.timedelta(hours=hours)),
        **extra,
    }


def test_appointment_round_trip_and_conflicts(
    north: Api, rep_north: Any, rep_north2: Any, ana: Any, acme: Any
) -> None:
    start = soon(24)
    created = north.post(
        APPOINTMENTS,
        meeting(
            start,
            time_zone="Europe/Madrid",
            location="Gran Vía 1",
            description="Showroom",
            attendee_ids=[rep_north.pk, rep_north2.pk],
            person_ids=[ana.pk],
            organization_id=acme.pk,
            reminders=[{"minutes_before": 30}],
        ),
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["time_zone"], data["location"], data["attendee_ids"]) == (
        "Europe/Madrid",
        "Gran Vía 1",
        sorted([rep_north.pk, rep_north2.pk]),
    )
    assert data["conflicts"] == []
    assert {r["user_id"] for r in data["reminders"]} >= {rep_north.pk, rep_north2.pk}
    # The colleague is double-booked by a second meeting half an hour later.
    other = north.post(
        APPOINTMENTS, meeting(start + datetime.timedelta(minutes=30), attendee_ids=[rep_north2.pk])
    ).json()
    assert other["conflicts"] == [data["id"]]
    assert north.get(f"{APPOINTMENTS}/{data['id']}").json()["conflicts"] == [other["id"]]
    listed = {a["id"]: a["conflicts"] for a in north.get(APPOINTMENTS).json()["items"]}
    assert listed == {data["id"]: [other["id"]], other["id"]: [data["id"]]}
    # Moved apart, the conflict is gone.
    moved = north.patch(
        f"{APPOINTMENTS}/{other['id']}",
        {
            "start_at": iso(start + datetime.timedelta(hours=3)),
            "end_at": iso(start + datetime.timedelta(hours=4)),
        },
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["conflicts"] == []
    assert north.delete(f"{APPOINTMENTS}/{other['id']}").status_code == 204
    assert north.get(f"{APPOINTMENTS}/{other['id']}").status_code == 404


def test_appointment_list_window(north: Api) -> None:
    base = soon(24)
    early = north.post(APPOINTMENTS, meeting(base)).json()["id"]
    late = north.post(APPOINTMENTS, meeting(base + datetime.timedelta(days=3))).json()["id"]

    def ids(**params: Any) -> list[int]:
        response = north.get(APPOINTMENTS, params)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["items"]]

    assert ids() == [early, late]
    window = {
        "start": iso(base - datetime.timedelta(hours=1)),
        "end": iso(base + datetime.timedelta(days=1)),
    }
    assert ids(**window) == [early]
    assert ids(start=iso(base + datetime.timedelta(days=2))) == [late]
    assert north.get(APPOINTMENTS, {"start": "soon"}).status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_at": "START"}, "end_at"),  # ends when it starts
        ({"end_at": "BEFORE"}, "end_at"),
        ({"start_at": None}, "start_at"),
        ({"title": ""}, "title"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "z" * 65}, "time_zone"),
        ({"location": "l" * 301}, "location"),
        ({"attendee_ids": [999999]}, "attendee_ids"),
        ({"attendee_ids": ["me"]}, "attendee_ids.0"),
        ({"person_ids": [999999]}, "person_ids"),
        ({"reminders": [{"minutes_before": 60 * 24 * 3}]}, "reminders"),  # before now
        ({"reminders": [{"minutes_before": 15, "by_email": "often"}]}, "reminders.0.by_email"),
    ],
)
def test_bad_appointment_input_is_422_and_saves_nothing(
    north: Api, change: dict[str, Any], field: str
) -> None:
    start = soon(24)
    body = meeting(start) | change
    if body["end_at"] == "START":
        body["end_at"] = iso(start)
    elif body["end_at"] == "BEFORE":
        body["end_at"] = iso(start - datetime.timedelta(hours=1))
    response = north.post(APPOINTMENTS, body)
    assert response.status_code == 422, response.content
    assert field in fields(response), response.json()
    assert not Appointment.objects.exists()
    assert not Reminder.objects.exists()


# --- tokens, scopes, permissions, versions, idempotency -------------------------------


def test_bad_or_missing_token_is_401(north: Api) -> None:
    task_id = north.post(TASKS, {"title": "T"}).json()["id"]
    client = Client()
    for headers in ({}, {"Authorization": "Bearer clt_forged"}):
        for url in (INTERACTIONS, TASKS, APPOINTMENTS, f"{TASKS}/{task_id}"):
            assert client.get(url, headers=headers).status_code == 401
        response = client.post(
            TASKS, '{"title": "X"}', content_type="application/json", headers=headers
        )
        assert response.status_code == 401
        assert response.json()["detail"]
    assert Task.objects.count() == 1


def test_missing_scope_is_403_naming_it(rep_north: Any, north: Api) -> None:
    task_id = north.post(TASKS, {"title": "T"}).json()["id"]
    reader = Api(rep_north, ("activities:read",))
    contacts_only = Api(rep_north, ("contacts:read", "contacts:write"))
    for response in (
        reader.post(INTERACTIONS, call_body()),
        reader.post(TASKS, {"title": "X"}),
        reader.post(APPOINTMENTS, meeting(soon())),
        reader.patch(f"{TASKS}/{task_id}", {"title": "X"}),
        reader.post(f"{TASKS}/{task_id}/complete", {}),
        reader.delete(f"{TASKS}/{task_id}"),
    ):
        assert response.status_code == 403
        assert response.json()["required_scope"] == "activities:write"
    for url in (INTERACTIONS, TASKS, APPOINTMENTS, f"{TASKS}/{task_id}"):
        response = contacts_only.get(url)
        assert response.status_code == 403
        assert response.json()["required_scope"] == "activities:read"
    task = Task.objects.get()
    assert (task.title, task.status, task.version, task.deleted_at) == ("T", "open", 1, None)


def test_rep_north_cannot_see_or_change_rep_souths_activities(north: Api, south: Api) -> None:
    records = {
        INTERACTIONS: south.post(INTERACTIONS, call_body()).json()["id"],
        TASKS: south.post(TASKS, {"title": "Southern"}).json()["id"],
        APPOINTMENTS: south.post(APPOINTMENTS, meeting(soon())).json()["id"],
    }
    for base, record_id in records.items():
        assert north.get(base, {"view": "all"} if base == TASKS else {}).json()["items"] == []
        url = f"{base}/{record_id}"
        assert north.get(url).status_code == 404
        assert (
            north.patch(url, {"subject" if base == INTERACTIONS else "title": "X"}).status_code
            == 404
        )
        assert north.delete(url).status_code == 404
    assert north.post(f"{TASKS}/{records[TASKS]}/complete", {}).status_code == 404
    assert Task.objects.get().status == "open"
    assert not Interaction.objects.filter(deleted_at__isnull=False).exists()
    assert not Appointment.objects.filter(deleted_at__isnull=False).exists()


def test_reader_can_read_but_not_write(reader: Any, south: Api) -> None:
    records = {
        INTERACTIONS: south.post(INTERACTIONS, call_body()).json()["id"],
        TASKS: south.post(TASKS, {"title": "Southern"}).json()["id"],
        APPOINTMENTS: south.post(APPOINTMENTS, meeting(soon())).json()["id"],
    }
    api = Api(reader, READ_WRITE)
    assert api.post(TASKS, {"title": "New"}).status_code == 403
    assert api.post(INTERACTIONS, call_body()).status_code == 403
    assert api.patch(f"{TASKS}/{records[TASKS]}", {"title": "X"}).status_code == 403
    assert Task.objects.count() == 1
    for base, record_id in records.items():
        listed = api.get(base, {"view": "all"} if base == TASKS else {}).json()["items"]
        assert [r["id"] for r in listed] == [record_id]
        assert api.get(f"{base}/{record_id}").status_code == 200


@pytest.mark.parametrize("base", [INTERACTIONS, TASKS, APPOINTMENTS])
def test_stale_version_is_412_and_changes_nothing(north: Api, base: str) -> None:
    body = (
        call_body()
        if base == INTERACTIONS
        else meeting(soon())
        if base == APPOINTMENTS
        else {"title": "T"}
    )
    text = "subject" if base == INTERACTIONS else "title"
    record_id = north.post(base, body).json()["id"]
    url = f"{base}/{record_id}"
    assert north.patch(url, {text: "Second"}, HTTP_IF_MATCH='"1"').status_code == 200
    stale = north.patch(url, {text: "Overwrite"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert north.patch(url, {text: "Overwrite", "version": 1}).status_code == 412
    assert north.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert north.delete(url, {"version": 1}).status_code == 412
    current = north.get(url)
    assert (current.json()[text], current["ETag"]) == ("Second", '"2"')
    assert north.patch(url, {text: "Third"}, HTTP_IF_MATCH='"2"').status_code == 200


@pytest.mark.parametrize("base", [INTERACTIONS, TASKS, APPOINTMENTS])
def test_idempotent_post_creates_once(north: Api, base: str) -> None:
    body = (
        call_body()
        if base == INTERACTIONS
        else meeting(soon())
        if base == APPOINTMENTS
        else {"title": "T"}
    )
    first = north.post(base, body, HTTP_IDEMPOTENCY_KEY="once")
    second = north.post(base, body, HTTP_IDEMPOTENCY_KEY="once")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first["ETag"] == second["ETag"] == '"1"'
    model = {INTERACTIONS: Interaction, TASKS: Task, APPOINTMENTS: Appointment}[base]
    assert model.objects.count() == 1
    north.post(base, body)
    assert model.objects.count() == 2


@pytest.mark.parametrize("record_id", ["999999", "0", "abc"])
def test_unknown_ids_are_404_or_422(north: Api, record_id: str) -> None:
    for base in (INTERACTIONS, TASKS, APPOINTMENTS):
        url = f"{base}/{record_id}"
        statuses = {
            north.get(url).status_code,
            north.patch(url, {}).status_code,
            north.delete(url).status_code,
        }
        assert statuses == ({404} if record_id == "999999" else {422})
