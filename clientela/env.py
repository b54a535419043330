"""Typed readers for environment variables that fail fast on a bad value.

Settings read every production value through these, so a typo in a deployment
stops the process at start-up with a message naming the variable, instead of
surfacing later as odd behaviour.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import zoneinfo
from collections.abc import Sequence
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import phonenumbers


class ConfigError(Exception):
    """An environment variable holds a value Clientela cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use true/false, yes/no, 1/0)")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}={value} must be at most {maximum}")
    return value


#: A host name as RFC 1123 allows it: dot-separated labels of letters, digits and inner
#: hyphens, each at most 63 characters.
_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


def env_host(name: str, default: str) -> str:
    """An address to listen on: an IPv4 or IPv6 address or a host name, without a port
    (``0.0.0.0``, ``::``, ``localhost``)."""
    value = (os.environ.get(name) or default).strip()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if len(value) > 253 or not _HOST_NAME.fullmatch(value):
            raise ConfigError(
                f"{name}={value!r} is not an IP address or host name (e.g. 127.0.0.1, ::)"
            ) from None
    return value


def env_choice(name: str, default: str, choices: Sequence[str]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_list(name: str, default: Sequence[str] = ()) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_email_url(name: str, default: str) -> dict[str, object]:
    """Parse EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…, smtp+ssl://…, console://,
    memory://) into Django's EMAIL_* settings."""
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    scheme = parts.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ConfigError(
            f"{name}={raw!r}: scheme must be smtp, smtp+tls, smtp+ssl, console or memory"
        )
    if not parts.hostname:
        raise ConfigError(f"{name}={raw!r} has no host")
    try:
        port = parts.port or (465 if scheme == "smtp+ssl" else 25)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} has an invalid port") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
    }


#: An address as a return path takes it: a dot-atom local part (no "+", which VERP adds)
#: at a host name.
_RETURN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*/=?^_`{|}~-]+)*")


def env_return_address(name: str, default: str) -> tuple[str, str]:
    """A bare e-mail address for a return path (``bounces@example.com``), as its local
    part and its domain (lower-cased). The local part leaves room for a VERP token
    (at most 20 characters) and may not hold "+", the tag delimiter."""
    value = (os.environ.get(name) or default).strip()
    local, at, domain = value.rpartition("@")
    if (
        not at
        or not _RETURN_ADDRESS.fullmatch(local)
        or len(local) > 20
        or len(domain) > 253
        or not _HOST_NAME.fullmatch(domain)
        or domain.endswith(".")
    ):
        raise ConfigError(
            f"{name}={value!r} is not a bare address such as bounces@example.com (a local "
            f"part of at most 20 characters without '+', at a host name)"
        )
    return local.lower(), domain.lower()


_SMS_BACKENDS = {
    "console": "clientela.core.sms.backends.console.ConsoleBackend",
    "file": "clientela.core.sms.backends.console.FileBackend",
    "memory": "clientela.core.sms.backends.locmem.LocmemBackend",
    "twilio": "clientela.core.sms.backends.twilio.TwilioBackend",
    "twilio+http": "clientela.core.sms.backends.twilio.TwilioBackend",
}
_SMS_SENDER = re.compile(r"\+[1-9][0-9]{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")


def env_sms_url(name: str, default: str) -> dict[str, Any]:
    """The SMS backend (``core.sms``) as ``{"BACKEND": class path, "OPTIONS": {...}}``:
    ``console://`` (printed), ``file:///absolute/dir`` (a file per batch),
    ``memory://`` (tests), ``twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com``
    (``twilio+http://`` for a stand-in on plain HTTP). Each takes ``?from=`` (the
    default sender: an E.164 number, ``+`` kept as written, or an alphanumeric id);
    Twilio also ``timeout`` (seconds) and ``status_callback`` (true/false)."""
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    # The auth token is a password: errors never show it.
    shown = f"{parts.scheme}://…" if parts.password else raw
    if parts.scheme not in _SMS_BACKENDS:
        raise ConfigError(
            f"{name}={shown!r}: scheme must be {', '.join(_SMS_BACKENDS)} (see docs/deploy.md)"
        )
    # A "+" in a query means a space; in a sender number it is the plus it looks like.
    query = dict(parse_qsl(parts.query.replace("+", "%2B"), keep_blank_values=True))
    allowed = {"from"} | ({"timeout", "status_callback"} if "twilio" in parts.scheme else set())
    if unknown := sorted(set(query) - allowed):
        raise ConfigError(f"{name}={shown!r}: unknown option {', '.join(unknown)}")
    options: dict[str, Any] = {}
    if "from" in query:
        if not _SMS_SENDER.fullmatch(query["from"]):
            raise ConfigError(
                f"{name}={shown!r}: from={query['from']!r} is neither an E.164 number "
                f"(+34600123456) nor an alphanumeric id of at most 11 characters"
            )
        options["sender"] = query["from"]
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ConfigError(f"{name}={shown!r}: give an absolute directory, file:///var/sms")
        options["path"] = unquote(parts.path)
    elif parts.scheme.startswith("twilio"):
        options.update(_twilio_options(name, shown, parts, query))
    elif parts.netloc or parts.path.strip("/"):
        raise ConfigError(f"{name}={shown!r}: {parts.scheme}:// takes no host or path")
    return {"BACKEND": _SMS_BACKENDS[parts.scheme], "OPTIONS": options}


def _twilio_options(
    name: str, shown: str, parts: SplitResult, query: dict[str, str]
) -> dict[str, Any]:
    if not parts.username or not parts.password:
        raise ConfigError(f"{name}={shown!r}: give ACCOUNT_SID:AUTH_TOKEN@host")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{name}={shown!r} has an invalid port") from None
    scheme = "http" if parts.scheme == "twilio+http" else "https"
    host = parts.hostname or "api.twilio.com"
    host = f"[{host}]" if ":" in host else host
    options: dict[str, Any] = {
        "account_sid": unquote(parts.username),
        "auth_token": unquote(parts.password),
        "base_url": f"{scheme}://{host}" + (f":{port}" if port else ""),
    }
    if "timeout" in query:
        try:
            options["timeout"] = float(query["timeout"])
        except ValueError:
            options["timeout"] = 0.0
        if not 0 < options["timeout"] <= 300:
            raise ConfigError(f"{name}={shown!r}: timeout must be 0 to 300 seconds")
    if "status_callback" in query:
        flag = query["status_callback"].strip().lower()
        if flag not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
            raise ConfigError(f"{name}={shown!r}: status_callback must be true or false")
        options["status_callback"] = flag in {"true", "1", "yes", "on"}
    return options


#: A rate (``core.rate_limits.parse_rate``): a count per period, the period a unit (s, m, h, d)
#: with an optional multiplier: ``600/m``, ``10/h``, ``50/15m``.
_RATE = re.compile(r"[1-9][0-9]*/([1-9][0-9]*)?[smhd]")


def env_rate(name: str, default: str) -> str:
    """A rate limit: ``COUNT/PERIOD`` (``600/m``: 600 a minute; ``50/15m``: 50 in 15
    minutes; units ``s``, ``m``, ``h``, ``d``)."""
    value = (os.environ.get(name) or default).strip()
    if not _RATE.fullmatch(value):
        raise ConfigError(
            f"{name}={value!r} is not a rate: a count per period, e.g. 600/m, 10/h or "
            f"50/15m (units s, m, h, d)"
        )
    return value


def env_networks(name: str) -> list[str]:
    """IP addresses and networks, comma-separated (``127.0.0.1,10.0.0.0/8,::1``)."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError as exc:
            raise ConfigError(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.5, "
                f"10.0.0.0/24): {exc}"
            ) from None
    return networks


def env_cache_url(name: str, default: str) -> dict[str, Any]:
    """Where the rate-limit counts live, shared by every web process
    (``core.rate_limits``): ``db://`` (a table in the database),
    ``redis://[:password@]host:6379/1`` (or ``rediss://`` for TLS), ``locmem://``
    (this process only)."""
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    # A Redis URL may carry a password: errors name the scheme, never the whole URL.
    shown = f"{parts.scheme}://…" if parts.netloc else raw
    if parts.scheme in {"db", "locmem"} and not parts.netloc:
        return {"STORE": parts.scheme}
    if parts.scheme in {"redis", "rediss"}:
        _check_redis_url(name, shown, parts)
        return {"STORE": "redis", "LOCATION": raw}
    raise ConfigError(
        f"{name}={shown!r}: use db:// (the database), redis://host:6379/1 or locmem:// "
        f"(one process only)"
    )


def env_tasks_url(name: str, default: str) -> dict[str, Any]:
    """The background-task backend: ``db://`` (jobs in the database, run by
    ``clientela worker``) or ``redis://[:password@]host:6379/0`` (RQ on Redis; the
    worker then runs RQ's worker and scheduler). Returns the settings it takes:
    ``TASKS``, and for RQ ``RQ_QUEUES`` and the apps to add."""
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    shown = f"{parts.scheme}://…" if parts.netloc else raw
    if parts.scheme == "db" and not parts.netloc:
        return {"TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}}
    if parts.scheme in {"redis", "rediss"}:
        _check_redis_url(name, shown, parts)
        return {
            "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
            "RQ_QUEUES": {"default": {"URL": raw}},
            "APPS": ["django_rq", "django_tasks_rq"],
        }
    raise ConfigError(f"{name}={shown!r}: use db:// (the database) or redis://host:6379/0 (RQ)")


def _check_redis_url(name: str, shown: str, parts: SplitResult) -> None:
    if not parts.hostname:
        raise ConfigError(f"{name}={shown!r} has no host")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigError(f"{name}={shown!r} has an invalid port") from None
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ConfigError(f"{name}={shown!r}: the path is a database number (/0, /1…)")
    if importlib.util.find_spec("redis") is None:
        raise ConfigError(f"{name}={shown!r} needs the Python package redis (pip install redis)")


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name (``Europe/Madrid``)."""
    value = os.environ.get(name) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a time zone (e.g. Europe/Madrid)") from None
    return value


def env_phone_region(name: str, default: str) -> str:
    """An ISO 3166 country code that phone numbers can be read in (``ES``), or "" for
    none given."""
    value = (os.environ.get(name) or default).strip().upper()
    if value and value not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(f"{name}={value!r} is not a country code (e.g. US, ES, MX)")
    return value


#: Django's own test of a strong key (``security.W009``): long and varied enough.
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5


def production_errors(*, debug: bool, secret_key: str) -> None:
    """Refuse a production start-up that would be unsafe: debug pages (they show
    settings, code and data to anyone who triggers an error), or a missing or weak
    ``SECRET_KEY`` (anyone who knows it can forge sessions and password-reset links)."""
    if debug:
        raise ConfigError(
            "CLIENTELA_DEBUG=true is refused when CLIENTELA_PRODUCTION=true: debug pages "
            "show settings and data to anyone"
        )
    if not secret_key:
        raise ConfigError("SECRET_KEY must be set when CLIENTELA_PRODUCTION=true")
    if (
        len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < MIN_SECRET_KEY_CHARACTERS
        or secret_key.startswith("django-insecure-")
        or secret_key == "insecure-development-key-change-me"  # noqa: S105
    ):
        raise ConfigError(
            f"SECRET_KEY is too weak for CLIENTELA_PRODUCTION=true: use at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters (e.g. the output of "
            f"`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)"
        )
