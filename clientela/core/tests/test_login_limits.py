"""Limits on logging in and on password-reset e-mails: a lock-out that tries made
during it do not extend, a limit per client address across user names, and a limit on
reset e-mails per address asked for and per client, answered like a sent e-mail.

Time moves without waiting: ``axes_clock`` is the clock django-axes stamps and judges
attempts by; ``rate_clock`` the one of the rate limits' windows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientela.core.models import User
from conftest import PASSWORD, RateClock

LOGIN = "/account/login/"
RESET = reverse("core:password-reset")
CLIENT = "203.0.113.10"
OTHER_CLIENT = "198.51.100.20"


class AxesClock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def axes_clock(monkeypatch: pytest.MonkeyPatch) -> AxesClock:
    clock = AxesClock()
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: clock.now)
    return clock


def login(username: str, password: str, address: str = CLIENT) -> Any:
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def assert_locked(response: Any) -> None:
    assert response.status_code == 429
    assert "Login locked" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


# --- the lock-out of one user name (django-axes) --------------------------------------


def test_tries_during_a_lock_out_do_not_extend_it(
    rep_north: User, settings: Any, axes_clock: AxesClock
) -> None:
    settings.CLIENTELA_LOGIN_IP_FAILURE_LIMIT = 1000  # only axes' own limit here
    for _ in range(4):
        assert login("nora_north", "wrong").status_code == 200
    assert_locked(login("nora_north", "wrong"))  # locked from now for 15 minutes

    axes_clock.advance(minutes=10)
    for _ in range(3):
        assert_locked(login("nora_north", "wrong"))
    assert_locked(login("nora_north", PASSWORD))
    attempt = AccessAttempt.objects.get(username="nora_north")
    assert attempt.failures_since_start == 5  # the tries while locked were not counted

    # 15 minutes after the lock-out began (not after the last try), the right password
    # works again.
    axes_clock.advance(minutes=5, seconds=1)
    assert login("nora_north", PASSWORD).status_code == 302


# --- failed logins per client address, across user names -----------------------------


def test_an_address_that_failed_too_often_is_refused_for_every_user_name(
    rep_north: User, rep_south: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_LOGIN_IP_FAILURE_LIMIT = 5
    for name in ["ann", "bob", "cy", "dee", "nora_north"]:  # one try each: no name locked
        assert login(name, "wrong").status_code == 200

    refused = login("sam_south", PASSWORD)
    assert_locked(refused)
    page = refused.content.decode()
    assert "5 failed login attempts from your address" in page
    assert "Try again in" in page
    assert 1 <= int(refused["Retry-After"]) <= 15 * 60
    # Refused for the address, not counted against the name.
    assert not AccessAttempt.objects.filter(username="sam_south").exists()

    assert login("sam_south", PASSWORD, address=OTHER_CLIENT).status_code == 302
    rate_clock.advance(15 * 60)  # the window (one cool-off) has ended
    assert login("nora_north", PASSWORD).status_code == 302


def test_the_address_limit_counts_the_forwarded_client_behind_a_trusted_proxy(
    rep_north: User, settings: Any, rate_clock: RateClock
) -> None:
    settings.CLIENTELA_LOGIN_IP_FAILURE_LIMIT = 2
    settings.CLIENTELA_TRUSTED_PROXIES = ["127.0.0.1"]

    def via_proxy(client: str, username: str, password: str) -> Any:
        return Client().post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=client,
        )

    for name in ["ann", "bob"]:
        via_proxy(CLIENT, name, "wrong")
    assert_locked(via_proxy(CLIENT, "nora_north", PASSWORD))
    # Another client behind the same proxy is not locked out with the first.
    assert via_proxy(OTHER_CLIENT, "nora_north", PASSWORD).status_code == 302


# --- password-reset e-mails ----------------------------------------------------------


def ask_reset(email: str, address: str = CLIENT) -> Any:
    response = Client().post(RESET, {"email": email}, REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password-reset-done")
    return response


def test_reset_e_mails_to_one_address_are_limited_and_the_answer_stays_the_same(
    rep_north: User, settings: Any, smtp_server: Any, rate_clock: RateClock
) -> None:
    smtp_server.use(settings)
    for n in range(5):  # each from another client: only the e-mail address's limit
        ask_reset("nora@example.com", address=f"192.0.2.{n}")
    assert [to for _sender, to in smtp_server.envelopes] == [["nora@example.com"]] * 3

    rate_clock.advance(3600)
    ask_reset("NORA@example.com ", address="192.0.2.99")
    assert len(smtp_server.messages) == 4


def test_reset_requests_from_one_client_are_limited(
    rep_north: User,
    rep_south: User,
    admin: User,
    settings: Any,
    smtp_server: Any,
    rate_clock: RateClock,
) -> None:
    smtp_server.use(settings)
    settings.CLIENTELA_PASSWORD_RESET_RATE_PER_IP = "2/h"
    for email in ["nobody@example.com", "nora@example.com", "sam@example.com"]:
        ask_reset(email)
    assert [to for _sender, to in smtp_server.envelopes] == [["nora@example.com"]]

    # Refused for the client, so it used up none of the e-mail address's own quota.
    ask_reset("sam@example.com", address=OTHER_CLIENT)
    assert smtp_server.envelopes[-1][1] == ["sam@example.com"]
    rate_clock.advance(3600)
    ask_reset("alice@example.com")
    assert smtp_server.envelopes[-1][1] == ["alice@example.com"]
    assert len(smtp_server.messages) == 3
