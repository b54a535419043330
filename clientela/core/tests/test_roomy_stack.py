"""The outermost middleware runs each request in a frame-stack chunk of its own
(``core.middleware.RoomyStackMiddleware``), against CPython 3.11/3.12 mapping and
unmapping a chunk each time a call crosses a chunk's end (gh-142183)."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from clientela.core import middleware


def test_it_is_the_outermost_middleware() -> None:
    assert settings.MIDDLEWARE[0] == "clientela.core.middleware.RoomyStackMiddleware"


def test_it_passes_the_request_on_and_the_answer_back() -> None:
    seen: list[Any] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append((request, sys._getframe(1).f_code.co_name))
        return HttpResponse("ok", status=207)

    request = HttpRequest()
    response = middleware.RoomyStackMiddleware(view)(request)
    assert (response.status_code, response.content) == (207, b"ok")
    assert seen == [(request, "_pass_on")]


def test_its_frame_claims_more_than_a_chunk_where_chunks_thrash() -> None:
    # A 16 KB chunk holds 2,048 slots: a frame claiming more cannot fit in one, so the
    # interpreter gives it a chunk of its own, with room for the request's calls after
    # it. From 3.13 on the interpreter keeps a spare chunk and nothing is claimed.
    claimed = middleware._pass_on.__code__.co_stacksize
    assert (claimed > 2048) is (sys.version_info < (3, 13))


def test_the_list_page_answers_through_it(client: Any, admin: Any) -> None:
    client.force_login(admin)
    assert client.get("/people/").status_code == 200
