"""Long addresses: the longest query the API's schema allows fits under
``MAX_QUERY_BYTES``; a longer one is refused with 414 (JSON under /api/), and real
gunicorn started by ``clientela serve`` lets the schema's longest query through to the
API instead of answering its own HTML 414."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from django.test import Client

from clientela.core.api.pagination import CURSOR_PATTERN
from clientela.core.middleware import MAX_QUERY_BYTES
from clientela.core.testing.migrated import migrated_database
from clientela.core.tests.test_cli import _cli, _env, _free_port, _wait_for, spawn
from clientela.core.tests.test_record_api import openapi
from conftest import PASSWORD

__all__ = ["spawn"]  # the fixture, used by name

#: Bytes of one character at worst: 4-byte UTF-8, each byte percent-encoded ("%F0").
WORST_CHAR = 12


def _longest_value(schema: dict[str, Any], components: dict[str, Any]) -> int:
    """The most bytes a query value of ``schema`` takes, percent-encoded."""
    options = schema.get("anyOf") or schema.get("allOf") or [schema]  # allOf: a $ref with a default
    longest = 0
    for option in options:
        if "$ref" in option:
            option = components[option["$ref"].rsplit("/", 1)[-1]]
        if option.get("type") == "null":
            continue
        if "enum" in option:
            size = max(len(str(v)) for v in option["enum"])
        elif option.get("type") in {"integer", "number"}:
            size = 20
        elif option.get("type") == "boolean":
            size = 5
        elif option.get("format") == "date":
            size = 10
        elif option.get("format") == "date-time":
            size = 40 * 3  # "+" and ":" percent-encoded
        else:
            assert "maxLength" in option, f"an unbounded query parameter: {schema}"
            if option.get("pattern") == CURSOR_PATTERN:  # ASCII, two ":" to encode
                size = option["maxLength"] + 4
            else:
                size = option["maxLength"] * WORST_CHAR
        longest = max(longest, size)
    return longest


def longest_query() -> tuple[int, str]:
    """The longest query string any operation's schema allows, and its path."""
    document = openapi()
    components = document["components"]["schemas"]
    found = (0, "")
    for path, operations in document["paths"].items():
        for operation in operations.values():
            size = sum(
                len(p["name"]) + 2 + _longest_value(p["schema"], components)
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            )
            found = max(found, (size, path))
    return found


def test_the_longest_query_the_schema_allows_is_accepted() -> None:
    size, path = longest_query()
    assert path == "/api/v1/organizations" or path == "/api/v1/people"
    assert 5_000 < size <= MAX_QUERY_BYTES
    # With "GET ", the path and " HTTP/1.1", within gunicorn's request line.
    assert len(f"GET {path}? HTTP/1.1") + MAX_QUERY_BYTES <= 8190


def test_a_longer_query_is_refused_with_414(db: Any) -> None:
    too_long = "x" * (MAX_QUERY_BYTES + 1)
    api = Client().get(f"/api/v1/people?q={too_long}")
    assert api.status_code == 414
    assert api["Content-Type"].startswith("application/json")
    assert str(MAX_QUERY_BYTES) in api.json()["detail"]
    page = Client().get(f"/accounts/login/?next={too_long}")
    assert page.status_code == 414
    assert page["Content-Type"].startswith("text/plain")


def _call(url: str, token: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_gunicorn_lets_the_longest_query_through_to_the_api(tmp_path: Path, spawn: Any) -> None:
    env = _env(tmp_path)
    migrated_database(env)
    made = _cli(
        env, "createuser", "kim", "--role", "sales", "--team", "North", "--password", PASSWORD
    )
    assert made.returncode == 0, made.stderr
    created = _cli(env, "token", "create", "--user", "kim", "--scopes", "contacts:read")
    assert created.returncode == 0, created.stderr
    token = created.stdout.rstrip("\n").splitlines()[-1]
    port = _free_port()
    server = spawn(env, "serve", "--no-collectstatic", "--port", str(port), "--workers", "1")
    _wait_for(port, server)
    base = f"http://127.0.0.1:{port}/api/v1/people"

    # The longest the schema allows: a 2,000-character cursor (not one we signed), a
    # 200-character search and a 100-character city in 4-byte UTF-8.
    query = urllib.parse.urlencode(
        {"cursor": "a" * 1996 + ":b:c", "q": "😀" * 200, "city": "😀" * 100}, safe=""
    )
    assert len(query) > 5_000
    status, content_type, body = _call(f"{base}?{query}", token)
    assert status == 422, body[:200]
    assert content_type.startswith("application/json")
    assert [e["field"] for e in json.loads(body)["errors"]] == ["cursor"]

    # Longer than the schema allows, within gunicorn's line: our JSON 414.
    status, content_type, body = _call(f"{base}?q={'x' * (MAX_QUERY_BYTES + 1)}", token)
    assert status == 414
    assert content_type.startswith("application/json")
    assert json.loads(body)["errors"] == []
