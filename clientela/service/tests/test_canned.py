"""Canned answers: kept by admins and managers, their merge fields filled in for a
ticket in a sandbox (no template code from users reaches anything), offered by the
ticket's language and queue, inserted into the reply box."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.core.errors import NotFound
from clientela.service.models import CannedAnswer
from clientela.service.selectors.canned import canned_answers_for
from clientela.service.services import tickets as services
from clientela.service.services.canned import canned_answer_save, render_canned
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

HELLO = (
    "Hola {{ customer_first_name }}, sobre {{ ticket_number }}: lo resolvemos. "
    "{{ agent_first_name }}"
)


@pytest.fixture
def ticket(admin: Any, person_factory: Any) -> Any:
    lucia = person_factory(admin, first_name="Lucía", preferred_language="es")
    return services.ticket_create(actor=admin, data={"subject": "Tapa rota", "person_id": lucia.pk})


def test_merge_fields_are_filled_in_for_the_ticket(admin: Any, ticket: Any) -> None:
    answer = canned_answer_save(
        actor=admin, data={"title": "Hola", "body": HELLO, "language": "es"}
    )
    text = render_canned(answer, ticket=ticket, agent=admin)
    assert text == f"Hola Lucía, sobre {ticket.label}: lo resolvemos. alice_admin"


@pytest.mark.parametrize(
    "body",
    [
        "{{ customer_name.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{% for x in range(10**9) %}{% endfor %}{{ unknown_field }}",
        "{{ customer_name ",
        "{{ settings.SECRET_KEY }}",
    ],
)
def test_template_code_is_refused_when_saved(admin: Any, body: str) -> None:
    with pytest.raises(ValidationError) as refused:
        canned_answer_save(actor=admin, data={"title": "Bad", "body": body})
    assert "body" in refused.value.message_dict
    assert not CannedAnswer.objects.exists()


def test_only_admins_and_managers_keep_them(rep_north: Any, manager_north: Any) -> None:
    with pytest.raises(NotFound):
        canned_answer_save(actor=rep_north, data={"title": "Hi", "body": "Hello"})
    assert canned_answer_save(actor=manager_north, data={"title": "Hi", "body": "Hello"}).pk


def test_offered_by_language_and_queue(admin: Any, ticket: Any) -> None:
    queue = make_queue()
    other = make_queue("Other")
    save = canned_answer_save
    anywhere = save(actor=admin, data={"title": "A", "body": "x"})
    spanish = save(actor=admin, data={"title": "B", "body": "x", "language": "es"})
    save(actor=admin, data={"title": "C", "body": "x", "language": "en"})
    save(actor=admin, data={"title": "D", "body": "x", "queue_id": other.pk})
    mine = save(actor=admin, data={"title": "E", "body": "x", "queue_id": queue.pk})
    save(actor=admin, data={"title": "F", "body": "x", "active": False})
    assert list(canned_answers_for(ticket=ticket)) == [anywhere, spanish]
    moved = services.ticket_update(actor=admin, ticket=ticket, data={"queue_id": queue.pk})
    assert list(canned_answers_for(ticket=moved)) == [anywhere, spanish, mine]


def test_the_pages(client: Client, admin: Any, rep_north: Any, rep_south: Any, ticket: Any) -> None:
    answer = canned_answer_save(actor=admin, data={"title": "Hola", "body": HELLO})
    client.force_login(rep_north)
    assert client.get("/tickets/canned-answers/").status_code == 404
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
    inserted = client.get(
        f"/tickets/{ticket.pk}/canned/", {"answer": str(answer.pk), "body": "Typed first."}
    ).content.decode()
    assert "Typed first.\n\nHola Lucía" in inserted
    assert f'value="{answer.pk}"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    client.post(f"/tickets/canned-answers/{answer.pk}/", {"delete": "1"})
    assert not CannedAnswer.objects.exists()
