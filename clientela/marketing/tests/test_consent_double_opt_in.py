"""Double opt-in: the confirmation e-mail over a real SMTP server on loopback, in the
person's language; nothing counts as consent before the click; the public page
(no login) confirms once; a tampered, expired or voided link is a clear 404 page."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from clientela.contacts.models import Person
from clientela.marketing.models import ConsentEvent, ConsentState
from clientela.marketing.selectors.consent import consented_q
from clientela.marketing.services import consent as services

pytestmark = pytest.mark.django_db
LINK = re.compile(r"(http://\S+/consent/confirm/[^/\s]+/)")


@pytest.fixture
def lucia(person_factory: Any, rep_north: Any) -> Any:
    return person_factory(
        rep_north, first_name="Lucía", email="lucia@example.com", preferred_language="es"
    )


def _grant(actor: Any, person: Any) -> ConsentEvent:
    return services.consent_record(
        actor=actor,
        person=person,
        purpose="newsletter",
        channel="email",
        granted=True,
        source="form",
        legal_basis="consent",
        wording_text="Quiero recibir el boletín.",
        double_opt_in=True,
    )


def _audience() -> list[int]:
    return list(
        Person.objects.filter(consented_q("newsletter", "email")).values_list("pk", flat=True)
    )


@pytest.fixture
def mailed(
    rep_north: Any,
    lucia: Any,
    smtp_server: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> tuple[ConsentEvent, str]:
    smtp_server.use(settings)
    with django_capture_on_commit_callbacks(execute=True):
        grant = _grant(rep_north, lucia)
    [mail] = smtp_server.messages
    assert mail["To"] == "lucia@example.com"
    assert "Confirma" in mail["Subject"]
    body = mail.get_content()
    assert "Hola, Lucía:" in body
    [url] = LINK.findall(body)
    return grant, urlsplit(url).path


def test_nothing_counts_before_the_click(mailed: tuple[ConsentEvent, str], lucia: Any) -> None:
    grant, path = mailed
    assert grant.pending
    state = ConsentState.objects.get(person=lucia)
    assert (state.granted, state.pending, state.pending_event_id) == (False, True, grant.pk)
    assert _audience() == []
    # Opening the link (a mail scanner does) confirms nothing: it asks for the click.
    page = Client().get(path)
    assert page.status_code == 200
    assert "Confirmar" in page.content.decode()
    assert _audience() == []


def test_the_click_confirms_once(mailed: tuple[ConsentEvent, str], lucia: Any) -> None:
    grant, path = mailed
    client = Client()
    answer = client.post(path, HTTP_USER_AGENT="Mail app")
    assert answer.status_code == 200
    assert "Gracias" in answer.content.decode()
    confirmation = ConsentEvent.objects.get(confirms=grant)
    assert confirmation.confirmed_at is not None
    assert confirmation.user_agent == "Mail app"
    assert confirmation.wording_id == grant.wording_id
    state = ConsentState.objects.get(person=lucia)
    assert (state.granted, state.confirmed, state.pending) == (True, True, False)
    assert _audience() == [lucia.pk]
    # The pending grant itself is never rewritten.
    assert ConsentEvent.objects.get(pk=grant.pk).confirmed_at is None
    again = client.post(path)
    assert again.status_code == 200
    assert ConsentEvent.objects.filter(confirms=grant).count() == 1


def test_a_tampered_link_is_a_clear_404(mailed: tuple[ConsentEvent, str]) -> None:
    _grant_event, path = mailed
    token = path.rstrip("/").rsplit("/", 1)[1]
    broken = path.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    for method in ("get", "post"):
        answer = getattr(Client(), method)(broken)
        assert answer.status_code == 404
        assert "no es válido" in answer.content.decode() or "not valid" in answer.content.decode()
    assert _audience() == []


def test_an_expired_link_is_a_clear_404(
    rep_north: Any, lucia: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    grant = _grant(rep_north, lucia)
    token = services.confirm_token(grant)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=8)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())  # type: ignore[attr-defined]
    answer = Client().post(f"/consent/confirm/{token}/")
    assert answer.status_code == 404
    assert "caducado" in answer.content.decode()
    assert _audience() == []


def test_a_withdrawal_voids_the_link(rep_north: Any, lucia: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    grant = _grant(rep_north, lucia)
    services.consent_record(
        actor=rep_north,
        person=lucia,
        purpose="newsletter",
        channel="email",
        granted=False,
        source="user",
    )
    answer = Client().post(f"/consent/confirm/{services.confirm_token(grant)}/")
    assert answer.status_code == 404
    assert _audience() == []
    assert not ConsentEvent.objects.filter(confirms=grant).exists()
