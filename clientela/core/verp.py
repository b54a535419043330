"""VERP return paths: each bulk message goes out from its own address,
``bounces+<token>@<domain>`` (``CLIENTELA_BOUNCE_ADDRESS``), so the bounce that comes
back to it names the delivery it is about, whatever the remote server wrote in it.

The token is the delivery's id and an HMAC of it (keyed by ``SECRET_KEY``):
``bounces+4711.9f86d081884c7d65@example.com``. Anyone can mail that address, so only a
token this server signed is believed; a forged or mangled one reads as no token.
Everything is lower case because mail servers often lower-case the local part.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

#: Longest local part RFC 5321 allows.
MAX_LOCAL = 64
#: A delivery id the token can carry: lower-case letters, digits and inner hyphens
#: (a number, a UUID's hex).
DELIVERY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
MAC_LENGTH = 16
SALT = "clientela.core.verp"
TOKEN = re.compile(rf"({DELIVERY_ID.pattern})\.([0-9a-f]{{{MAC_LENGTH}}})")


def _mac(delivery_id: str) -> str:
    return salted_hmac(SALT, delivery_id, algorithm="sha256").hexdigest()[:MAC_LENGTH]


def verp_token(delivery_id: str | int) -> str:
    """The signed token naming ``delivery_id`` (``ValueError`` for an id it cannot
    carry: see ``DELIVERY_ID``)."""
    value = str(delivery_id).lower()
    if not DELIVERY_ID.fullmatch(value):
        raise ValueError(f"a VERP delivery id is 1-32 letters, digits or hyphens: {value!r}")
    return f"{value}.{_mac(value)}"


def verp_address(delivery_id: str | int) -> str:
    """The return path of the message of ``delivery_id``:
    ``<local>+<token>@<domain>``."""
    local = f"{settings.CLIENTELA_BOUNCE_LOCAL}+{verp_token(delivery_id)}"
    if len(local) > MAX_LOCAL:
        raise ValueError(f"the VERP local part {local!r} is longer than {MAX_LOCAL} characters")
    return f"{local}@{settings.CLIENTELA_BOUNCE_DOMAIN}"


def verp_token_from(address: str) -> str | None:
    """The delivery id a VERP address (``bounces+<token>@…``, with or without angle
    brackets or a display name) names, or None when it is no VERP address of ours or
    its token was not signed here. The domain is not checked: a server may rewrite it
    (an alias domain), and the signature is what proves the token ours."""
    text = address.strip().lower()
    if "<" in text:
        text = text.rpartition("<")[2].partition(">")[0]
    local, at, _domain = text.rpartition("@")
    if not at:
        return None
    prefix, plus, token = local.partition("+")
    if not plus or prefix != settings.CLIENTELA_BOUNCE_LOCAL:
        return None
    found = TOKEN.fullmatch(token)
    if found is None:
        return None
    delivery_id, mac = found.groups()
    return delivery_id if constant_time_compare(mac, _mac(delivery_id)) else None


def verp_addresses_in(text: str) -> list[str]:
    """Every address in ``text`` that looks like one of our VERP addresses (signed or
    not: ``verp_token_from`` decides)."""
    local = re.escape(settings.CLIENTELA_BOUNCE_LOCAL)
    pattern = rf"(?i)(?<![A-Za-z0-9.+_-]){local}\+[A-Za-z0-9.-]{{1,60}}@[A-Za-z0-9.-]+"
    return re.findall(pattern, text)
