"""Canned answers: kept by admins and managers, their merge fields filled in for a
ticket in a sandbox (no template code from users reaches anything), offered by the
ticket's language and queue, inserted into the reply box; and /api/v1/canned-answers,
the kind's API (the permission matrix, CRUD and bad input of every kind are the
generic tests' in core/tests/test_kinds_*.py, from tests/factories.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.models import AuditEntry
from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    fields,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.service.models import CannedAnswer
from clientela.service.selectors.canned import canned_answer_get, canned_answers_for
from clientela.service.services import tickets as services
from clientela.service.services.canned import (
    canned_answer_create,
    canned_answer_delete,
    canned_answer_update,
    render_canned,
)
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

HELLO = (
    "Hola {{ customer_first_name }}, sobre {{ ticket_number }}: lo resolvemos. "
    "{{ agent_first_name }}"
)
URL = "/api/v1/canned-answers"
READ_WRITE = ("service:read", "service:write")
#: Template code that must never run: refused when saved (422 on ``body`` in the API),
#: and shown as typed, not run, should such a text reach the table some other way.
HOSTILE = [
    "{{ customer_name.__class__.__mro__ }}",
    "{{ ''.__class__.__subclasses__() }}",
    "{% load static %}{% for x in range(10**9) %}{% endfor %}{{ unknown_field }}",
    "{{ customer_name ",
    "{{ settings.SECRET_KEY }}",
    "{# hidden #}",
]


@pytest.fixture
def ticket(admin: Any, person_factory: Any) -> Any:
    lucia = person_factory(admin, first_name="Lucía", preferred_language="es")
    return services.ticket_create(actor=admin, data={"subject": "Tapa rota", "person_id": lucia.pk})


def test_merge_fields_are_filled_in_for_the_ticket(admin: Any, ticket: Any) -> None:
    answer = canned_answer_create(
        actor=admin, data={"title": "Hola", "body": HELLO, "language": "es"}
    )
    text = render_canned(answer, ticket=ticket, agent=admin)
    assert text == f"Hola Lucía, sobre {ticket.label}: lo resolvemos. alice_admin"


@pytest.mark.parametrize("body", HOSTILE)
def test_template_code_is_refused_when_saved(admin: Any, body: str) -> None:
    with pytest.raises(ValidationError) as refused:
        canned_answer_create(actor=admin, data={"title": "Bad", "body": body})
    assert "body" in refused.value.message_dict
    assert not CannedAnswer.objects.exists()


def test_template_code_stored_some_other_way_is_shown_not_run(admin: Any, ticket: Any) -> None:
    """Text that reached the table without the service (an old row, a database
    import) comes out as typed: the sandbox never runs it."""
    answer = CannedAnswer.objects.create(title="Old", body="{{ ''.__class__ }} {% load x %}")
    assert render_canned(answer, ticket=ticket, agent=admin) == answer.body


def test_only_admins_and_managers_keep_them(admin: Any, rep_north: Any, manager_north: Any) -> None:
    with pytest.raises(PermissionDenied):
        canned_answer_create(actor=rep_north, data={"title": "Hi", "body": "Hello"})
    answer = canned_answer_create(actor=manager_north, data={"title": "Hi", "body": "Hello"})
    with pytest.raises(PermissionDenied):
        canned_answer_update(actor=rep_north, canned_answer=answer, data={"title": "Mine"})
    with pytest.raises(PermissionDenied):
        canned_answer_delete(actor=rep_north, canned_answer=answer)
    assert CannedAnswer.objects.get().title == "Hi"
    changed = canned_answer_update(
        actor=admin, canned_answer=answer, data={"title": "Hello", "active": False}
    )
    assert (changed.title, changed.active) == ("Hello", False)
    # An inactive answer is the keepers' alone: not found for the others.
    with pytest.raises(NotFound):
        canned_answer_get(user=rep_north, pk=answer.pk)
    assert canned_answer_get(user=manager_north, pk=answer.pk) == answer
    entry = AuditEntry.objects.filter(object_id=answer.pk, action="update").get()
    assert entry.changes == {"title": ["Hi", "Hello"], "active": ["true", "false"]}


def test_bad_input_names_the_field_and_saves_nothing(admin: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        canned_answer_create(
            actor=admin,
            data={
                "title": "x" * 101,
                "body": "Hi",
                "language": "fr",
                "queue_id": 2**70,
                "active": "yes",  # type: ignore[typeddict-item]
            },
        )
    assert set(refused.value.message_dict) == {"title", "language", "queue_id", "active"}
    assert not CannedAnswer.objects.exists()


def test_offered_by_language_and_queue(admin: Any, rep_north: Any, ticket: Any) -> None:
    queue = make_queue()
    other = make_queue("Other")

    def save(title: str, **data: Any) -> CannedAnswer:
        return canned_answer_create(
            actor=admin, data=cast(Any, {"title": title, "body": "x", **data})
        )

    anywhere = save("A")
    spanish = save("B", language="es")
    save("C", language="en")
    save("D", queue_id=other.pk)
    mine = save("E", queue_id=queue.pk)
    save("F", active=False)
    assert list(canned_answers_for(user=rep_north, ticket=ticket)) == [anywhere, spanish]
    moved = services.ticket_update(actor=admin, ticket=ticket, data={"queue_id": queue.pk})
    assert list(canned_answers_for(user=admin, ticket=moved)) == [anywhere, spanish, mine]


def test_the_pages(client: Client, admin: Any, rep_north: Any, rep_south: Any, ticket: Any) -> None:
    answer = canned_answer_create(actor=admin, data={"title": "Hola", "body": HELLO})
    client.force_login(rep_north)
    assert client.get("/tickets/canned-answers/").status_code == 404
    assert client.get(f"/tickets/canned-answers/{answer.pk}/").status_code == 404
    # Inserting works for whoever works on the ticket, and only them.
    assert client.get(f"/tickets/{ticket.pk}/canned/", {"answer": answer.pk}).status_code == 200
    client.force_login(rep_south)
    assert client.get(f"/tickets/{ticket.pk}/canned/", {"answer": answer.pk}).status_code == 404
    client.force_login(admin)
    page = client.get("/tickets/canned-answers/").content.decode()
    assert "Hola" in page
    bad = client.post(
        "/tickets/canned-answers/", {"title": "x", "body": "{{ nope }}", "active": "on"}
    )
    assert "is not a merge field" in bad.content.decode()
    assert CannedAnswer.objects.count() == 1
    edited = client.post(
        f"/tickets/canned-answers/{answer.pk}/",
        {"title": "Hola de nuevo", "body": HELLO, "active": "on"},
    )
    assert edited.status_code == 302
    answer.refresh_from_db()
    assert answer.title == "Hola de nuevo"
    inserted = client.get(
        f"/tickets/{ticket.pk}/canned/", {"answer": str(answer.pk), "body": "Typed first."}
    ).content.decode()
    assert "Typed first.\n\nHola Lucía" in inserted
    assert f'value="{answer.pk}"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    client.post(f"/tickets/canned-answers/{answer.pk}/", {"delete": "1"})
    assert not CannedAnswer.objects.exists()


# --- the API ----------------------------------------------------------------------------


@pytest.fixture
def boss(admin: Any) -> Api:
    return Api(admin, READ_WRITE)


def test_api_round_trip(boss: Api) -> None:
    queue = make_queue()
    made = boss.post(URL, {"title": "Hola", "body": HELLO, "language": "es", "queue_id": queue.pk})
    assert made.status_code == 201, made.content
    body = made.json()
    assert set(body) == {
        "id",
        "title",
        "body",
        "language",
        "queue_id",
        "active",
        "created_at",
        "updated_at",
    }
    assert (body["language"], body["queue_id"], body["active"]) == ("es", queue.pk, True)
    url = f"{URL}/{body['id']}"
    changed = boss.patch(url, {"queue_id": None, "active": False})
    assert (changed.json()["queue_id"], changed.json()["active"]) == (None, False)
    assert changed.json()["title"] == "Hola"
    assert boss.get(url).json()["body"] == HELLO
    assert boss.delete(url).status_code == 204
    assert not CannedAnswer.objects.exists()


def test_api_created_answer_fills_its_merge_fields(boss: Api, admin: Any, ticket: Any) -> None:
    made = boss.post(URL, {"title": "Hola", "body": HELLO})
    answer = CannedAnswer.objects.get(pk=made.json()["id"])
    text = render_canned(answer, ticket=ticket, agent=admin)
    assert text == f"Hola Lucía, sobre {ticket.label}: lo resolvemos. alice_admin"


@pytest.mark.parametrize("body", HOSTILE)
def test_api_refuses_template_code_naming_body(boss: Api, body: str) -> None:
    refused = boss.post(URL, {"title": "Bad", "body": body})
    assert refused.status_code == 422, refused.content
    assert fields(refused) == {"body"}
    assert not CannedAnswer.objects.exists()


def test_api_bad_input_is_422_and_saves_nothing(boss: Api, admin: Any) -> None:
    answer = canned_answer_create(actor=admin, data={"title": "Hi", "body": "Hello"})
    for bad, field in (
        ({"title": "   ", "body": "x"}, "title"),
        ({"title": "x", "body": "x", "language": "fr"}, "language"),
        ({"title": "x", "body": "x", "queue_id": 999999}, "queue_id"),
        ({"title": "x", "body": "x", "active": "yes"}, "active"),
        ({"title": "x" * 101, "body": "x"}, "title"),
        ({"title": "x", "body": "x", "colour": "red"}, "colour"),
    ):
        refused = boss.post(URL, bad)
        assert refused.status_code == 422, (bad, refused.content)
        assert field in fields(refused), (bad, refused.json())
    assert boss.patch(f"{URL}/{answer.pk}", {"body": "{{ nope }}"}).status_code == 422
    assert list(CannedAnswer.objects.values_list("title", "body")) == [("Hi", "Hello")]


def test_api_list_filters(boss: Api, admin: Any, rep_north: Any) -> None:
    queue, other = make_queue(), make_queue("Other")

    def save(title: str, **data: Any) -> int:
        data = {"title": title, "body": f"Text of {title}", **data}
        return canned_answer_create(actor=admin, data=cast(Any, data)).pk

    anywhere = save("Anywhere")
    spanish = save("Spanish", language="es")
    english = save("English", language="en")
    queued = save("Queued", queue_id=queue.pk)
    elsewhere = save("Elsewhere", queue_id=other.pk)
    retired = save("Retired", active=False)

    def listed(api: Api, **params: Any) -> list[int]:
        response = api.get(URL, params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert listed(boss) == [anywhere, elsewhere, english, queued, retired, spanish]
    assert listed(boss, language="es", queue_id=queue.pk) == [anywhere, queued, retired, spanish]
    assert listed(boss, q="text of span") == [spanish]
    assert listed(boss, queue_id=other.pk, language="en") == [anywhere, elsewhere, english, retired]
    # Agents read the active answers only, and change none (403: they can see them).
    rep = Api(rep_north, READ_WRITE)
    assert retired not in listed(rep)
    assert rep.get(f"{URL}/{retired}").status_code == 404
    assert rep.get(f"{URL}/{spanish}").status_code == 200
    assert rep.patch(f"{URL}/{spanish}", {"title": "Mine"}).status_code == 403
    assert rep.post(URL, {"title": "Mine", "body": "x"}).status_code == 403
    assert rep.delete(f"{URL}/{spanish}").status_code == 403
    assert CannedAnswer.objects.count() == 6
    assert boss.get(URL, {"language": "fr"}).status_code == 422
    assert Api(rep_north, ("sales:read",)).get(URL).status_code == 403


schema = openapi_schema(r"^/api/v1/canned-answers")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    make_queue()
    canned_answer_create(actor=admin, data={"title": "Hola", "body": HELLO, "language": "es"})
    with kept_test_connection():
        yield schema_token(admin, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_canned_answers_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
