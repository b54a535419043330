"""The Users section of the settings: the list with its filters and pages, the
invitation by e-mail (a real SMTP server) and its set-password link, editing a user,
deactivating and reactivating (never deleting), the last-admin rule, two-factor reset
and the audit entries of each, with bad input on every form."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.core.models import AuditEntry, Role, Team, User
from clientela.core.services import api_token_create
from clientela.core.services.company import company_profile_update
from clientela.core.tests.test_auth import enable_two_factor
from conftest import PASSWORD

USERS = "/settings/users/"
INVITE = "/settings/users/invite/"


def user_url(user: User, action: str = "") -> str:
    return f"{USERS}{user.pk}/{action + '/' if action else ''}"


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def invite_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "email": "Lucia@Example.com",
        "first_name": "Lucía",
        "last_name": "Gómez",
        "username": "",
        "role": Role.objects.get(key="sales").pk,
        "team": Team.objects.get(name="North").pk,
        "language": "es",
        "time_zone": "Europe/Madrid",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(user: User, **overrides: Any) -> dict[str, Any]:
    data = {
        "email": user.email or f"{user.username}@example.com",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "role": user.role_id,
        "team": user.team_id or "",
        "language": user.language,
        "time_zone": user.time_zone,
    }
    data.update(overrides)
    return data


def audit(user: User) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(content_type__model="user", object_id=user.pk).order_by("id")
    )


def refused_mail_server(settings: Any) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_every_user_with_role_team_and_status(
    admin_client: Client, rep_north: User, rep_south: User, reader: User
) -> None:
    reader.is_active = False
    reader.save()
    body = admin_client.get(USERS).content.decode()
    for user in (rep_north, rep_south, reader):
        assert user_url(user) in body
    assert "nora@example.com" in body
    assert "Deactivated" in body
    assert "Read-only" in body
    assert "South" in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=nora", ["nora_north"], ["sam_south", "mario_manager"]),
        ("q=sam%40example", ["sam_south"], ["nora_north"]),
        ("status=inactive", ["rita_readonly"], ["nora_north"]),
        ("status=active", ["nora_north"], ["rita_readonly"]),
    ],
)
def test_search_and_status_filters(
    admin_client: Client,
    rep_north: User,
    rep_south: User,
    manager_north: User,
    reader: User,
    query: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    reader.is_active = False
    reader.save()
    body = admin_client.get(f"{USERS}?{query}").content.decode()
    for name in shown:
        assert f">{name}<" in body, name
    for name in hidden:
        assert f">{name}<" not in body, name


def test_role_and_team_filters(
    admin_client: Client, rep_north: User, rep_south: User, manager_north: User
) -> None:
    sales, south = Role.objects.get(key="sales"), Team.objects.get(name="South")
    body = admin_client.get(f"{USERS}?role={sales.pk}&team={south.pk}").content.decode()
    assert ">sam_south<" in body
    assert ">nora_north<" not in body
    assert ">mario_manager<" not in body


def test_bad_filters_are_reported_not_fatal(admin_client: Client, rep_north: User) -> None:
    response = admin_client.get(f"{USERS}?status=gone&role=abc&sort=shoe")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Some filters were ignored" in body
    assert ">nora_north<" in body


def test_the_list_pages_and_htmx_gets_only_the_results(
    admin_client: Client, make_user: Any, settings: Any
) -> None:
    settings.CLIENTELA_PAGE_SIZE = 5
    for n in range(7):
        make_user(f"user_{n:02d}")
    body = admin_client.get(f"{USERS}?sort=username").content.decode()
    assert "Page 1 of 2" in body
    assert ">user_00<" in body
    assert ">user_06<" not in body
    partial = admin_client.get(f"{USERS}?sort=username&page=2", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text
    assert ">user_06<" in text


def test_the_list_costs_the_same_queries_for_more_users(
    admin_client: Client, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    make_user("first_one")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(USERS)
    for n in range(10):
        make_user(f"more_{n}", "manager" if n % 2 else "sales", "South" if n % 3 else "North")
    with django_assert_max_num_queries(len(few)):
        admin_client.get(USERS)


# --- the invitation -------------------------------------------------------------------


def test_an_invited_user_sets_a_password_from_the_mail_and_logs_in(
    admin_client: Client, smtp_server: Any, settings: Any
) -> None:
    smtp_server.use(settings)
    response = admin_client.post(INVITE, invite_data())
    user = User.objects.get(email="lucia@example.com")
    assert response.status_code == 302
    assert response["Location"] == user_url(user)
    assert user.role is not None
    assert user.team is not None
    assert (user.username, user.first_name, user.role.key, user.team.name) == (
        "lucia@example.com",
        "Lucía",
        "sales",
        "North",
    )
    assert (user.language, user.time_zone) == ("es", "Europe/Madrid")
    assert not user.has_usable_password()
    assert not user.is_staff
    # The e-mail, in the invited user's language, with the link.
    assert smtp_server.envelopes[0][1] == ["lucia@example.com"]
    message = smtp_server.messages[0]
    assert "alice_admin" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hola, Lucía" in body
    assert "te ha invitado a Clientela" in body
    assert "lucia@example.com" in body
    link = re.search(r"http://testserver(/account/reset/\S+/)", body)
    assert link is not None
    # The audit entry of the new account.
    (entry,) = audit(user)
    assert entry.action == "create"
    assert entry.changes["role"] == [None, "Sales"]
    assert entry.actor is not None
    assert entry.actor.username == "alice_admin"

    # The invited user opens the link, chooses a password and logs in with it.
    visitor = Client()
    page = visitor.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = visitor.post(
        form_url, {"new_password1": "Una-clave-larga-7", "new_password2": "Una-clave-larga-7"}
    )
    assert done.status_code == 302
    login = Client().post(
        reverse("core:login"), {"username": "lucia@example.com", "password": "Una-clave-larga-7"}
    )
    assert login.status_code == 302
    # The link worked once.
    assert "not valid any more" in Client().get(link.group(1), follow=True).content.decode()


def test_the_invitation_shows_the_company_defaults(admin_client: Client) -> None:
    company_profile_update(
        actor=User.objects.get(username="alice_admin"),
        data={"language": "es", "time_zone": "America/Bogota"},
    )
    body = admin_client.get(INVITE).content.decode()
    assert '<option value="es" selected>' in body
    assert '<option value="America/Bogota" selected>' in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-address"}, "email", "is not a valid e-mail address"),
        ({"email": "NORA@example.com"}, "email", "Another user already has this e-mail address."),
        ({"username": "nora_north"}, "username", "A user with that username already exists."),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"role": ""}, "role", "This field is required."),
        ({"role": "999999"}, "role", "Select a valid choice"),
        ({"team": "999999"}, "team", "Select a valid choice"),
        ({"language": "tlh"}, "language", "Select a valid choice"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"first_name": "x" * 151}, "first_name", "at most 150 characters"),
    ],
)
def test_bad_invitations_say_why_and_create_nobody(
    admin_client: Client,
    rep_north: User,
    mailoutbox: list[Any],
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    count = User.objects.count()
    response = admin_client.post(INVITE, invite_data(**overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="id_{field}-errors"' in body
    assert User.objects.count() == count
    assert not mailoutbox
    assert not AuditEntry.objects.filter(content_type__model="user").exists()


def test_a_refused_invitation_mail_creates_nobody(admin_client: Client, settings: Any) -> None:
    refused_mail_server(settings)
    count = User.objects.count()
    response = admin_client.post(INVITE, invite_data())
    assert response.status_code == 200
    assert "The mail server did not accept the e-mail" in response.content.decode()
    assert User.objects.count() == count
    assert not AuditEntry.objects.filter(content_type__model="user").exists()


def test_the_invitation_can_be_sent_again(
    admin_client: Client, mailoutbox: list[Any], rep_north: User
) -> None:
    admin_client.post(INVITE, invite_data())
    invited = User.objects.get(email="lucia@example.com")
    page = admin_client.get(user_url(invited)).content.decode()
    assert "Send the invitation again" in page
    admin_client.post(user_url(invited, "password-link"))
    assert len(mailoutbox) == 2
    assert "/account/reset/" in mailoutbox[1].body
    # For a user who has a password, it is a reset link.
    admin_client.post(user_url(rep_north, "password-link"))
    assert mailoutbox[2].to == ["nora@example.com"]
    assert "new password" in mailoutbox[2].body


# --- editing --------------------------------------------------------------------------


def test_admin_changes_role_team_language_and_time_zone(
    admin_client: Client, rep_north: User, rep_south: User
) -> None:
    manager, south = Role.objects.get(key="manager"), Team.objects.get(name="South")
    data = edit_data(
        rep_north, role=manager.pk, team=south.pk, language="es", time_zone="America/Lima"
    )
    response = admin_client.post(user_url(rep_north), data)
    assert response.status_code == 302
    rep_north.refresh_from_db()
    assert (rep_north.role, rep_north.team, rep_north.language, rep_north.time_zone) == (
        manager,
        south,
        "es",
        "America/Lima",
    )
    (entry,) = audit(rep_north)
    assert entry.changes == {
        "language": ["en", "es"],
        "role": ["Sales", "Manager"],
        "team": ["North", "South"],
        "time_zone": ["UTC", "America/Lima"],
    }
    page = admin_client.get(user_url(rep_north)).content.decode()
    assert "America/Lima" in page
    assert "History" in page


def test_the_time_zone_is_a_list_of_iana_zones(admin_client: Client, rep_north: User) -> None:
    body = admin_client.get(user_url(rep_north)).content.decode()
    assert '<select name="time_zone"' in body
    assert '<option value="Europe/Madrid">' in body
    assert '<option value="Pacific/Auckland">' in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "sam@example.com"}, "email", "Another user already has this e-mail address."),
        ({"username": ""}, "username", "This field is required."),
        ({"username": "SAM_SOUTH"}, "username", "A user with that username already exists."),
        ({"time_zone": "Nowhere/City"}, "time_zone", "Select a valid choice"),
        ({"role": "abc"}, "role", "Select a valid choice"),
    ],
)
def test_bad_edits_say_why_and_save_nothing(
    admin_client: Client,
    rep_north: User,
    rep_south: User,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = User.objects.filter(pk=rep_north.pk).values().get()
    response = admin_client.post(
        user_url(rep_north), edit_data(rep_north, first_name="Changed", **overrides)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="id_{field}-errors"' in body
    assert User.objects.filter(pk=rep_north.pk).values().get() == before
    assert not audit(rep_north)


def test_unknown_users_are_404(admin_client: Client) -> None:
    for url in (f"{USERS}999999/", f"{USERS}0/"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.post(f"{USERS}999999/deactivate/").status_code == 404


# --- deactivation and the last admin ----------------------------------------------------


def test_a_deactivated_user_cannot_log_in_and_their_session_and_tokens_stop(
    admin_client: Client, rep_north: User
) -> None:
    session = Client()
    session.force_login(rep_north)
    assert session.get(reverse("core:profile")).status_code == 200
    _token, clear = api_token_create(user=rep_north, name="sync", scopes=["contacts:read"])
    api = {"Authorization": f"Bearer {clear}"}
    assert Client().get("/api/v1/me", headers=api).status_code == 200

    response = admin_client.post(user_url(rep_north, "deactivate"), follow=True)
    assert "is deactivated" in response.content.decode()
    rep_north.refresh_from_db()
    assert not rep_north.is_active
    assert User.objects.filter(pk=rep_north.pk).exists()  # never deleted
    assert session.get(reverse("core:profile")).status_code == 302  # logged out
    assert Client().get("/api/v1/me", headers=api).status_code == 401
    login = Client().post(reverse("core:login"), {"username": "nora_north", "password": PASSWORD})
    assert login.status_code == 200  # the form again, not a redirect
    (entry,) = audit(rep_north)
    assert entry.changes == {"is_active": ["true", "false"]}

    admin_client.post(user_url(rep_north, "reactivate"))
    rep_north.refresh_from_db()
    assert rep_north.is_active
    assert Client().get("/api/v1/me", headers=api).status_code == 200
    assert [e.changes for e in audit(rep_north)][-1] == {"is_active": ["false", "true"]}


def test_an_admin_cannot_deactivate_themself(admin_client: Client, admin: User) -> None:
    response = admin_client.post(user_url(admin, "deactivate"), follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert not audit(admin)


def test_the_last_admin_keeps_the_role(admin_client: Client, admin: User, make_user: Any) -> None:
    sales = Role.objects.get(key="sales")
    response = admin_client.post(user_url(admin), edit_data(admin, role=sales.pk))
    assert response.status_code == 200
    assert "is the last active admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role is not None
    assert admin.role.key == "admin"
    # With a second admin, either may step down.
    make_user("second_admin", "admin")
    assert admin_client.post(user_url(admin), edit_data(admin, role=sales.pk)).status_code == 302
    admin.refresh_from_db()
    assert admin.role is not None
    assert admin.role.key == "sales"


# --- two-factor -------------------------------------------------------------------------


def test_admin_sees_and_resets_a_users_two_factor_login(
    client: Client, admin: User, rep_north: User
) -> None:
    enable_two_factor(client, rep_north)
    StaticDevice.objects.create(user=rep_north, name="backup")
    admin_client = Client()
    admin_client.force_login(admin)
    listing = admin_client.get(f"{USERS}?q=nora").content.decode()
    assert "bi-shield-check" in listing
    page = admin_client.get(user_url(rep_north)).content.decode()
    assert "Reset two-factor login" in page

    admin_client.post(user_url(rep_north, "two-factor-reset"))
    assert not TOTPDevice.objects.filter(user=rep_north).exists()
    assert not StaticDevice.objects.filter(user=rep_north).exists()
    (entry,) = audit(rep_north)
    assert entry.changes == {"two_factor": ["on", "off"]}
    # Again: nothing to reset, said so.
    again = admin_client.post(user_url(rep_north, "two-factor-reset"), follow=True)
    assert "has no two-factor device" in again.content.decode()
    assert len(audit(rep_north)) == 1


def test_an_admin_resets_their_own_two_factor_on_their_account_page(
    client: Client, admin: User
) -> None:
    enable_two_factor(client, admin)
    response = client.post(user_url(admin, "two-factor-reset"), follow=True)
    assert "on your account page" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_invited_users_have_no_password_until_they_choose_one(
    admin_client: Client, mailoutbox: list[Any]
) -> None:
    admin_client.post(INVITE, invite_data())
    user = User.objects.get(email="lucia@example.com")
    assert user.password.startswith(UNUSABLE_PASSWORD_PREFIX)
    body = admin_client.get(f"{USERS}?status=invited").content.decode()
    assert "lucia@example.com" in body
    assert "Invited" in body
