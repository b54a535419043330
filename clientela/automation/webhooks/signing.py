"""Signatures per the Standard Webhooks specification (standardwebhooks.com), so that
receivers verify deliveries with its official libraries: the secret is ``whsec_`` and
the base64 of random bytes; the signature of a message is ``v1,`` and the base64 of
HMAC-SHA256 over ``<webhook-id>.<webhook-timestamp>.<body>`` keyed with the secret's
bytes; ``webhook-signature`` lists one per secret in use, separated by spaces (during a
rotation both the new secret and the previous one sign)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

PREFIX = "whsec_"
#: 24 random bytes, as the specification's reference implementations make them.
SECRET_BYTES = 24


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(
    secrets_in_use: Iterable[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a delivery."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, msg_id, timestamp, body) for secret in secrets_in_use
        ),
    }
