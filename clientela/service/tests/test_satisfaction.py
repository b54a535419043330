"""Satisfaction surveys: the "How did we do?" e-mail once a ticket is solved, and the
customer's public pages behind its signed one-click links (good, reused, tampered,
expired, wrong score, unknown)."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from clientela.core.errors import NotFound
from clientela.core.testing.api import Api
from clientela.service.choices import TicketStatus
from clientela.service.models import RatingInvitation, ServiceSettings, Ticket, TicketRating
from clientela.service.services import satisfaction
from clientela.service.services import tickets as services
from clientela.service.services.config import service_settings_update
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"(http://\S+/rate/[^/\s]+/)")


@pytest.fixture
def customer(person_factory: Any, admin: Any) -> Any:
    return person_factory(
        admin, first_name="Lucía", email="lucia@example.com", preferred_language="es"
    )


def _solve(actor: Any, ticket: Ticket) -> Ticket:
    return services.ticket_set_status(actor=actor, ticket=ticket, status=TicketStatus.SOLVED)


def _links(mail: Any) -> list[str]:
    return [urlsplit(url).path for url in LINK.findall(mail.get_content())]


def _solved_with_links(
    admin: Any, customer: Any, smtp_server: Any, settings: Any, **data: Any
) -> tuple[Ticket, list[str]]:
    smtp_server.use(settings)
    fields = {"subject": "Pedido roto", "person_id": customer.pk, **data}
    ticket = services.ticket_create(actor=admin, data=cast(services.TicketData, fields))
    _solve(admin, ticket)
    [mail] = smtp_server.messages
    return ticket, _links(mail)


# --- the e-mail --------------------------------------------------------------------------


def test_solving_emails_the_survey_once_in_the_customers_language(
    admin: Any, rep_north: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    queue = make_queue(agents=[rep_north])
    ticket = services.ticket_create(
        actor=admin,
        data={"subject": "Pedido roto", "person_id": customer.pk, "queue_id": queue.pk},
    )
    services.ticket_assign(actor=admin, ticket=ticket, assignee_id=rep_north.pk)
    assert smtp_server.messages == []
    _solve(admin, ticket)
    [mail] = smtp_server.messages
    assert mail["To"] == "lucia@example.com"
    assert mail["Subject"] == f"[{ticket.label}] ¿Qué tal lo hicimos?"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert len(_links(mail)) == 5
    assert "Hola, Lucía:" in mail.get_content()
    invitation = RatingInvitation.objects.get(ticket=ticket)
    assert (invitation.agent_id, invitation.queue_id, invitation.language) == (
        rep_north.pk,
        queue.pk,
        "es",
    )
    assert invitation.sent_at is not None
    # Reopened and solved again: not asked twice.
    services.ticket_set_status(actor=admin, ticket=ticket, status=TicketStatus.OPEN)
    _solve(admin, ticket)
    assert len(smtp_server.messages) == 1


def test_no_survey_without_an_address_when_turned_off_or_merged(
    admin: Any, customer: Any, person_factory: Any, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    nobody = person_factory(admin, first_name="Sin correo")
    _solve(
        admin, services.ticket_create(actor=admin, data={"subject": "A", "person_id": nobody.pk})
    )
    _solve(admin, services.ticket_create(actor=admin, data={"subject": "No customer"}))
    duplicate = services.ticket_create(actor=admin, data={"subject": "B", "person_id": customer.pk})
    kept = services.ticket_create(actor=admin, data={"subject": "C", "person_id": customer.pk})
    services.ticket_merge(actor=admin, ticket=duplicate, into=kept)
    assert satisfaction.rating_invite(duplicate.pk) is None
    ServiceSettings.objects.filter(pk=ServiceSettings.load().pk).update(csat_enabled=False)
    _solve(admin, kept)
    assert smtp_server.messages == []
    assert not RatingInvitation.objects.exists()


def test_the_survey_waits_for_the_commit(admin: Any, customer: Any, smtp_server: Any) -> None:
    """A solve rolled back sends nothing."""
    ticket = services.ticket_create(actor=admin, data={"subject": "Q", "person_id": customer.pk})

    def solve_then_fail() -> None:
        with transaction.atomic():
            _solve(admin, ticket)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        solve_then_fail()
    assert not RatingInvitation.objects.exists()


# --- the customer's pages ----------------------------------------------------------------


def test_a_click_rates_at_once_and_the_comment_follows(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(links[3])
    assert page.status_code == 200
    assert page["Content-Language"] == "es"
    assert "¡Gracias por su valoración!" in page.content.decode()
    rating = TicketRating.objects.get(ticket=ticket)
    assert (rating.score, rating.language) == (4, "es")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    comment_url = reverse("service:rate-comment", args=[links[3].split("/")[2]])
    refused = visitor.post(comment_url, {"comment": "Rápido"})  # no CSRF token
    assert refused.status_code == 403
    sent = visitor.post(comment_url, {"comment": "  Rápido y amable  ", **_csrf(token)})
    assert sent.status_code == 200
    assert "¡Gracias por su comentario!" in sent.content.decode()
    rating.refresh_from_db()
    assert rating.comment == "Rápido y amable"
    again = visitor.post(comment_url, {"comment": "Otra vez", **_csrf(token)})
    assert again.status_code == 400
    rating.refresh_from_db()
    assert rating.comment == "Rápido y amable"


def _csrf(match: Any) -> dict[str, str]:
    return {"csrfmiddlewaretoken": match.group(1)}


def test_a_second_click_says_already_rated_and_changes_nothing(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    _ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    Client().get(links[4])
    for link in (links[4], links[0]):
        page = Client().get(link)
        assert page.status_code == 200
        assert "Ya ha valorado este ticket" in page.content.decode()
    assert list(TicketRating.objects.values_list("score", flat=True)) == [5]
    # The comment may still be added from the same e-mail, while the links work.
    assert 'name="comment"' in page.content.decode()


def test_a_tampered_link_is_a_400_and_saves_nothing(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    _ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    token = links[0].split("/")[2]
    payload = signing.loads(token, salt=satisfaction.SALT)
    forged = signing.dumps({**payload, "s": 5}, salt="another salt", compress=True)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x"):
        page = Client().get(reverse("service:rate", args=[bad]))
        assert page.status_code == 400
        assert "no es válido" in page.content.decode() or "not valid" in page.content.decode()
    assert not TicketRating.objects.exists()


def test_a_wrong_score_is_refused(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    ticket, _unused = _solved_with_links(admin, customer, smtp_server, settings)
    invitation = RatingInvitation.objects.get(ticket=ticket)
    for score in (0, 6, "5"):
        token = signing.dumps(
            {"t": ticket.pk, "s": score, "n": invitation.nonce}, salt=satisfaction.SALT
        )
        page = Client().get(reverse("service:rate", args=[token]))
        assert page.status_code == 400
    assert not TicketRating.objects.exists()


def test_an_expired_link_is_a_400_and_saves_nothing(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    invitation = RatingInvitation.objects.get(ticket=ticket)
    # The links of an invitation made 15 days ago (they work 14 by default).
    fixed = invitation.created_at - datetime.timedelta(days=15)
    RatingInvitation.objects.filter(pk=invitation.pk).update(created_at=fixed)
    page = Client().get(links[2])
    assert page.status_code == 400
    assert "ha caducado" in page.content.decode()
    assert not TicketRating.objects.exists()
    # Made valid for 30 days, the same link works again.
    ServiceSettings.objects.filter(pk=ServiceSettings.load().pk).update(csat_valid_days=30)
    assert Client().get(links[2]).status_code == 200
    assert TicketRating.objects.get().score == 3


def test_a_link_of_a_deleted_ticket_is_a_404(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    services.ticket_trash(actor=admin, ticket=ticket)
    page = Client().get(links[0])
    assert page.status_code == 404
    assert not TicketRating.objects.exists()


def test_an_enormous_or_empty_comment_is_refused(
    admin: Any, customer: Any, smtp_server: Any, settings: Any
) -> None:
    ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    Client().get(links[1])
    token = links[1].split("/")[2]
    url = reverse("service:rate-comment", args=[token])
    for comment in ("   ", "x" * 2001):
        answer = Client().post(url, {"comment": comment})
        assert answer.status_code == 400
    assert TicketRating.objects.get(ticket=ticket).comment == ""


def test_the_ticket_page_and_the_api_show_the_rating(
    admin: Any, customer: Any, smtp_server: Any, settings: Any, client: Any
) -> None:
    ticket, links = _solved_with_links(admin, customer, smtp_server, settings)
    Client().get(links[4])
    client.force_login(admin)
    page = client.get(reverse("service:ticket-detail", args=[ticket.pk])).content.decode()
    assert 'id="ticket-rating"' in page
    assert "5 of 5" in page
    body = Api(admin, ("service:read",)).get(f"/api/v1/tickets/{ticket.pk}").json()
    assert body["rating"]["score"] == 5


def test_the_survey_settings_refuse_bad_input(admin: Any, rep_north: Any) -> None:
    for bad, field in (
        ({"csat_valid_days": 0}, "csat_valid_days"),
        ({"csat_valid_days": 91}, "csat_valid_days"),
        ({"csat_valid_days": "7"}, "csat_valid_days"),
        ({"csat_enabled": "yes"}, "csat_enabled"),
    ):
        with pytest.raises(ValidationError) as caught:
            service_settings_update(actor=admin, data=bad)  # type: ignore[arg-type]
        assert set(caught.value.message_dict) == {field}
    with pytest.raises(NotFound):
        service_settings_update(actor=rep_north, data={"csat_enabled": False})
    change = {"csat_enabled": False, "csat_valid_days": 30}
    saved = service_settings_update(actor=admin, data=change)  # type: ignore[arg-type]
    assert (saved.csat_enabled, saved.csat_valid_days) == (False, 30)
