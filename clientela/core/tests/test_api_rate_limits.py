"""The API's rate limits: per token, per client address, and stricter for tokens that
fail to authenticate; 429 with ``Retry-After`` in the API's error body, and the
``RateLimit-*`` headers on every answer. ``rate_clock`` stops the rate limits' clock,
so no window ends by chance between two requests of a test."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.test import Client

from clientela.core.models import User
from clientela.core.services import api_token_create
from conftest import RateClock

ME = "/api/v1/me"
CLIENT = "203.0.113.10"
OTHER_CLIENT = "198.51.100.20"


def new_token(user: User) -> str:
    _token, clear = api_token_create(user=user, name="t", scopes=["contacts:read"])
    return clear


def call(token: str, address: str = CLIENT, url: str = ME, **headers: Any) -> Any:
    return Client().get(url, REMOTE_ADDR=address, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


@pytest.fixture
def user(make_user: Any) -> User:
    return make_user("api_user", "admin")  # type: ignore[no-any-return]


def assert_too_many(response: Any) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["errors"] == []
    assert "Too many requests" in body["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Remaining"] == "0"


def test_every_answer_carries_the_rate_limit_headers(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_RATE_PER_TOKEN = "10/m"
    token = new_token(user)
    answers = [call(token), call(token, url="/api/v1/people/999999"), call(token)]
    assert [a.status_code for a in answers] == [200, 404, 200]
    assert [a["RateLimit-Limit"] for a in answers] == ["10", "10", "10"]
    assert [a["RateLimit-Remaining"] for a in answers] == ["9", "8", "7"]
    resets = {int(a["RateLimit-Reset"]) for a in answers}
    assert len(resets) == 1  # one window: the clock stands still
    assert 0 <= resets.pop() <= 60

    refused = call("not-a-token")
    assert refused.status_code == 401
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(refused.headers)


def test_a_token_over_its_limit_gets_429_until_its_window_ends(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_RATE_PER_TOKEN = "3/m"
    token, second_token = new_token(user), new_token(user)
    assert [call(token).status_code for _ in range(3)] == [200, 200, 200]
    refused = call(token)
    assert_too_many(refused)
    assert refused["Retry-After"] == refused["RateLimit-Reset"]
    assert call(second_token).status_code == 200  # the limit is the token's

    rate_clock.advance(60)
    assert call(token).status_code == 200


def test_one_address_over_its_limit_is_refused_whatever_the_token(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_RATE_PER_IP = "4/m"
    tokens = [new_token(user) for _ in range(3)]
    assert [call(tokens[0]).status_code, call(tokens[0]).status_code] == [200, 200]
    assert [call(tokens[1]).status_code, call(tokens[1]).status_code] == [200, 200]
    assert_too_many(call(tokens[2]))
    assert call(tokens[2], address=OTHER_CLIENT).status_code == 200


def test_wrong_tokens_use_up_the_address_then_even_a_right_token_is_refused(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_AUTH_FAILURE_RATE = "5/m"
    token = new_token(user)
    guesses = [call(secrets.token_urlsafe(32)).status_code for _ in range(5)]
    assert guesses == [401] * 5
    # The address has no failures left: tokens are refused before they are looked up,
    # so a right guess now would gain nothing.
    assert_too_many(call(token))
    assert_too_many(call(secrets.token_urlsafe(32)))
    assert call(token, address=OTHER_CLIENT).status_code == 200

    rate_clock.advance(60)
    assert call(token).status_code == 200


def test_requests_without_a_token_are_not_failed_authentications(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_AUTH_FAILURE_RATE = "2/m"
    for _ in range(5):
        assert Client().get(ME, REMOTE_ADDR=CLIENT).status_code == 401
    assert call(new_token(user)).status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_RATE_PER_IP = "3/m"
    token = new_token(user)
    answers = [call(token, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_allowance(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_RATE_PER_IP = "2/m"
    settings.CLIENTELA_TRUSTED_PROXIES = ["10.0.0.0/24"]
    token = new_token(user)

    def via_proxy(client: str) -> int:
        return call(token, address="10.0.0.2", HTTP_X_FORWARDED_FOR=client).status_code  # type: ignore[no-any-return]

    assert [via_proxy(CLIENT) for _ in range(3)] == [200, 200, 429]
    assert [via_proxy(OTHER_CLIENT) for _ in range(2)] == [200, 200]


def test_the_headers_report_the_limit_closest_to_running_out(
    user: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_API_RATE_PER_IP = "100/m"
    settings.CLIENTELA_API_RATE_PER_TOKEN = "5/m"
    response = call(new_token(user))
    assert (response["RateLimit-Limit"], response["RateLimit-Remaining"]) == ("5", "4")

    settings.CLIENTELA_API_RATE_PER_IP = "3/m"  # a new rate counts afresh
    response = call(new_token(user))
    assert (response["RateLimit-Limit"], response["RateLimit-Remaining"]) == ("3", "2")
