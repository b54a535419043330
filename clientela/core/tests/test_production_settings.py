"""Production settings cannot be made unsafe (debug pages, a missing or weak key, an
HTTPS redirect that would loop), their safe defaults are on, and the environment
docs/deploy.md documents passes ``check --deploy`` without a warning."""

from __future__ import annotations

import runpy
import secrets
from pathlib import Path
from typing import Any

import pytest

import clientela
from clientela.env import ConfigError

ROOT = Path(clientela.__file__).resolve().parent.parent
STRONG_KEY = "k" + secrets.token_urlsafe(50)
SECURITY_VARS = (
    "CLIENTELA_PRODUCTION",
    "CLIENTELA_DEBUG",
    "SECRET_KEY",
    "CLIENTELA_BEHIND_HTTPS_PROXY",
    "CLIENTELA_SSL_REDIRECT",
    "CLIENTELA_SECURE_COOKIES",
    "CLIENTELA_HSTS_SECONDS",
    "CLIENTELA_HSTS_INCLUDE_SUBDOMAINS",
    "CLIENTELA_HSTS_PRELOAD",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECURITY_VARS:
        monkeypatch.delenv(name, raising=False)


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """The settings module run afresh with these variables set."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "clientela" / "settings.py"))


def _production(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    base = {
        "CLIENTELA_PRODUCTION": "true",
        "SECRET_KEY": STRONG_KEY,
        "CLIENTELA_BEHIND_HTTPS_PROXY": "true",
    }
    return _settings(monkeypatch, **(base | env))


def test_production_refuses_debug_even_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="CLIENTELA_DEBUG"):
        _production(monkeypatch, CLIENTELA_DEBUG="true")


def test_production_refuses_to_start_without_a_key_even_in_debug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        _production(monkeypatch, SECRET_KEY="")
    with pytest.raises(ConfigError, match=r"CLIENTELA_DEBUG|SECRET_KEY"):
        _production(monkeypatch, SECRET_KEY="", CLIENTELA_DEBUG="true")


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "a" * 60,  # long but one character
        "insecure-development-key-change-me",
        "django-insecure-" + "x1y2z3" * 10,
    ],
)
def test_production_refuses_a_weak_key(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        _production(monkeypatch, SECRET_KEY=key)


def test_production_turns_the_https_protections_on_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _production(monkeypatch)
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == STRONG_KEY
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is True


def test_each_https_protection_can_be_tuned(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _production(
        monkeypatch,
        CLIENTELA_HSTS_SECONDS="3600",
        CLIENTELA_HSTS_INCLUDE_SUBDOMAINS="false",
        CLIENTELA_HSTS_PRELOAD="no",
        CLIENTELA_SSL_REDIRECT="off",
    )
    assert settings["SECURE_HSTS_SECONDS"] == 3600
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert settings["SECURE_HSTS_PRELOAD"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    with pytest.raises(ConfigError, match="CLIENTELA_HSTS_SECONDS"):
        _production(monkeypatch, CLIENTELA_HSTS_SECONDS="-1")


def test_an_https_redirect_without_the_proxy_header_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every request would look like plain HTTP and be redirected forever.
    with pytest.raises(ConfigError, match="CLIENTELA_BEHIND_HTTPS_PROXY"):
        _production(monkeypatch, CLIENTELA_BEHIND_HTTPS_PROXY="false")
    settings = _production(
        monkeypatch, CLIENTELA_BEHIND_HTTPS_PROXY="false", CLIENTELA_SSL_REDIRECT="false"
    )
    assert settings["SECURE_SSL_REDIRECT"] is False


def test_development_keeps_plain_http_and_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, CLIENTELA_DEBUG="true")
    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"] == "insecure-development-key-change-me"
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0


def test_the_documented_production_environment_passes_check_deploy() -> None:
    check = runpy.run_path(str(ROOT / "scripts" / "check_deploy.py"))
    env = check["documented_environment"](ROOT / "var")
    assert env["CLIENTELA_PRODUCTION"] == "true"
    assert len(env["SECRET_KEY"]) >= 50
    assert check["main"]() == 0
