"""Our signatures verify with the Standard Webhooks reference library, with either
secret during a rotation, and not with another secret or a changed body."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from clientela.automation.webhooks.signing import PREFIX, headers, new_secret


def test_a_signed_body_verifies_with_the_reference_library() -> None:
    secret = new_secret()
    assert secret.startswith(PREFIX)
    body = b'{"type":"person.created","timestamp":"2026-01-01T00:00:00Z","data":{"id":1}}'
    signed = headers([secret], "msg_1", int(time.time()), body)
    assert Webhook(secret).verify(body, signed) == {
        "type": "person.created",
        "timestamp": "2026-01-01T00:00:00Z",
        "data": {"id": 1},
    }


def test_during_a_rotation_both_secrets_sign() -> None:
    old, new = new_secret(), new_secret()
    body = b'{"a":1}'
    signed = headers([new, old], "msg_2", int(time.time()), body)
    assert len(signed["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, signed)
    Webhook(new).verify(body, signed)


def test_another_secret_or_a_changed_body_does_not_verify() -> None:
    secret = new_secret()
    signed = headers([secret], "msg_3", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(b'{"a":1}', signed)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', signed)
