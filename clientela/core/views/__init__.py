"""The core app's pages: login and two-factor (``auth``), a user's own account
(``account``), the admin settings (``settings``) and the header search (``search``)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from clientela.core.models import User


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a view behind ``login_required``, typed as our User."""
    return cast(User, request.user)
