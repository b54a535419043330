"""No input gives a 500: every URL pattern of the site and the API, asked for with
hostile path values (huge and negative numbers, odd encodings, very long text) and
hostile query values (dates at the ends of the calendar, huge page numbers, NUL and
broken percent-encodings), answers something other than 5xx — as a signed-in admin
with an API token, with one record of every kind in the database so that the record
pages are reached too. Also the bodies the probe found: a form body sent to a JSON
endpoint and JSON nested a thousand levels deep."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from clientela.core.kinds import record_kinds
from clientela.core.services import api_token_create
from clientela.core.testing.kinds import kind_factories

#: Parts of the site that are not ours or that end the session.
SKIPPED = re.compile(r"^(admin/|static/|media/|logout/|accounts/logout/|i18n/)")
HUGE = "9" * 30
PATH_VALUES = {
    "int": ["0", HUGE, "2147483648"],
    "str": ["%00%FF%FE", "..", "x" * 3000, "-1é"],
    "slug": ["-", "a" * 3000],
    "path": ["%00/..%2F..", "a/" * 200],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
}
#: Every parameter name a page or endpoint of ours reads, each with hostile values.
PARAMS = (
    "page",
    "sort",
    "q",
    "date",
    "view",
    "start",
    "end",
    "limit",
    "cursor",
    "next",
    "kind",
    "tag",
    "city",
    "country",
    "owner",
    "team",
    "status",
    "stage",
    "pipeline",
    "person",
    "organization",
    "due_before",
    "due_after",
    "created_after",
    "created_before",
    "closed_after",
    "closed_before",
    "year",
    "month",
    "period",
    "currency",
    "min_amount",
    "max_amount",
    "channel",
    "direction",
    "tab",
    "format",
    "id",
    "ids",
    "version",
    "days",
    "before",
    "after",
    "updated_since",
    "is_active",
)
QUERY_VALUES = [
    "9999-12-31",
    "0001-01-01",
    HUGE,
    "-" + HUGE,
    "1e309",
    "%00%FF",
    "\u202e" + "é" * 500,
    "2024-13-45T99:99",
]


def _patterns(resolvers: list[Any], prefix: str = "") -> Iterator[tuple[str, dict[str, str]]]:
    """(route with ``<name>`` holes, converter type per hole) for every URL pattern."""
    for entry in resolvers:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            part = str(pattern)
        elif isinstance(pattern, RegexPattern):
            part = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")
            if any(c in part for c in "()[]*+?\\"):
                continue  # regex routes are Django's own (admin, i18n)
        else:
            continue
        route = prefix + part
        if SKIPPED.match(route):
            continue
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, {name: kind for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)}


def _fill(route: str, values: dict[str, str]) -> str:
    def hole(match: re.Match[str]) -> str:
        return values[match.group(2)]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", hole, route)


def _requests(real_ids: list[str]) -> Iterator[str]:
    """Per URL pattern: the pattern with real ids under every hostile query, then with
    each hostile path value."""
    queries = [""] + [
        "&".join(f"{name}={quote(value, safe='%')}" for name in PARAMS) for value in QUERY_VALUES
    ]
    for route, holes in _patterns(get_resolver().url_patterns):
        real = _fill(route, {name: real_ids[i % len(real_ids)] for i, name in enumerate(holes)})
        for query in queries:
            yield f"{real}?{query}" if query else real
        for kind in {k or "str" for k in holes.values()}:
            for value in PATH_VALUES.get(kind, PATH_VALUES["str"]):
                yield _fill(
                    route, {n: value if (k or "str") == kind else "1" for n, k in holes.items()}
                )


@pytest.fixture
def signed_in(admin: Any) -> Client:
    for factory in kind_factories().values():
        factory.make_owned(admin)
    _token, clear = api_token_create(
        user=admin,
        name="probe",
        scopes=sorted({s for k in record_kinds() for s in k.api_scopes if s}),
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_no_url_answers_5xx_to_hostile_paths_and_queries(
    signed_in: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.CRITICAL, logger="django.request")
    caplog.set_level(logging.CRITICAL, logger="clientela")
    real_ids = sorted(
        {
            str(k.model._default_manager.order_by("pk").values_list("pk", flat=True).first())
            for k in record_kinds()
        }
    )
    failures = []
    count = 0
    for url in _requests(real_ids):
        count += 1
        try:
            status = signed_in.get(url).status_code
        except Exception as exc:  # the test client re-raises a page's exception
            status = 500
            url = f"{url[:150]}…  ({type(exc).__name__}: {str(exc)[:150]})"
        if status >= 500:
            failures.append(f"{status} GET {url[:300]}")
    assert count > 2000, f"only {count} requests: the walker found too few URL patterns"
    assert not failures, f"{len(failures)} of {count} requests failed:\n" + "\n".join(failures)


# --- what the probe found, one by one ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_the_calendar_answers_a_date_out_of_range_with_400(
    client: Client, admin: Any, date: str
) -> None:
    client.force_login(admin)
    response = client.get("/calendar/", {"date": date, "view": "week"})
    assert response.status_code == 400
    assert "The calendar shows the years 1900 to 2999." in response.content.decode()
    assert client.get("/calendar/", {"date": "2999-12-31"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["9999-12-31", "contacts:person-list", "https://evil.example/"]
)
def test_a_next_that_is_not_a_local_path_is_ignored(
    client: Client, admin: Any, next_url: str
) -> None:
    client.force_login(admin)
    response = client.get("/account/2fa/verify/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def _create_paths() -> list[str]:
    return sorted(
        {f"/api/v1/{kind.api_route}" for kind in record_kinds() if kind.api_in and kind.create}
    )


@pytest.mark.django_db
def test_a_form_body_sent_to_a_json_endpoint_is_415(signed_in: Client) -> None:
    paths = _create_paths()
    assert len(paths) >= 9
    for path in paths:
        response = signed_in.post(path, {"name": "x", "file": io.BytesIO(b"x")})
        assert response.status_code == 415, path
        assert "application/json" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_too_deep_is_a_clear_4xx(signed_in: Client, depth: int) -> None:
    body = "[" * depth + '"\\u0000"' + "]" * depth
    for path in _create_paths():
        response = signed_in.post(path, body, content_type="application/json")
        assert response.status_code == 400, path
        assert response.json()["detail"] in {
            "The request body is nested too deeply.",
            "The request body is not valid JSON.",
        }
