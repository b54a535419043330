"""Login, lock-out, logout, password reset by e-mail, two-factor login and the home
redirect, driven through the real pages with real TOTP codes."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientela.core import two_factor
from clientela.core.models import SiteSettings, User
from clientela.core.registry import nav_for
from conftest import PASSWORD

LOGIN = "/account/login/"


def post_login(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def next_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now, or for the next step when the
    current one was already used (django-otp accepts each step once)."""
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    now_t = clock.t()
    target = max(now_t, device.last_t + 1)
    app = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + target - now_t)
    app.time = clock.time
    return f"{app.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(next_code(device))
    return f"{(right + 1) % 1_000_000:06d}"


@pytest.fixture
def no_otp_throttle(settings: Any) -> None:
    # django-otp makes a user wait 1, 2, 4… seconds after each wrong code; tests that
    # send a right code straight after a wrong one turn the wait off.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def enable_two_factor(client: Client, user: User) -> TOTPDevice:
    """Log in and turn two-factor on through the setup page, as a user would."""
    client.force_login(user)
    client.get(reverse("core:2fa-setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("core:2fa-setup"), {"code": next_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


# --- home, login, logout --------------------------------------------------------------


def test_home_sends_anonymous_visitors_to_login(db: Any, client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login")


def test_home_sends_users_to_the_first_top_bar_page(client: Client, rep_north: User) -> None:
    client.force_login(rep_north)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(nav_for(rep_north)[0].url_name)


def test_login_page_renders_a_form(db: Any, client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert reverse("core:password-reset") in body


def test_login_with_the_right_password_logs_in(client: Client, rep_north: User) -> None:
    response = post_login(client, "nora_north", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(rep_north.pk)


def test_login_follows_a_safe_next_but_not_another_site(client: Client, rep_north: User) -> None:
    response = post_login(client, "nora_north", PASSWORD, next="/account/tokens/")
    assert response["Location"] == "/account/tokens/"
    client.logout()
    response = post_login(client, "nora_north", PASSWORD, next="https://evil.example/")
    assert response["Location"] == "/"


def test_login_with_a_wrong_password_shows_an_error(client: Client, rep_north: User) -> None:
    response = post_login(client, "nora_north", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [{}, {"username": "", "password": ""}, {"username": "x" * 5000, "password": "p"}],
)
def test_login_with_empty_or_absurd_input_answers_with_an_error(
    client: Client, rep_north: User, data: dict[str, str]
) -> None:
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client: Client, rep_north: User) -> None:
    rep_north.is_active = False
    rep_north.save()
    response = post_login(client, "nora_north", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client: Client, rep_north: User) -> None:
    client.force_login(rep_north)
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login")
    assert "_auth_user_id" not in client.session


# --- lock-out (django-axes) -----------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_even_for_the_right_password(
    client: Client, rep_north: User
) -> None:
    for _attempt in range(4):
        response = post_login(client, "nora_north", "wrong-password")
        assert response.status_code == 200
    response = post_login(client, "nora_north", "wrong-password")
    assert response.status_code == 429
    assert "Login locked" in response.content.decode()
    assert reverse("core:password-reset") in response.content.decode()

    response = post_login(client, "nora_north", PASSWORD)
    assert response.status_code == 429
    assert "Login locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_out_is_per_user_name(client: Client, rep_north: User, rep_south: User) -> None:
    for _attempt in range(5):
        post_login(client, "nora_north", "wrong-password")
    response = post_login(client, "sam_south", PASSWORD)
    assert response.status_code == 302


def test_a_successful_login_resets_the_failure_count(client: Client, rep_north: User) -> None:
    for _attempt in range(4):
        post_login(client, "nora_north", "wrong-password")
    assert post_login(client, "nora_north", PASSWORD).status_code == 302
    client.post(reverse("core:logout"))
    for _attempt in range(4):
        assert post_login(client, "nora_north", "wrong-password").status_code == 200
    assert post_login(client, "nora_north", PASSWORD).status_code == 302


# --- password reset by e-mail ---------------------------------------------------------


@pytest.fixture
def locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def reset_link(message: Any) -> str:
    match = re.search(r"https?://testserver(/account/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mail_link_sets_a_password_that_logs_in(
    client: Client, rep_north: User, locmem_mail: None
) -> None:
    page = client.get(reverse("core:password-reset"))
    assert page.status_code == 200
    response = client.post(reverse("core:password-reset"), {"email": "nora@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password-reset-done")
    assert client.get(response["Location"]).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@example.com"]
    assert message.subject == "Reset your Clientela password"
    assert "nora_north" in message.body

    # The link redirects to a token-free URL (Django keeps the token in the session).
    form_page = client.get(reset_link(message), follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    new_password = "Brand-new-pw-2718"
    response = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password-reset-complete")
    assert client.get(response["Location"]).status_code == 200

    assert post_login(Client(), "nora_north", PASSWORD).status_code == 200  # old one fails
    assert post_login(Client(), "nora_north", new_password).status_code == 302
    # A used link is dead.
    again = client.get(reset_link(message), follow=True)
    assert "not valid any more" in again.content.decode()


def test_a_password_reset_ends_a_lock_out(
    client: Client, rep_north: User, locmem_mail: None
) -> None:
    for _attempt in range(5):
        post_login(client, "nora_north", "wrong-password")
    assert post_login(client, "nora_north", PASSWORD).status_code == 429
    client.post(reverse("core:password-reset"), {"email": "nora@example.com"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    new_password = "Brand-new-pw-2718"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert post_login(client, "nora_north", new_password).status_code == 302


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client: Client, rep_north: User, locmem_mail: None
) -> None:
    response = client.post(reverse("core:password-reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password-reset-done")
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "b" * 300 + ".com"])
def test_password_reset_with_a_bad_address_shows_an_error(
    client: Client, rep_north: User, locmem_mail: None, email: str
) -> None:
    response = client.post(reverse("core:password-reset"), {"email": email})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("Brand-new-pw-2718", "Different-pw-2718"), ("password", "password"), ("", "")],
)
def test_password_reset_with_a_bad_new_password_keeps_the_old_one(
    client: Client, rep_north: User, locmem_mail: None, first: str, second: str
) -> None:
    client.post(reverse("core:password-reset"), {"email": "nora@example.com"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": first, "new_password2": second})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    rep_north.refresh_from_db()
    assert rep_north.check_password(PASSWORD)


def test_password_reset_with_a_forged_link_is_refused(client: Client, rep_north: User) -> None:
    response = client.get("/account/reset/MQ/forged-token/", follow=True)
    assert response.status_code == 200
    assert "not valid any more" in response.content.decode()


# --- two-factor login -----------------------------------------------------------------


def test_setup_shows_a_qr_code_and_secret_and_confirms_with_a_real_code(
    client: Client, rep_north: User
) -> None:
    client.force_login(rep_north)
    response = client.get(reverse("core:2fa-setup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body  # drawn here: no outside service sees the secret
    device = TOTPDevice.objects.get(user=rep_north, confirmed=False)
    assert two_factor.secret_text(device) in body
    # A reload shows the same secret the user may already have scanned.
    client.get(reverse("core:2fa-setup"))
    assert TOTPDevice.objects.filter(user=rep_north).count() == 1

    response = client.post(reverse("core:2fa-setup"), {"code": next_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The session that set it up counts as verified: no second prompt.
    assert client.get(reverse("core:profile")).status_code == 200
    status = client.get(reverse("core:2fa-setup"))
    assert "Two-factor login is on" in status.content.decode()


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "x" * 500])
def test_setup_with_a_malformed_code_shows_an_error(
    client: Client, rep_north: User, code: str
) -> None:
    client.force_login(rep_north)
    client.get(reverse("core:2fa-setup"))
    response = client.post(reverse("core:2fa-setup"), {"code": code})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=rep_north, confirmed=True).exists()


def test_setup_with_a_wrong_code_confirms_nothing(
    client: Client, rep_north: User, no_otp_throttle: None
) -> None:
    client.force_login(rep_north)
    client.get(reverse("core:2fa-setup"))
    device = TOTPDevice.objects.get(user=rep_north)
    response = client.post(reverse("core:2fa-setup"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    # …and the right code still works afterwards.
    client.post(reverse("core:2fa-setup"), {"code": next_code(device)})
    device.refresh_from_db()
    assert device.confirmed


def test_wrong_codes_are_throttled(client: Client, rep_north: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    client.force_login(rep_north)
    client.get(reverse("core:2fa-setup"))
    device = TOTPDevice.objects.get(user=rep_north)
    client.post(reverse("core:2fa-setup"), {"code": wrong_code(device)})
    response = client.post(reverse("core:2fa-setup"), {"code": next_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_login_with_a_device_asks_for_the_code_before_anything_else(
    client: Client, rep_north: User, no_otp_throttle: None
) -> None:
    device = enable_two_factor(Client(), rep_north)
    response = post_login(client, "nora_north", PASSWORD)
    assert response.status_code == 302
    response = client.get("/account/tokens/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/verify/?next=%2Faccount%2Ftokens%2F%3Fx%3D1"

    verify = client.get(response["Location"])
    assert verify.status_code == 200
    bad = client.post(response["Location"], {"code": wrong_code(device)})
    assert bad.status_code == 200
    assert "That code is not right" in bad.content.decode()
    assert client.get(reverse("core:profile")).status_code == 302

    good = client.post(
        reverse("core:2fa-verify"), {"code": next_code(device), "next": "/account/tokens/?x=1"}
    )
    assert good.status_code == 302
    assert good["Location"] == "/account/tokens/?x=1"
    assert client.get(reverse("core:profile")).status_code == 200


def test_a_code_cannot_be_used_twice(client: Client, rep_north: User) -> None:
    device = enable_two_factor(Client(), rep_north)
    code = next_code(device)
    first, second = Client(), Client()
    for c in (first, second):
        post_login(c, "nora_north", PASSWORD)
    assert first.post(reverse("core:2fa-verify"), {"code": code}).status_code == 302
    response = second.post(reverse("core:2fa-verify"), {"code": code})
    assert response.status_code == 200
    assert second.get(reverse("core:profile")).status_code == 302


def test_verify_does_not_redirect_to_another_site(client: Client, rep_north: User) -> None:
    device = enable_two_factor(Client(), rep_north)
    post_login(client, "nora_north", PASSWORD)
    response = client.post(
        reverse("core:2fa-verify"), {"code": next_code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_verify_without_a_device_just_goes_on(client: Client, rep_north: User) -> None:
    client.force_login(rep_north)
    response = client.get(reverse("core:2fa-verify") + "?next=/account/tokens/")
    assert response["Location"] == "/account/tokens/"


def test_disable_needs_a_current_code(
    client: Client, rep_north: User, no_otp_throttle: None
) -> None:
    device = enable_two_factor(client, rep_north)
    assert client.get(reverse("core:2fa-disable")).status_code == 405
    for code in ("", "abc", wrong_code(device)):
        response = client.post(reverse("core:2fa-disable"), {"disable-code": code})
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()
        assert TOTPDevice.objects.filter(user=rep_north, confirmed=True).exists()
    response = client.post(reverse("core:2fa-disable"), {"disable-code": next_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=rep_north).exists()
    # Logging in again needs the password only.
    fresh = Client()
    post_login(fresh, "nora_north", PASSWORD)
    assert fresh.get(reverse("core:profile")).status_code == 200


def test_disable_is_refused_while_the_site_requires_two_factor(
    client: Client, rep_north: User, admin: User
) -> None:
    device = enable_two_factor(client, rep_north)
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_two_factor": True})
    response = client.post(reverse("core:2fa-disable"), {"disable-code": next_code(device)})
    assert response.status_code == 200
    assert "required for everyone" in response.content.decode()
    assert TOTPDevice.objects.filter(user=rep_north, confirmed=True).exists()


def test_required_two_factor_sends_users_without_a_device_to_setup(
    client: Client, rep_north: User, no_otp_throttle: None
) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_two_factor": True})
    post_login(client, "nora_north", PASSWORD)
    response = client.get(reverse("core:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:2fa-setup") + "?next=")
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert "requires two-factor login" in setup.content.decode()
    # Logging out stays possible.
    device = TOTPDevice.objects.get(user=rep_north)
    response = client.post(
        reverse("core:2fa-setup"), {"code": next_code(device), "next": reverse("core:profile")}
    )
    assert response["Location"] == reverse("core:profile")
    assert client.get(reverse("core:profile")).status_code == 200


def test_required_two_factor_still_lets_users_log_out(client: Client, rep_north: User) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_two_factor": True})
    client.force_login(rep_north)
    response = client.post(reverse("core:logout"))
    assert response["Location"] == reverse("core:login")
    assert "_auth_user_id" not in client.session


def test_without_the_requirement_users_without_a_device_are_not_bothered(
    client: Client, rep_north: User
) -> None:
    client.force_login(rep_north)
    assert client.get(reverse("core:profile")).status_code == 200


def test_two_factor_pages_need_login(db: Any, client: Client) -> None:
    for name in ("core:2fa-setup", "core:2fa-verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))
    assert client.post(reverse("core:2fa-disable")).status_code == 302
