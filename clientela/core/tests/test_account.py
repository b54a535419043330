"""A user's own account pages: preferences (language, time zone) and API tokens."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from clientela.core.models import ApiToken, User
from clientela.core.services import api_token_create, hash_token

PREFS = "/account/preferences/"
TOKENS = "/account/tokens/"


@pytest.fixture
def rep_client(client: Client, rep_north: User) -> Client:
    client.force_login(rep_north)
    return client


# --- preferences ----------------------------------------------------------------------


def test_preferences_page_shows_current_choices_common_zones_first(
    rep_client: Client,
) -> None:
    response = rep_client.get(PREFS)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="en" selected>' in body
    assert '<option value="UTC" selected>' in body
    # The common zones come before the full, sorted list.
    assert body.index('value="Europe/Madrid"') < body.index('value="Africa/Abidjan"')
    assert 'value="Pacific/Auckland"' in body


def test_switching_to_spanish_saves_and_shows_the_page_in_spanish(
    rep_client: Client, rep_north: User
) -> None:
    response = rep_client.post(PREFS, {"language": "es", "time_zone": "Europe/Madrid"})
    assert response.status_code == 302
    rep_north.refresh_from_db()
    assert (rep_north.language, rep_north.time_zone) == ("es", "Europe/Madrid")
    assert response.cookies["django_language"].value == "es"

    page = rep_client.get(PREFS)
    assert '<html lang="es">' in page.content.decode()
    assert page["Content-Language"] == "es"
    # Django's own catalogue is always compiled: its form errors now speak Spanish.
    bad = rep_client.post(PREFS, {"language": "es", "time_zone": "Mars/Olympus"})
    assert "Escoja una opción válida" in bad.content.decode()


def test_the_chosen_time_zone_is_active_on_the_next_page(
    rep_client: Client, rep_north: User
) -> None:
    rep_client.post(PREFS, {"language": "en", "time_zone": "America/Bogota"})
    response = rep_client.get(PREFS)
    assert str(response.context["TIME_ZONE"]) == "America/Bogota"


def test_a_request_leaves_the_threads_zone_and_language_as_it_found_them(
    rep_client: Client, rep_north: User
) -> None:
    rep_north.language, rep_north.time_zone = "es", "America/Bogota"
    rep_north.save()
    page = rep_client.get(PREFS)
    assert page["Content-Language"] == "es"
    assert str(page.context["TIME_ZONE"]) == "America/Bogota"
    # The next request (or test) on this thread starts from the site's defaults.
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_a_streamed_export_is_written_in_the_users_language(
    rep_client: Client, rep_north: User
) -> None:
    rep_north.language = "es"
    rep_north.save()
    response = rep_client.get(reverse("integrations:export", args=["people", "csv"]))
    # The body is produced after the middleware has returned, as the server reads it.
    assert response.streaming
    header = response.getvalue().decode("utf-8-sig").splitlines()[0]
    assert "nombre" in header.split(",")
    assert translation.get_language() == settings.LANGUAGE_CODE


@pytest.mark.parametrize(
    "data",
    [
        {"language": "xx", "time_zone": "UTC"},
        {"language": "en", "time_zone": "Mars/Olympus"},
        {"language": "", "time_zone": ""},
        {"language": "en", "time_zone": "<script>alert(1)</script>"},
        {},
    ],
)
def test_bad_preferences_are_refused_and_nothing_is_saved(
    rep_client: Client, rep_north: User, data: dict[str, str]
) -> None:
    response = rep_client.post(PREFS, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body
    assert "<script>alert(1)</script>" not in body
    rep_north.refresh_from_db()
    assert (rep_north.language, rep_north.time_zone) == ("en", "UTC")


def test_account_pages_need_login(db: Any, client: Client) -> None:
    for url in (PREFS, TOKENS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


# --- API tokens -----------------------------------------------------------------------


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(
    rep_client: Client, rep_north: User
) -> None:
    response = rep_client.post(
        TOKENS, {"name": "Accounting sync", "scopes": ["contacts:read", "contacts:write"]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    match = re.search(r'id="new-token-value" value="(clt_[^"]+)"', body)
    assert match, body
    clear = match.group(1)
    assert 'id="copy-token"' in body

    token = ApiToken.objects.get(user=rep_north)
    assert token.name == "Accounting sync"
    assert token.scopes == ["contacts:read", "contacts:write"]
    assert token.token_hash == hash_token(clear)
    assert clear not in token.token_hash
    assert token.expires_at is None

    # Shown once: the list afterwards has the prefix, never the whole token.
    again = rep_client.get(TOKENS).content.decode()
    assert clear not in again
    assert token.prefix in again
    assert "Accounting sync" in again
    assert "Active" in again


def test_a_token_expiry_date_lasts_to_the_end_of_that_day_in_the_users_zone(
    rep_client: Client, rep_north: User
) -> None:
    rep_north.time_zone = "America/Bogota"
    rep_north.save()
    bogota = zoneinfo.ZoneInfo("America/Bogota")
    day = timezone.localdate(timezone=bogota) + datetime.timedelta(days=30)
    rep_client.post(
        TOKENS, {"name": "Month", "scopes": ["contacts:read"], "expires_at": day.isoformat()}
    )
    token = ApiToken.objects.get(user=rep_north)
    assert token.expires_at is not None
    local = token.expires_at.astimezone(bogota)
    assert local.date() == day + datetime.timedelta(days=1)
    assert (local.hour, local.minute) == (0, 0)


def test_a_token_may_expire_today(rep_client: Client, rep_north: User) -> None:
    # "Today" where the user is: the form reads the date in the user's zone.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(rep_north.time_zone)).isoformat()
    rep_client.post(TOKENS, {"name": "Today", "scopes": ["contacts:read"], "expires_at": today})
    assert ApiToken.objects.get(user=rep_north).is_active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "No scopes"}, "Choose at least one scope."),
        ({"name": "", "scopes": ["contacts:read"]}, "Give the token a name."),
        ({"name": "   ", "scopes": ["contacts:read"]}, "Give the token a name."),
        ({"name": "x" * 101, "scopes": ["contacts:read"]}, "at most 100 characters"),
        ({"name": "Bad", "scopes": ["admin:everything"]}, "Select a valid choice"),
        (
            {"name": "Past", "scopes": ["contacts:read"], "expires_at": "2000-01-01"},
            "The expiry must be in the future.",
        ),
        (
            {"name": "Far", "scopes": ["contacts:read"], "expires_at": "9999-12-31"},
            "within the next 10 years",
        ),
        (
            {"name": "Junk", "scopes": ["contacts:read"], "expires_at": "31/31/2031"},
            "Enter a valid date.",
        ),
    ],
)
def test_bad_token_input_shows_an_inline_error_and_saves_nothing(
    rep_client: Client, rep_north: User, data: dict[str, Any], message: str
) -> None:
    response = rep_client.post(TOKENS, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "invalid-feedback" in body
    assert "new-token-value" not in body
    assert not ApiToken.objects.filter(user=rep_north).exists()


def test_token_names_are_shown_escaped(rep_client: Client) -> None:
    rep_client.post(TOKENS, {"name": "<b>bold</b>", "scopes": ["contacts:read"]})
    body = rep_client.get(TOKENS).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "<b>bold</b>" not in body


def test_the_list_shows_only_the_users_own_tokens_and_their_status(
    rep_client: Client, rep_north: User, rep_south: User
) -> None:
    api_token_create(user=rep_south, name="South secret", scopes=["contacts:read"])
    mine, _clear = api_token_create(user=rep_north, name="Mine", scopes=["contacts:read"])
    ApiToken.objects.filter(pk=mine.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    body = rep_client.get(TOKENS).content.decode()
    assert "Mine" in body
    assert "Expired" in body
    assert "South secret" not in body


def test_revoking_a_token_stops_it(rep_client: Client, rep_north: User) -> None:
    token, _clear = api_token_create(user=rep_north, name="Old", scopes=["contacts:read"])
    url = reverse("core:token-revoke", args=[token.pk])
    assert rep_client.get(url).status_code == 405
    response = rep_client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active
    body = rep_client.get(TOKENS).content.decode()
    assert "Revoked" in body


def test_nobody_can_revoke_another_users_token(rep_client: Client, rep_south: User) -> None:
    theirs, _clear = api_token_create(user=rep_south, name="Theirs", scopes=["contacts:read"])
    response = rep_client.post(reverse("core:token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert rep_client.post(reverse("core:token-revoke", args=[999999])).status_code == 404
