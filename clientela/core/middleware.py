"""Per-request user preferences (language, time zone, interface) and the site-wide
two-factor requirement."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from clientela.core.choices import Interface
from clientela.core.context import interface


class UserPreferencesMiddleware:
    """Activate the logged-in user's language and time zone; mark the request as
    coming through the web interface (the API overrides this for its own calls)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        with interface(Interface.WEB):
            response = self.get_response(request)
        return response


class TwoFactorRequiredMiddleware:
    """When an admin requires two-factor login, a user who has logged in with a
    password but not verified a TOTP code is sent to set up or verify one."""

    ALLOWED_PREFIXES = ("/account/2fa", "/account/logout", "/static/", "/api/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not user.is_verified()
        ):
            from clientela.core.models import SiteSettings
            from clientela.core.two_factor import has_device

            # The whole path with its query, encoded, so the user lands where they
            # were going once the code is checked.
            back = "?" + urlencode({"next": request.get_full_path()})
            if has_device(user):
                return redirect(reverse("core:2fa-verify") + back)
            if SiteSettings.load().require_two_factor:
                return redirect(reverse("core:2fa-setup") + back)
        return self.get_response(request)
