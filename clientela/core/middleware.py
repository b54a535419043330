"""Per-request user preferences (language, time zone, interface), the site-wide
two-factor requirement and the refusal of addresses no page or API call needs."""

from __future__ import annotations

import sys
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.core.api.errors import error_response
from clientela.core.choices import Interface
from clientela.core.context import interface
from clientela.core.models import SiteSettings
from clientela.core.two_factor import has_device


@contextmanager
def _preferences(zone: zoneinfo.ZoneInfo | None, language: str) -> Iterator[None]:
    with timezone.override(zone), translation.override(language):
        yield


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _streamed_with(
    chunks: Iterable[bytes], zone: zoneinfo.ZoneInfo | None, language: str
) -> Iterator[bytes]:
    """The chunks of a streamed body, each produced in the request's zone and language."""
    iterator = iter(chunks)
    while True:
        with _preferences(zone, language):
            chunk = next(iterator, None)
        if chunk is None:
            return
        yield chunk


class UserPreferencesMiddleware:
    """Use the logged-in user's language and time zone for the request; mark the request
    as coming through the web interface (the API overrides this for its own calls).

    Overrides, not activations: the thread goes on to serve other requests (in tests,
    other tests), which must not inherit this user's zone or language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # LocaleMiddleware's language (cookie, Accept-Language) stands.
            with timezone.override(None), interface(Interface.WEB):
                return self.get_response(request)
        language, zone = user.language, _zone(user.time_zone)
        request.LANGUAGE_CODE = language
        with _preferences(zone, language), interface(Interface.WEB):
            response = self.get_response(request)
        # LocaleMiddleware labels the response after the override has ended.
        response.headers.setdefault("Content-Language", language)
        if (
            isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)  # bytes of a file: no language
            and not response.is_async
        ):
            # A streamed body (an export) is produced after this method has returned.
            response.streaming_content = _streamed_with(response.streaming_content, zone, language)
        return response


class TwoFactorRequiredMiddleware:
    """When an admin requires two-factor login, a user who has logged in with a
    password but not verified a TOTP code is sent to set up or verify one."""

    ALLOWED_PREFIXES = ("/account/2fa", "/account/logout", "/static/", "/api/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not user.is_verified()
        ):
            # The whole path with its query, encoded, so the user lands where they
            # were going once the code is checked.
            back = "?" + urlencode({"next": request.get_full_path()})
            if has_device(user):
                return redirect(reverse("core:2fa-verify") + back)
            if SiteSettings.load().require_two_factor:
                return redirect(reverse("core:2fa-setup") + back)
        return self.get_response(request)


class NulQueryMiddleware:
    """A page address whose query holds a NUL character is refused with 400 before any
    view runs: PostgreSQL cannot compare text with it (the API refuses it its own way,
    in JSON)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                _("The address holds a character that cannot be used (NUL)."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


#: The longest query string (in bytes, as sent: percent-encoded) a request may carry.
#: The API's longest allowed query, ``GET /api/v1/people`` with every parameter at its
#: schema's maximum, is under 6 KB: a 2,000-character cursor (ASCII only, 3 bytes a
#: character at worst), a 200-character ``q`` and a 100-character ``city`` in 4-byte
#: UTF-8 (12 bytes each when percent-encoded), plus the short ones
#: (``core/tests/test_request_line.py`` works it out from the OpenAPI document). With
#: the method, path and protocol it fits gunicorn's request-line limit, 8,190 bytes
#: (``clientela serve``), so every query the schema allows reaches the API.
MAX_QUERY_BYTES = 8000


class LongQueryMiddleware:
    """A query string longer than ``MAX_QUERY_BYTES`` is refused with 414 before
    anything reads it: in the API's error body under /api/, in plain text elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_BYTES:
            message = _("The address is too long: at most %(n)s bytes of query.") % {
                "n": MAX_QUERY_BYTES
            }
            if request.path.startswith("/api/"):
                return error_response(414, message)
            return HttpResponse(message, status=414, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _pass_on(
    get_response: Callable[[HttpRequest], HttpResponse], request: HttpRequest
) -> HttpResponse:
    return get_response(request)


# Python 3.11 and 3.12 keep the frames of Python calls in 16 KB chunks of memory that
# are mapped when a call needs a new one and unmapped as soon as it returns (CPython
# gh-142183, fixed in 3.13 by keeping one spare chunk). A request whose calls go up and
# down across a chunk's end, as rendering a page's templates does, maps and unmaps
# memory hundreds of times: the people list page did so 414 times a request, a quarter
# of its time, once three middleware and the generic views had moved its depth there.
# ``_pass_on`` claims ~130 KB of room on the frame stack (an unused evaluation stack is
# never touched, so it costs no memory), which the interpreter can only give it in a
# new 256 KB chunk; the request's own calls then run in what is left of that chunk.
_ROOM = 16_500  # stack slots (8 bytes each)
if sys.version_info < (3, 13):
    _pass_on.__code__ = _pass_on.__code__.replace(
        co_stacksize=_pass_on.__code__.co_stacksize + _ROOM
    )


class RoomyStackMiddleware:
    """Runs the rest of the request in a frame-stack chunk of its own (see
    ``_pass_on``); the outermost middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return _pass_on(self.get_response, request)
