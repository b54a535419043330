"""The API conventions of ``clientela.core.api`` on a small API of their own (so they
are proven without any domain app): token auth and scopes, the error body, keyset
pagination over nullable and related columns, If-Match and Idempotency-Key."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from clientela.core.api import (
    CursorPage,
    PageParams,
    api_user,
    build_api,
    expected_version,
    idempotent,
    paginate,
    require_scope,
)
from clientela.core.api import idempotency as idempotency_module
from clientela.core.api.concurrency import parse_if_match
from clientela.core.api.schemas import InputSchema, IsoDate
from clientela.core.context import current_interface
from clientela.core.errors import NotFound, PermissionDenied, VersionConflict
from clientela.core.models import ApiToken, IdempotencyKey, Tag, User
from clientela.core.services import api_token_create, register_scopes

register_scopes("demo:read", "demo:write")

router = Router()


class UserOut(Schema):
    id: int
    username: str


class TagIn(InputSchema):
    name: str
    born: IsoDate | None = None
    count: int = 0


class TagOut(Schema):
    id: int
    name: str
    version: int = 1


ORDERINGS = {
    "username": ("username", "id"),
    "-last_login": ("-last_login", "-id"),
    "last_login": ("last_login", "id"),
    "team": ("team__name", "username", "id"),
    "-team": ("-team__name", "-username", "-id"),
}


class UserListParams(PageParams):
    order: str = "username"


@router.get("/users", response=CursorPage[UserOut])
@require_scope("demo:read")
def list_users(request: HttpRequest, params: Query[UserListParams]) -> Any:
    qs = User.objects.select_related("team").order_by(*ORDERINGS[params.order])
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/tags", response={201: TagOut})
@require_scope("demo:write")
@idempotent
def create_tag(request: HttpRequest, payload: TagIn) -> Status[TagOut]:
    if payload.name == "invalid":
        raise ValidationError({"name": ["No thanks."]})
    # A new name each time, so a duplicate create is visible as a second row.
    tag = Tag.objects.create(name=f"{payload.name}#{Tag.objects.count()}")
    return Status(201, TagOut(id=tag.pk, name=tag.name))


@router.get("/boom/{kind}")
def boom(request: HttpRequest, kind: str) -> Any:
    if kind == "notfound":
        raise NotFound()
    if kind == "denied":
        raise PermissionDenied("Not for you.")
    if kind == "conflict":
        raise VersionConflict(7)
    if kind == "invalid":
        raise ValidationError({"emails": ["Bad e-mail."], "custom.vip_level": ["Bad level."]})
    if kind == "plain":
        raise ValidationError("Something is off.")
    raise RuntimeError("unexpected")


@router.patch("/versioned")
def versioned(request: HttpRequest) -> Any:
    return {"expected": expected_version(request), "user": api_user(request).username}


@router.get("/interface")
def which_interface(request: HttpRequest) -> Any:
    return {"interface": current_interface()}


api = build_api()
api.add_router("/", router)
urlpatterns = [path("api/", api.urls)]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def user(make_user: Any) -> Any:
    return make_user("uma_user", "sales", "North")


def bearer(
    user: Any, scopes: tuple[str, ...] = ("demo:read", "demo:write"), **kw: Any
) -> dict[str, Any]:
    _token, clear = api_token_create(user=user, name="test", scopes=list(scopes), **kw)
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client: Any, url: str, body: Any, headers: dict[str, Any], **extra: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers, **extra)


# --- authentication and scopes ---------------------------------------------------------


def test_missing_or_malformed_authorization_is_401_with_the_error_body(client: Any) -> None:
    for headers in ({}, {"HTTP_AUTHORIZATION": "Basic abc"}, {"HTTP_AUTHORIZATION": "Bearer "}):
        response = client.get("/api/me", **headers)
        assert response.status_code == 401
        assert response.json()["errors"] == []
        assert "Bearer" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_revoked_and_expired_tokens_are_401(client: Any, user: Any) -> None:
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer clt_nope").status_code == 401

    headers = bearer(user)
    token = ApiToken.objects.get(user=user)
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/me", **headers).status_code == 401

    soon = timezone.now() + datetime.timedelta(hours=1)
    headers = bearer(user, expires_at=soon)
    ApiToken.objects.filter(expires_at=soon).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/api/me", **headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_of_a_deactivated_user_is_401(client: Any, user: Any) -> None:
    headers = bearer(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/me", **headers).status_code == 401


def test_only_the_hash_of_a_token_is_stored(user: Any) -> None:
    token, clear = api_token_create(user=user, name="t", scopes=["demo:read"])
    assert clear not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert len(token.token_hash) == 64


def test_missing_scope_is_403_naming_it_and_checked_before_the_body(client: Any, user: Any) -> None:
    headers = bearer(user, scopes=("demo:read",))
    response = post(client, "/api/tags", {"name": 5}, headers)
    assert response.status_code == 403
    assert response.json()["required_scope"] == "demo:write"
    assert "demo:write" in response.json()["detail"]
    assert not Tag.objects.exists()


def test_last_used_is_written_at_most_once_a_minute(client: Any, user: Any) -> None:
    headers = bearer(user)
    client.get("/api/me", **headers)
    token = ApiToken.objects.get(user=user)
    first = token.last_used_at
    assert first is not None
    client.get("/api/me", **headers)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/api/me", **headers)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_me_tells_user_role_team_and_scopes(client: Any, user: Any) -> None:
    body = client.get("/api/me", **bearer(user, scopes=("demo:read",))).json()
    assert body["username"] == "uma_user"
    assert body["role"]["key"] == "sales"
    assert body["team"]["name"] == "North"
    assert body["scopes"] == ["demo:read"]


def test_operations_run_with_the_api_interface_for_the_audit_trail(client: Any, user: Any) -> None:
    assert client.get("/api/interface", **bearer(user)).json() == {"interface": "api"}


def test_no_csrf_token_needed_with_a_bearer_token(user: Any) -> None:
    response = post(Client(enforce_csrf_checks=True), "/api/tags", {"name": "x"}, bearer(user))
    assert response.status_code == 201


# --- the error body ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [("notfound", 404), ("denied", 403), ("conflict", 412), ("invalid", 422), ("plain", 422)],
)
def test_domain_errors_map_to_status_and_one_body_shape(
    client: Any, user: Any, kind: str, status: int
) -> None:
    response = client.get(f"/api/boom/{kind}", **bearer(user))
    assert response.status_code == status
    body = response.json()
    assert set(body) >= {"detail", "errors"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if kind == "conflict":
        assert body["current_version"] == 7
    if kind == "invalid":
        assert {e["field"] for e in body["errors"]} == {"emails", "custom.vip_level"}
    if kind == "plain":
        assert body["errors"] == [{"field": None, "message": "Something is off."}]


def test_unexpected_errors_are_a_json_500_not_a_page(client: Any, user: Any) -> None:
    response = client.get("/api/boom/other", **bearer(user))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"] == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": 12}, {"name"}),
        ({"name": "a", "count": "many"}, {"count"}),
        ({"name": "a", "born": "2024-02-30"}, {"born"}),
        ({"name": "a", "born": 1700000000}, {"born"}),
        ({"name": "a", "colour": "red"}, {"colour"}),
    ],
)
def test_schema_errors_are_422_in_the_same_shape_with_field_names(
    client: Any, user: Any, body: dict[str, Any], fields: set[str]
) -> None:
    response = post(client, "/api/tags", body, bearer(user))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("[1, 2]", 422),
        ('"text"', 422),
        ("", 422),
        ('{"name": "a\\u0000"}', 422),
    ],
)
def test_malformed_bodies_are_4xx_never_500(client: Any, user: Any, raw: str, status: int) -> None:
    response = post(client, "/api/tags", raw, bearer(user))
    assert response.status_code == status
    assert "detail" in response.json()
    assert not Tag.objects.exists()


def test_nul_in_a_query_parameter_is_422(client: Any, user: Any) -> None:
    response = client.get("/api/users", {"order": "username\x00"}, **bearer(user))
    assert response.status_code == 422


# --- If-Match -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"), [("3", 3), ('"3"', 3), ('W/"3"', 3), ("*", None), ("", None)]
)
def test_if_match_accepts_plain_quoted_and_weak_forms(header: str, expected: int | None) -> None:
    assert parse_if_match(header) == expected


@pytest.mark.parametrize("header", ['"abc"', "-1", '"3", "4"', "99999999999999999999"])
def test_an_unreadable_if_match_is_422(client: Any, user: Any, header: str) -> None:
    response = client.patch("/api/versioned", HTTP_IF_MATCH=header, **bearer(user))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "If-Match"


# --- Idempotency-Key ------------------------------------------------------------------


def test_same_key_and_body_replays_the_first_answer(client: Any, user: Any) -> None:
    headers = {**bearer(user), "HTTP_IDEMPOTENCY_KEY": "abc-1"}
    first = post(client, "/api/tags", {"name": "vip"}, headers)
    # Same JSON written differently is the same request.
    second = post(client, "/api/tags", '{ "name" :  "vip" }', headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Tag.objects.count() == 1


def test_same_key_with_another_body_is_refused(client: Any, user: Any) -> None:
    headers = {**bearer(user), "HTTP_IDEMPOTENCY_KEY": "abc-2"}
    post(client, "/api/tags", {"name": "vip"}, headers)
    response = post(client, "/api/tags", {"name": "other"}, headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip#0"]


def test_keys_belong_to_their_user(client: Any, user: Any, make_user: Any) -> None:
    other = make_user("otto_other", "sales", "North")
    post(client, "/api/tags", {"name": "a"}, {**bearer(user), "HTTP_IDEMPOTENCY_KEY": "k"})
    response = post(
        client, "/api/tags", {"name": "b"}, {**bearer(other), "HTTP_IDEMPOTENCY_KEY": "k"}
    )
    assert response.status_code == 201
    assert Tag.objects.count() == 2


def test_a_failed_request_is_not_stored_so_the_key_can_be_retried(client: Any, user: Any) -> None:
    headers = {**bearer(user), "HTTP_IDEMPOTENCY_KEY": "retry"}
    assert post(client, "/api/tags", {"name": "invalid"}, headers).status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert post(client, "/api/tags", {"name": "fixed"}, headers).status_code == 201
    assert Tag.objects.count() == 1


def test_a_concurrent_duplicate_is_rolled_back_and_replays_the_winner(
    client: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {**bearer(user), "HTTP_IDEMPOTENCY_KEY": "race"}
    first = post(client, "/api/tags", {"name": "vip"}, headers)
    # The second request misses the stored key (as if both had checked at once): its
    # insert then hits the unique constraint and its own work is undone.
    real_find = idempotency_module._find
    calls = {"n": 0}

    def find_late(user: Any, key: str) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_find(user, key)

    monkeypatch.setattr(idempotency_module, "_find", find_late)
    second = post(client, "/api/tags", {"name": "vip2"}, headers)
    assert second.status_code == 422  # another body: refused, and nothing created
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip#0"]
    calls["n"] = 0
    third = post(client, "/api/tags", {"name": "vip"}, headers)
    assert third.json() == first.json()
    assert Tag.objects.count() == 1


def test_an_over_long_key_is_422(client: Any, user: Any) -> None:
    headers = {**bearer(user), "HTTP_IDEMPOTENCY_KEY": "k" * 300}
    assert post(client, "/api/tags", {"name": "a"}, headers).status_code == 422
    assert not Tag.objects.exists()


# --- cursor pagination ----------------------------------------------------------------


@pytest.fixture
def many_users(make_user: Any) -> list[Any]:
    users = []
    for i in range(23):
        # Repeated names, NULL teams and NULL/equal last_login values: the ties and
        # NULLs that break naive cursors.
        team = None if i % 4 == 0 else ("North" if i % 3 else "South")
        users.append(make_user(f"user{i % 7}_{i:02d}", "sales", team))
    stamp = timezone.now()
    for i, u in enumerate(users):
        if i % 3:
            User.objects.filter(pk=u.pk).update(
                last_login=stamp - datetime.timedelta(minutes=i % 5)
            )
    return users


def walk(client: Any, headers: dict[str, Any], order: str, limit: int) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _page in range(100):
        params: dict[str, Any] = {"order": order, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/api/users", params, **headers)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("order", sorted(ORDERINGS))
@pytest.mark.parametrize("limit", [1, 4, 50])
def test_cursor_walk_visits_every_row_once_in_order(
    client: Any, user: Any, many_users: list[Any], order: str, limit: int
) -> None:
    headers = bearer(user)
    ids = walk(client, headers, order, limit)
    expected = list(User.objects.order_by(*ORDERINGS[order]).values_list("id", flat=True))
    assert sorted(ids) == sorted(expected)
    assert len(ids) == len(set(ids))
    # Same order as one big page, which the database sorted itself.
    assert ids == walk(client, headers, order, 200)


def test_a_tampered_or_foreign_cursor_is_422(client: Any, user: Any, many_users: list[Any]) -> None:
    headers = bearer(user)
    cursor = client.get("/api/users", {"limit": 2}, **headers).json()["next_cursor"]
    tampered = client.get("/api/users", {"limit": 2, "cursor": cursor[:-3] + "abc"}, **headers)
    assert tampered.status_code == 422
    assert tampered.json()["errors"][0]["field"] == "cursor"
    other_order = client.get(
        "/api/users", {"limit": 2, "cursor": cursor, "order": "team"}, **headers
    )
    assert other_order.status_code == 422
    assert client.get("/api/users", {"cursor": "garbage"}, **headers).status_code == 422


@pytest.mark.parametrize("limit", ["0", "201", "ten"])
def test_limit_outside_1_to_200_is_422(client: Any, user: Any, limit: str) -> None:
    response = client.get("/api/users", {"limit": limit}, **bearer(user))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_a_page_costs_the_same_queries_whatever_its_size(
    client: Any, user: Any, many_users: list[Any]
) -> None:
    headers = bearer(user)
    client.get("/api/users", **headers)  # first use of the token writes last_used_at

    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get("/api/users", {"limit": limit, "order": "team"}, **headers).status_code
                == 200
            )
        return len(ctx.captured_queries)

    assert count(2) == count(20)
