"""VERP return paths (``core.verp``): a signed token naming a delivery, short enough
for a local part, read back only when it was signed here; the bounce address read from
``CLIENTELA_BOUNCE_ADDRESS``, a bad one refused at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.verp import verp_address, verp_addresses_in, verp_token, verp_token_from
from clientela.env import ConfigError, env_return_address


@pytest.fixture(autouse=True)
def bounce_address(settings: Any) -> None:
    settings.SECRET_KEY = "verp-test-key"
    settings.CLIENTELA_BOUNCE_LOCAL = "bounces"
    settings.CLIENTELA_BOUNCE_DOMAIN = "news.clientela.example"


def test_an_address_names_its_delivery() -> None:
    address = verp_address(4711)
    local, _at, domain = address.partition("@")
    assert domain == "news.clientela.example"
    assert local.startswith("bounces+4711.")
    assert len(local) <= 64
    assert verp_token_from(address) == "4711"
    assert verp_token_from(f"Mail Delivery <{address.upper()}>") == "4711"
    # A server that rewrote the domain (an alias) still names the delivery.
    assert verp_token_from(local + "@alias.example") == "4711"


def test_a_uuid_fits_in_a_local_part() -> None:
    delivery = "0f8fad5b-d9cb-469f-a165-70867728950e".replace("-", "")
    assert verp_token_from(verp_address(delivery)) == delivery
    assert len(verp_address(delivery).partition("@")[0]) <= 64


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a.replace("bounces+4711.", "bounces+4712."),  # another delivery
        lambda a: a[:-30] + ("0" if a[-30] != "0" else "1") + a[-29:],  # a changed MAC
        lambda a: a.replace("bounces+", "returns+"),  # not our local part
        lambda a: a.replace("+", "-"),
        lambda a: a.partition(".")[0] + "@news.clientela.example",  # no MAC
        lambda a: a.partition("@")[0],  # no domain
    ],
)
def test_a_tampered_address_names_nothing(change: Any) -> None:
    assert verp_token_from(change(verp_address(4711))) is None


def test_another_key_names_nothing(settings: Any) -> None:
    address = verp_address(4711)
    settings.SECRET_KEY = "another-key"
    assert verp_token_from(address) is None


@pytest.mark.parametrize("delivery", ["", "UPPER CASE", "a.b", "x" * 33, "-1", "é"])
def test_an_id_a_token_cannot_carry_is_refused(delivery: str) -> None:
    with pytest.raises(ValueError, match="VERP"):
        verp_token(delivery)


def test_a_local_part_over_64_characters_is_refused(settings: Any) -> None:
    settings.CLIENTELA_BOUNCE_LOCAL = "x" * 20
    with pytest.raises(ValueError, match="longer than 64"):
        verp_address("a" * 32)


def test_addresses_are_found_in_text() -> None:
    address = verp_address(7)
    text = f"Return-path: <{address}>\nfor xbounces+1.2@example.com; bounces@example.com"
    assert verp_addresses_in(text) == [address]


def test_the_bounce_address_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTELA_BOUNCE_ADDRESS", "Rebotes@News.Example.com")
    assert env_return_address("CLIENTELA_BOUNCE_ADDRESS", "x@y.z") == (
        "rebotes",
        "news.example.com",
    )
    monkeypatch.delenv("CLIENTELA_BOUNCE_ADDRESS")
    assert env_return_address("CLIENTELA_BOUNCE_ADDRESS", "bounces@localhost") == (
        "bounces",
        "localhost",
    )


@pytest.mark.parametrize(
    "value",
    [
        "bounces",
        "bounces+x@example.com",
        "@example.com",
        "b@",
        "a b@example.com",
        "b@-x.example",
        f"{'x' * 21}@example.com",
    ],
)
def test_a_bad_bounce_address_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CLIENTELA_BOUNCE_ADDRESS", value)
    with pytest.raises(ConfigError, match="CLIENTELA_BOUNCE_ADDRESS"):
        env_return_address("CLIENTELA_BOUNCE_ADDRESS", "bounces@localhost")
