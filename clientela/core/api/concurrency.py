"""Optimistic concurrency: records carry a ``version``; reads send it as the ``ETag``,
writes take it back in ``If-Match`` (or a ``version`` field) and services refuse a
stale one with ``VersionConflict`` (412), so two people editing one record never
silently overwrite each other."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

MAX_VERSION = 2**31 - 1


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = etag(version)


def parse_if_match(value: str | None) -> int | None:
    """``3``, ``"3"`` and ``W/"3"`` all mean version 3; ``*`` or no header means any."""
    if value is None or value.strip() in {"", "*"}:
        return None
    text = value.strip()
    if text[:2].upper() == "W/":
        text = text[2:]
    text = text.strip().strip('"').strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_VERSION:
        raise ValidationError({"If-Match": [_('Send the version you read, e.g. If-Match: "3".')]})
    return int(text)


def expected_version(request: HttpRequest, body_version: int | None = None) -> int | None:
    """The version the client says it edits, from ``If-Match`` or the body."""
    header = parse_if_match(request.headers.get("If-Match"))
    if header is not None and body_version is not None and header != body_version:
        raise ValidationError(
            {"version": [_("The If-Match header and the version field disagree.")]}
        )
    return header if header is not None else body_version
