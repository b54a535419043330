"""The client's address: REMOTE_ADDR, unless the request came through a trusted proxy;
then the right-most address of X-Forwarded-For that is not a trusted proxy. Forged
headers change nothing. django-axes' lock-outs key on the same address."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from clientela.core.client_ip import client_ip, client_ip_key
from clientela.core.models import User
from conftest import PASSWORD


def request(remote: str, forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.7", None, "203.0.113.7"),
        # No trusted proxy: the header is whatever the client wrote.
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),
        ("2001:db8::1", "1.2.3.4", "2001:db8::1"),
    ],
)
def test_without_trusted_proxies_the_header_is_ignored(
    settings: Any, remote: str, forwarded: str | None, expected: str
) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = []
    assert client_ip(request(remote, forwarded)) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # A request straight from the internet, not through the proxy: header ignored.
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # Through the proxy: the address it received the request from.
        ("10.0.0.2", "198.51.100.20", "198.51.100.20"),
        # The client forged an entry first; the proxy appended the real address.
        ("10.0.0.2", "1.2.3.4, 198.51.100.20", "198.51.100.20"),
        # Two proxies of ours: skip both.
        ("10.0.0.2", "6.6.6.6, 198.51.100.20, 10.0.0.3", "198.51.100.20"),
        # Garbage a client wrote is never taken; the last vouched-for address is.
        ("10.0.0.2", "not-an-ip, 10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", None, "10.0.0.2"),
        # Ports and IPv4 mapped into IPv6, as some proxies write them.
        ("10.0.0.2", "198.51.100.20:5123", "198.51.100.20"),
        ("10.0.0.2", "[2001:db8::9]:443", "2001:db8::9"),
        ("::ffff:10.0.0.2", "::ffff:198.51.100.20", "198.51.100.20"),
        ("2001:db8:ff::1", "2001:db8::9", "2001:db8::9"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_address_is_the_client(
    settings: Any, remote: str, forwarded: str | None, expected: str
) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8:ff::/48"]
    assert client_ip(request(remote, forwarded)) == expected


def test_rate_limits_count_ipv6_clients_by_their_64_network(settings: Any) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = []
    assert client_ip_key(request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_ip_key(request("2001:db8:1:2:bbbb::7")) == "2001:db8:1:2::/64"
    assert client_ip_key(request("203.0.113.7")) == "203.0.113.7"


def test_axes_locks_the_forwarded_client_not_the_proxy(rep_north: User, settings: Any) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = ["127.0.0.1"]

    def login(client: str, password: str) -> int:
        response = Client().post(
            "/account/login/",
            {"username": "nora_north", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=client,
        )
        return response.status_code

    for _ in range(5):
        login("203.0.113.7", "wrong")
    assert login("203.0.113.7", "wrong") == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    # The same user name from another client behind the same proxy is not locked.
    assert login("198.51.100.20", PASSWORD) == 302


def test_a_forged_header_does_not_escape_an_axes_lock_out(rep_north: User, settings: Any) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = []
    statuses = [
        Client()
        .post(
            "/account/login/",
            {"username": "nora_north", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        .status_code
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
