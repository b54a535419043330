"""Login, logout, password reset by e-mail, two-factor login and the home redirect.

Login, logout and password reset are Django's own views with our templates and forms;
failed logins are counted by django-axes through the authentication backend, and its
middleware answers with ``core/auth/locked_out.html`` once a user is locked out.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from clientela.core import two_factor
from clientela.core.auth_limits import password_reset_allowed
from clientela.core.forms import (
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    TOTPCodeForm,
)
from clientela.core.models import SiteSettings
from clientela.core.registry import nav_for
from clientela.core.views.records import safe_next_url


def home(request: HttpRequest) -> HttpResponse:
    """The first page of the top bar (the lowest ``order`` a domain app registered), so
    core needs to know no domain; a "My day" page registered with a low order becomes
    everyone's home."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    items = nav_for(request.user)
    if not items:
        return redirect("core:profile")
    return redirect(items[0].url_name)


class LoginView(auth_views.LoginView):
    template_name = "core/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "core/auth/password_reset_form.html"
    email_template_name = "core/auth/password_reset_email.txt"
    subject_template_name = "core/auth/password_reset_subject.txt"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("core:password-reset-done")

    def form_valid(self, form: Any) -> HttpResponse:
        if password_reset_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        # Over a limit: the same answer as for a sent e-mail (another answer would tell
        # whether the address has an account), and no e-mail.
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/auth/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("core:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever opened the mailed link has proved they own the account, so the
        # lock-out that may have sent them here ends with the new password.
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/auth/password_reset_complete.html"


# --- two-factor -----------------------------------------------------------------------


def _next_url(request: HttpRequest, default: str = "/") -> str:
    """The ``next`` parameter when it points into this site, else ``default``."""
    return safe_next_url(request) or default


def _throttled_message(seconds: int) -> str:
    return _("Too many wrong codes. Wait %(seconds)s seconds and try again.") % {"seconds": seconds}


def _wrong_code_message() -> str:
    return _("That code is not right. Enter the newest code your app shows.")


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show the QR code and secret of a pending device; a correct code confirms it.
    A user whose device is already on sees its status and the form to turn it off."""
    user = request.user
    if two_factor.has_device(user):
        return _render_status(request, TOTPCodeForm(prefix="disable"))
    device = two_factor.totp_device_pending(user=user)
    form = TOTPCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wait = two_factor.throttle_wait(device)
        if wait:
            form.add_error("code", _throttled_message(wait))
        elif two_factor.check_code(device, form.cleaned_data["code"]):
            two_factor.totp_device_confirm(user=user, device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return redirect(_next_url(request, reverse("core:2fa-setup")))
        else:
            form.add_error("code", _wrong_code_message())
    return render(
        request,
        "core/auth/2fa_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "next": _next_url(request, ""),
            "required": SiteSettings.load().require_two_factor,
        },
    )


def _render_status(request: HttpRequest, form: TOTPCodeForm) -> HttpResponse:
    return render(
        request,
        "core/auth/2fa_status.html",
        {"form": form, "required": SiteSettings.load().require_two_factor},
    )


def _is_verified(request: HttpRequest) -> bool:
    # OTPMiddleware attaches is_verified() to the request's user object.
    return bool(getattr(request.user, "is_verified", lambda: False)())


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of login for a user with a device: ask for the current code."""
    next_url = _next_url(request)
    device = two_factor.confirmed_device(request.user)
    if device is None or _is_verified(request):
        return redirect(next_url)
    form = TOTPCodeForm(request.POST if request.method == "POST" else None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        wait = two_factor.throttle_wait(device)
        if wait:
            form.add_error("code", _throttled_message(wait))
        elif two_factor.check_code(device, form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(next_url)
        else:
            form.add_error("code", _wrong_code_message())
    return render(request, "core/auth/2fa_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login off; asks for a current code so a borrowed session alone
    cannot do it."""
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is None:
        return redirect("core:2fa-setup")
    form = TOTPCodeForm(request.POST, prefix="disable")
    if SiteSettings.load().require_two_factor:
        form.add_error(None, _("Two-factor login is required for everyone on this site."))
    elif form.is_valid():
        wait = two_factor.throttle_wait(device)
        if wait:
            form.add_error("code", _throttled_message(wait))
        elif two_factor.check_code(device, form.cleaned_data["code"]):
            two_factor.totp_devices_remove(user=user)
            messages.success(request, _("Two-factor login is off."))
            return redirect("core:2fa-setup")
        else:
            form.add_error("code", _wrong_code_message())
    return _render_status(request, form)
