"""Limits on logging in and on password-reset e-mails.

django-axes locks a user name at one address after ``CLIENTELA_LOGIN_FAILURE_LIMIT``
failures; it cannot also count one address across user names, so an address trying
200 names got five tries at each. Here: the failed logins of an address are counted in
the shared store (``core.rate_limits``), and after ``CLIENTELA_LOGIN_IP_FAILURE_LIMIT``
of them within a cool-off every login from it is refused, right or wrong password, with
the same lock-out page, until that window ends.

Password-reset e-mails are limited per address asked for and per client address; over
either limit the page answers as if the e-mail went out (a different answer would tell
whether an account exists) and no e-mail is sent.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clientela.core.client_ip import client_ip_key
from clientela.core.rate_limits import Usage, usage

logger = logging.getLogger("clientela.auth_limits")

LOGIN_FAILURES = "login-failures-ip"
#: Set on a login request refused for its address: the ``Usage`` it was refused with.
_ADDRESS_LOCKED = "clientela_address_locked_out"


def _login_failures(request: HttpRequest, *, increment: bool) -> Usage | None:
    rate = (
        f"{settings.CLIENTELA_LOGIN_IP_FAILURE_LIMIT}/{settings.CLIENTELA_LOGIN_COOLOFF_MINUTES}m"
    )
    return usage(group=LOGIN_FAILURES, key=client_ip_key(request), rate=rate, increment=increment)


class AddressLockoutBackend:
    """First of ``AUTHENTICATION_BACKENDS``: refuses every login from an address over
    its limit of failures, before any password is checked. It logs nobody in, so it
    has no ``get_user`` (Django would pick it for sessions otherwise)."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None:
            return
        found = _login_failures(request, increment=False)
        if found is not None and found.exhausted:
            setattr(request, _ADDRESS_LOCKED, found)
            # django-axes' middleware then answers with the lock-out page
            # (``lockout_response``), and axes does not count this try against the name.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied


def count_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed``: one more failure for the client's address (a try refused
    for the address itself is not one)."""
    if request is not None and not hasattr(request, _ADDRESS_LOCKED):
        _login_failures(request, increment=True)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the lock-out page, for a user name (axes' lock-out) or for
    the whole address."""
    address: Usage | None = getattr(request, _ADDRESS_LOCKED, None)
    if address is not None:
        context: dict[str, Any] = {
            "address_limit": address.limit,
            "retry_minutes": -(-address.retry_after // 60),
        }
    else:
        context = {
            "failure_limit": get_failure_limit(request, credentials),
            "username": get_client_username(request, credentials) or "",
            "cooloff_timedelta": get_cool_off(request),
        }
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    if address is not None:
        response["Retry-After"] = str(address.retry_after)
    return response


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count a password-reset request against the client's address and the e-mail
    address asked for; False when either is over its limit. The client's address is
    checked first, so one that is over its own limit uses up no one's e-mail quota."""
    by_client = usage(
        group="password-reset-ip",
        key=client_ip_key(request),
        rate=settings.CLIENTELA_PASSWORD_RESET_RATE_PER_IP,
    )
    if by_client is not None and by_client.exceeded:
        logger.warning("password reset refused: too many from %s", client_ip_key(request))
        return False
    by_email = usage(
        group="password-reset-email",
        key=email.strip().lower(),
        rate=settings.CLIENTELA_PASSWORD_RESET_RATE_PER_EMAIL,
    )
    if by_email is not None and by_email.exceeded:
        logger.warning("password reset refused: too many for one e-mail address")
        return False
    return True
