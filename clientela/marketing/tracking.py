"""Signed per-recipient links of a campaign e-mail: the open pixel, each tracked link's
click redirect, the one-click unsubscribe and the preferences page (issue 15, items 6
and 7).

A delivery's token is its id in base 36 and an HMAC of it (``SECRET_KEY`` with a salt
of its own): short enough for a URL and a VERP local part, checked without a query.
A click link signs the delivery *and* the link's number, so changing either answers
404; the redirect goes to the URL the campaign stored under that number, never to one
read from the request (no open redirect).

Links are tracked after a recipient's message is rendered: every ``href`` of the HTML
that is one of the campaign's links (``collect_links`` on the template, in order)
becomes that recipient's click URL; a link personalised with merge fields is not in
the table and stays as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from django.conf import settings
from django.utils.crypto import constant_time_compare

_SALT = "clientela.marketing.tracking"
_SIGNATURE_LENGTH = 12
#: The largest delivery id a token may name (the database's bigint).
_MAX_ID = 2**63 - 1

#: A double- or single-quoted ``href`` attribute of an ``<a>`` or ``<area>`` element.
_HREF = re.compile(r"""(<(?:a|area)\b[^>]*?\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_TRACKED_SCHEMES = ("http://", "https://")


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    """The HMAC key for ``secret`` (what ``salted_hmac`` derives on every call, once)."""
    return hashlib.sha256((_SALT + "signer" + secret).encode()).digest()


def _signature(message: str) -> str:
    return _signed(message, settings.SECRET_KEY)


@lru_cache(maxsize=1024)
def _signed(message: str, secret: str) -> str:
    # Cached: one campaign e-mail signs its delivery's token five times (the unsubscribe
    # and preferences links and header, the pixel, the message id, view online).
    digest = hmac.new(_key(secret), message.encode(), hashlib.sha256)
    return digest.hexdigest()[:_SIGNATURE_LENGTH]


def _to_base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _from_base36(text: str) -> int | None:
    if not text or len(text) > 13 or not text.isalnum() or not text.isascii():
        return None
    number = int(text, 36)
    return number if 0 < number <= _MAX_ID else None


def delivery_token(delivery_id: int) -> str:
    """The token of one recipient's message: ``<id in base 36>-<signature>``."""
    ident = _to_base36(delivery_id)
    return f"{ident}-{_signature('d:' + ident)}"


def read_delivery_token(token: str) -> int | None:
    """The delivery id a token names; None when it was not signed by us."""
    ident, _sep, signature = token.lower().partition("-")
    pk = _from_base36(ident)
    if pk is None or not constant_time_compare(signature, _signature("d:" + ident)):
        return None
    return pk


def click_token(delivery_id: int, link: int) -> str:
    """The token of one tracked link in one recipient's message."""
    ident = _to_base36(delivery_id)
    return f"{ident}-{link}-{_signature(f'c:{ident}:{link}')}"


def read_click_token(token: str) -> tuple[int, int] | None:
    """(delivery id, link number) of a click token; None when tampered with."""
    parts = token.lower().split("-")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 4:
        return None
    ident, link_text, signature = parts
    pk = _from_base36(ident)
    expected = _signature(f"c:{ident}:{link_text}")
    if pk is None or not constant_time_compare(signature, expected):
        return None
    return pk, int(link_text)


def public_url(path: str) -> str:
    """An absolute URL on the public address recipients reach (``CLIENTELA_PUBLIC_URL``)."""
    return f"{settings.CLIENTELA_PUBLIC_URL}{path}"


def open_url(delivery_id: int) -> str:
    return public_url(f"/m/o/{delivery_token(delivery_id)}.gif")


def click_url(delivery_id: int, link: int) -> str:
    return public_url(f"/m/c/{click_token(delivery_id, link)}/")


def unsubscribe_url(delivery_id: int) -> str:
    """The RFC 8058 one-click address (a POST there unsubscribes, no page, no login)."""
    return public_url(f"/m/u/{delivery_token(delivery_id)}/")


def preferences_url(delivery_id: int) -> str:
    return public_url(f"/m/p/{delivery_token(delivery_id)}/")


def collect_links(html_text: str) -> list[str]:
    """The distinct http(s) links of a message's HTML, in order of first appearance;
    a link built with merge fields (``{{ … }}``) is left out: it differs per recipient."""
    found: dict[str, None] = {}
    for match in _HREF.finditer(html_text):
        url = html.unescape(match.group(2) if match.group(2) is not None else match.group(3))
        url = url.strip()
        if url.lower().startswith(_TRACKED_SCHEMES) and "{{" not in url and "{%" not in url:
            found.setdefault(url, None)
    return list(found)


def track_links(html_text: str, links: Mapping[str, int], delivery_id: int) -> str:
    """The recipient's HTML with each of the campaign's ``links`` (URL -> number)
    pointing at its click redirect."""
    if not links:
        return html_text

    urls: dict[int, str] = {}  # a link repeated in the message is signed once

    def replace(match: re.Match[str]) -> str:
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        number = links.get(html.unescape(raw).strip())
        if number is None:
            return match.group(0)
        if number not in urls:
            urls[number] = click_url(delivery_id, number)
        return f'{match.group(1)}"{urls[number]}"'

    return _HREF.sub(replace, html_text)


def open_pixel(delivery_id: int) -> str:
    """The 1×1 image that counts an open, for the end of the body."""
    return (
        f'<img src="{open_url(delivery_id)}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px" />'
    )


def before_body_end(html_text: str, block: str) -> str:
    """``html_text`` with ``block`` just before its ``</body>`` (or at its end)."""
    end = max(html_text.rfind("</body>"), html_text.rfind("</BODY>"))
    if end < 0:  # lowering a whole message is slow (~30 µs for 10 KB): only when needed
        end = html_text.lower().rfind("</body>")
    if end < 0:
        return html_text + block
    return html_text[:end] + block + html_text[end:]


def with_open_pixel(html_text: str, delivery_id: int) -> str:
    return before_body_end(html_text, open_pixel(delivery_id))


def unsubscribe_headers(delivery_id: int, mailto: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: the HTTPS one-click address and a mailto."""
    targets: Sequence[str] = [f"<{unsubscribe_url(delivery_id)}>"]
    if mailto:
        targets = [*targets, f"<mailto:{mailto}?subject=unsubscribe>"]
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
