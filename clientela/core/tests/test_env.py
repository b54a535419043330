"""The typed environment readers: good values pass, bad ones stop start-up with an error
that names the variable."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

import clientela
from clientela.cli import main
from clientela.env import (
    ConfigError,
    env_bool,
    env_cache_url,
    env_choice,
    env_email_url,
    env_host,
    env_int,
    env_list,
    env_networks,
    env_phone_region,
    env_rate,
    env_str,
    env_time_zone,
)

VAR = "CLIENTELA_TEST_VALUE"


@pytest.fixture(autouse=True)
def _clean_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)


def test_env_str_reads_value_or_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_str(VAR, "fallback") == "fallback"
    monkeypatch.setenv(VAR, "hello")
    assert env_str(VAR, "fallback") == "hello"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_env_bool_accepts_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_missing_or_empty_gives_default(
    monkeypatch: pytest.MonkeyPatch, default: bool
) -> None:
    assert env_bool(VAR, default) is default
    monkeypatch.setenv(VAR, "")
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "y e s"])
def test_env_bool_rejects_anything_else_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ConfigError, match=VAR):
        env_bool(VAR)


@pytest.mark.parametrize(("raw", "expected"), [("5", 5), ("0", 0), ("-3", -3), (" 42 ", 42)])
def test_env_int_reads_integers(monkeypatch: pytest.MonkeyPatch, raw: str, expected: int) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, 7) == expected


def test_env_int_missing_or_empty_gives_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_int(VAR, 7) == 7
    monkeypatch.setenv(VAR, "")
    assert env_int(VAR, 7) == 7


@pytest.mark.parametrize("raw", ["abc", "1.5", "10k", "0x10"])
def test_env_int_rejects_non_integers_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ConfigError, match=VAR):
        env_int(VAR, 1)


def test_env_int_enforces_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "4")
    with pytest.raises(ConfigError, match=f"{VAR}=4 must be at least 5"):
        env_int(VAR, 25, minimum=5)
    monkeypatch.setenv(VAR, "5")
    assert env_int(VAR, 25, minimum=5) == 5


def test_env_choice_accepts_a_listed_value_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_choice(VAR, "b", ["a", "b"]) == "b"
    monkeypatch.setenv(VAR, "a")
    assert env_choice(VAR, "b", ["a", "b"]) == "a"


def test_env_choice_rejects_an_unlisted_value_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(VAR, "c")
    with pytest.raises(ConfigError, match=VAR):
        env_choice(VAR, "a", ["a", "b"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a,b", ["a", "b"]),
        (" a , b ,, c ", ["a", "b", "c"]),
        ("single", ["single"]),
        ("   ", ["default"]),
    ],
)
def test_env_list_splits_on_commas(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_list(VAR, ["default"]) == expected


def test_env_list_missing_gives_a_copy_of_the_default() -> None:
    default = ("x",)
    assert env_list(VAR, default) == ["x"]


def test_email_url_console_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_email_url(VAR, "console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    monkeypatch.setenv(VAR, "memory://")
    assert env_email_url(VAR, "console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }


def test_email_url_plain_smtp_with_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "smtp://mail.example.com")
    config = env_email_url(VAR, "console://")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
    }


def test_email_url_starttls_with_credentials_unquoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "smtp+tls://crm%40example.com:p%40ss%3Aword@smtp.example.com:587")
    config = env_email_url(VAR, "console://")
    assert config["EMAIL_HOST"] == "smtp.example.com"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "crm@example.com"
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss:word"
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_USE_SSL"] is False


def test_email_url_ssl_defaults_to_port_465(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "smtp+ssl://smtp.example.com")
    config = env_email_url(VAR, "console://")
    assert config["EMAIL_PORT"] == 465
    assert config["EMAIL_USE_SSL"] is True
    assert config["EMAIL_USE_TLS"] is False


@pytest.mark.parametrize(
    "raw",
    [
        "http://mail.example.com",
        "smtps://mail.example.com",
        "mail.example.com",
        "smtp://",
        "smtp://:25",
        "smtp://mail.example.com:notaport",
        "smtp://mail.example.com:99999",
    ],
)
def test_email_url_rejects_bad_urls_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ConfigError, match=VAR):
        env_email_url(VAR, "console://")


def test_env_time_zone_and_phone_region_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ_VAR", "Europe/Madrid")
    assert env_time_zone("TZ_VAR", "UTC") == "Europe/Madrid"
    monkeypatch.setenv("TZ_VAR", "Mars/Olympus")
    with pytest.raises(ConfigError, match="TZ_VAR"):
        env_time_zone("TZ_VAR", "UTC")
    monkeypatch.setenv("REGION_VAR", "es")
    assert env_phone_region("REGION_VAR", "US") == "ES"
    monkeypatch.setenv("REGION_VAR", "XX")
    with pytest.raises(ConfigError, match="REGION_VAR"):
        env_phone_region("REGION_VAR", "US")


def test_env_int_enforces_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "65536")
    with pytest.raises(ConfigError, match=f"{VAR}=65536 must be at most 65535"):
        env_int(VAR, 8000, minimum=1, maximum=65535)
    monkeypatch.setenv(VAR, "65535")
    assert env_int(VAR, 8000, minimum=1, maximum=65535) == 65535


@pytest.mark.parametrize(
    "raw",
    ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost", "crm-1.example.com"],  # noqa: S104
)
def test_env_host_accepts_addresses_and_host_names(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_host(VAR, "127.0.0.1") == raw


def test_env_host_missing_or_empty_gives_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_host(VAR, "127.0.0.1") == "127.0.0.1"
    monkeypatch.setenv(VAR, "")
    assert env_host(VAR, "127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize(
    "raw",
    ["127.0.0.1:8000", "http://crm.example.com", "two words", "-bad.example.com", "a" * 64, "[::]"],
)
def test_env_host_rejects_anything_else_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ConfigError, match=VAR):
        env_host(VAR, "127.0.0.1")


# --- rate limits: rates, trusted proxies, the shared store ------------------------------


@pytest.mark.parametrize("raw", ["600/m", "3/h", "50/15m", "1/s", "10/2d"])
def test_env_rate_accepts_a_count_per_period(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_rate(VAR, "1/m") == raw


@pytest.mark.parametrize("raw", ["600", "0/m", "10/y", "ten/m", "10/0m", "-1/m", "5/m/h"])
def test_env_rate_refuses_anything_else(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ConfigError, match=f"{VAR}.*600/m"):
        env_rate(VAR, "1/m")


def test_env_networks_reads_addresses_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_networks(VAR) == []
    monkeypatch.setenv(VAR, "127.0.0.1, 10.0.0.0/8,::1, 2001:db8::/32")
    assert env_networks(VAR) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "2001:db8::/32"]


@pytest.mark.parametrize("raw", ["proxy.internal", "10.0.0.1/8", "300.1.1.1", "10.0.0.0/33"])
def test_env_networks_refuses_what_is_not_an_address(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, f"127.0.0.1,{raw}")
    with pytest.raises(ConfigError, match=VAR):
        env_networks(VAR)


def test_env_cache_url_database_by_default_and_locmem(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_cache_url(VAR, "db://") == {"STORE": "db"}
    monkeypatch.setenv(VAR, "locmem://")
    assert env_cache_url(VAR, "db://") == {"STORE": "locmem"}


def test_env_cache_url_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "redis://:secret@redis.internal:6379/1")
    assert env_cache_url(VAR, "db://") == {
        "STORE": "redis",
        "LOCATION": "redis://:secret@redis.internal:6379/1",
    }


@pytest.mark.parametrize(
    "raw",
    [
        "memcached://:secret@host:11211",
        "redis://:secret@",
        "redis://:secret@host:port/1",
        "redis://:secret@host:6379/cache",
        "db://:secret@elsewhere",
    ],
)
def test_env_cache_url_refuses_others_without_showing_a_password(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ConfigError, match=VAR) as error:
        env_cache_url(VAR, "db://")
    assert "secret" not in str(error.value)


def test_rate_limit_settings_have_documented_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CLIENTELA_CACHE_URL",
        "CLIENTELA_TRUSTED_PROXIES",
        "CLIENTELA_API_RATE_PER_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    values = _settings()
    assert values["CLIENTELA_RATE_STORE"] == {"STORE": "db"}
    assert values["CLIENTELA_TRUSTED_PROXIES"] == []
    assert values["CLIENTELA_API_RATE_PER_TOKEN"] == "600/m"
    assert values["AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT"] is False
    monkeypatch.setenv("CLIENTELA_API_RATE_PER_TOKEN", "a lot")
    with pytest.raises(ConfigError, match="CLIENTELA_API_RATE_PER_TOKEN"):
        _settings()


# --- the variables read outside the settings' "Clientela" block -------------------------


def _settings() -> dict[str, Any]:
    """The settings module run afresh, reading the environment as it is now."""
    return runpy.run_path(str(Path(clientela.__file__).parent / "settings.py"))


def test_the_import_chunk_is_a_checked_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTELA_IMPORT_CHUNK", raising=False)
    assert _settings()["CLIENTELA_IMPORT_CHUNK"] == 2000
    monkeypatch.setenv("CLIENTELA_IMPORT_CHUNK", "100")
    assert _settings()["CLIENTELA_IMPORT_CHUNK"] == 100
    for bad in ("0", "many"):
        monkeypatch.setenv("CLIENTELA_IMPORT_CHUNK", bad)
        with pytest.raises(ConfigError, match="CLIENTELA_IMPORT_CHUNK"):
            _settings()


SERVE_VARS = ("CLIENTELA_HOST", "CLIENTELA_PORT", "WEB_CONCURRENCY")


@pytest.fixture
def gunicorn_argv(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What ``serve`` would replace its process with (``os.execv`` stopped)."""
    for name in SERVE_VARS:
        monkeypatch.delenv(name, raising=False)
    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(list(argv)))
    return calls


def _bind_and_workers(argv: list[str]) -> tuple[str, str]:
    return argv[argv.index("--bind") + 1], argv[argv.index("--workers") + 1]


def test_serve_reads_host_port_and_workers_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, gunicorn_argv: list[list[str]]
) -> None:
    call_command("serve", no_collectstatic=True)
    assert _bind_and_workers(gunicorn_argv[-1]) == ("127.0.0.1:8000", "2")
    monkeypatch.setenv("CLIENTELA_HOST", "::")
    monkeypatch.setenv("CLIENTELA_PORT", "9002")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    call_command("serve", no_collectstatic=True)
    assert _bind_and_workers(gunicorn_argv[-1]) == ("[::]:9002", "5")


def test_serve_options_win_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, gunicorn_argv: list[list[str]]
) -> None:
    # Not even read, so a bad value there does not stop an explicit option.
    monkeypatch.setenv("CLIENTELA_HOST", "not valid")
    monkeypatch.setenv("CLIENTELA_PORT", "not valid")
    # gunicorn reads this one itself: it is checked always, but the option still wins.
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    call_command("serve", no_collectstatic=True, host="0.0.0.0", port="9001", workers="3")  # noqa: S104
    assert _bind_and_workers(gunicorn_argv[-1]) == ("0.0.0.0:9001", "3")


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("CLIENTELA_PORT", "x"),
        ("CLIENTELA_PORT", "0"),
        ("CLIENTELA_PORT", "70000"),
        ("WEB_CONCURRENCY", "0"),
        ("WEB_CONCURRENCY", "two"),
        ("CLIENTELA_HOST", "127.0.0.1:8000"),
        ("CLIENTELA_HOST", "http://crm.example.com"),
    ],
)
def test_serve_stops_on_a_bad_variable_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    gunicorn_argv: list[list[str]],
    name: str,
    raw: str,
) -> None:
    monkeypatch.setenv(name, raw)
    assert main(["serve", "--no-collectstatic"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"clientela: configuration error: {name}=")
    assert len(err.splitlines()) == 1
    assert not gunicorn_argv


def test_a_bad_web_concurrency_stops_serve_even_with_workers_given(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    gunicorn_argv: list[list[str]],
) -> None:
    # gunicorn reads it as it loads its configuration, and would fail with a traceback.
    monkeypatch.setenv("WEB_CONCURRENCY", "two")
    assert main(["serve", "--no-collectstatic", "--workers", "3"]) == 2
    assert "WEB_CONCURRENCY" in capsys.readouterr().err
    assert not gunicorn_argv
