"""The SSRF guard: what a webhook URL may point at."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.automation.webhooks.addresses import AddressRefused, check_subscription_url, resolve

pytestmark = pytest.mark.usefixtures("settings")


@pytest.fixture(autouse=True)
def _defaults(settings: Any) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = False
    settings.CLIENTELA_WEBHOOKS_ALLOW_HTTP = True


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.20/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
    ],
)
def test_private_and_loopback_addresses_are_refused_by_default(url: str) -> None:
    with pytest.raises(AddressRefused, match="CLIENTELA_WEBHOOKS_ALLOW_PRIVATE"):
        resolve(url)


def test_private_addresses_are_allowed_with_the_flag(settings: Any) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = True
    target = resolve("http://10.1.2.3:8080/hook")
    assert (target.host, target.port, target.address) == ("10.1.2.3", 8080, "10.1.2.3")
    assert resolve("http://[::ffff:127.0.0.1]/x").address == "127.0.0.1"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.10.1/",
        "http://[fe80::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_link_local_and_odd_addresses_are_refused_even_with_the_flag(
    settings: Any, url: str
) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(AddressRefused):
        resolve(url)


def test_public_addresses_are_allowed_and_pinned() -> None:
    target = resolve("https://93.184.215.14/hooks")
    assert (target.scheme, target.port, target.address) == ("https", 443, "93.184.215.14")


def test_http_is_refused_in_production(settings: Any) -> None:
    settings.CLIENTELA_WEBHOOKS_ALLOW_HTTP = False
    with pytest.raises(AddressRefused, match="https://"):
        resolve("http://93.184.215.14/hooks")


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/", "https:///nohost", "not a url", "https://u:p@93.184.215.14/"]
)
def test_other_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(AddressRefused):
        resolve(url)


def test_a_name_that_does_not_resolve_is_refused_when_saved() -> None:
    with pytest.raises(AddressRefused, match="could not be found"):
        check_subscription_url("https://no-such-host.invalid/hook")
