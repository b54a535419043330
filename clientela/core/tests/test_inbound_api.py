"""``POST /api/v1/inbound-email``: one raw message in, through the same path as a
polled one; bad input (wrong type, empty, too large, no scope) a clear 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from clientela.cli import main
from clientela.core.models import InboundMessage
from clientela.core.services import api_token_create
from clientela.core.tests.test_record_api import openapi

URL = "/api/v1/inbound-email"
CORPUS = Path(__file__).resolve().parents[2] / "service" / "tests" / "mail"

pytestmark = pytest.mark.django_db


def token(user: Any, *scopes: str) -> dict[str, str]:
    _token, clear = api_token_create(user=user, name="mail server", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client: Client, auth: dict[str, str], body: bytes, kind: str = "message/rfc822") -> Any:
    # CONTENT_TYPE again: the test client leaves it out of a request with an empty body.
    extra: dict[str, Any] = {"CONTENT_TYPE": kind, **auth}
    return client.generic("POST", URL, body, content_type=kind, **extra)


def test_a_raw_message_is_taken_in(client: Client, admin: Any) -> None:
    auth = token(admin, "mail:inbound")
    raw = (CORPUS / "gmail-utf8-encoded-words.eml").read_bytes()
    response = post(client, auth, raw)
    assert response.status_code == 202
    body = response.json()
    stored = InboundMessage.objects.get()
    assert body == {
        "id": stored.pk,
        "status": "unhandled",
        "flagged": False,
        "message_id": "<CAF7x2Y+mQ=Gmail.Test.0001@mail.gmail.com>",
        "kind": "message",
    }
    assert (stored.source, bytes(stored.raw)) == ("api", raw)
    assert stored.subject == "Consulta sobre el envío 📦 — pedido nº 4521"
    # Sent twice (a retrying mail server): the first answer, nothing stored twice.
    again = post(client, auth, raw)
    assert (again.status_code, again.json()["id"]) == (202, stored.pk)
    assert InboundMessage.objects.count() == 1


def test_an_unreadable_message_is_kept_flagged(client: Client, admin: Any) -> None:
    response = post(client, token(admin, "mail:inbound"), b"\x00\x01\x02 not mail")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["flagged"]) == ("failed", True)


@pytest.mark.parametrize(
    ("kind", "body", "status", "message"),
    [
        (
            "application/json",
            b'{"raw": "x"}',
            415,
            "Send the message with Content-Type: message/rfc822.",
        ),
        (
            "text/plain",
            b"From: a@example.com\r\n\r\nx",
            415,
            "Send the message with Content-Type: message/rfc822.",
        ),
        ("message/rfc822", b"", 400, "The body is empty: send one raw e-mail message."),
        ("message/rfc822", b"  \r\n ", 400, "The body is empty: send one raw e-mail message."),
    ],
)
def test_bad_requests_are_refused_clearly(
    client: Client, admin: Any, kind: str, body: bytes, status: int, message: str
) -> None:
    response = post(client, token(admin, "mail:inbound"), body, kind)
    assert response.status_code == status
    assert response.json() == {
        "detail": message,
        "errors": [{"field": "body", "message": message}],
    }
    assert not InboundMessage.objects.exists()


def test_too_large_a_body_is_413(client: Client, admin: Any, settings: Any) -> None:
    settings.CLIENTELA_INBOUND_MAX_BYTES = 4096
    big = b"From: a@example.com\r\nSubject: big\r\n\r\n" + b"x" * 5000
    response = post(client, token(admin, "mail:inbound"), big)
    assert response.status_code == 413
    assert response.json()["detail"] == "The message is larger than 4096 bytes."
    assert not InboundMessage.objects.exists()


def test_a_message_bigger_than_django_s_upload_cap_is_taken(
    client: Client, admin: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    raw = b"From: a@example.com\r\nSubject: photo\r\nMessage-ID: <p@x>\r\n\r\n" + b"y" * 4000
    response = post(client, token(admin, "mail:inbound"), raw)
    assert response.status_code == 202
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_without_the_scope_it_is_403_and_without_a_token_401(client: Client, admin: Any) -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\nx"
    assert post(client, token(admin, "contacts:read"), raw).status_code == 403
    assert post(client, {}, raw).status_code == 401
    assert not InboundMessage.objects.exists()


def test_the_operation_is_documented_with_its_scope_and_body() -> None:
    operation = openapi()["paths"][URL]["post"]
    assert operation["x-scopes"] == ["mail:inbound"]
    assert "message/rfc822" in operation["requestBody"]["content"]
    assert {"202", "400", "413", "415"} <= set(operation["responses"])


def test_the_cli_makes_a_token_for_the_mail_server(
    admin: Any, capsys: Any, monkeypatch: Any, client: Client
) -> None:
    # The command closes every connection when it ends; in-process that would close the
    # test's own (see test_cli).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    code = main(["token", "create", "--user", admin.username, "--scopes", "mail:inbound"])
    clear = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    assert code == 0
    raw = b"From: a@example.com\r\nSubject: via postfix\r\n\r\nx"
    response = post(client, {"HTTP_AUTHORIZATION": f"Bearer {clear}"}, raw)
    assert response.status_code == 202
