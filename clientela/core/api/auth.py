"""Bearer-token authentication and per-endpoint scopes.

Every operation is authenticated by ``TokenAuth`` (the API default). An endpoint that
needs a scope says so with ``@require_scope("contacts:write")`` under its route
decorator; the check then runs together with authentication, before the body is
parsed, so a token without the scope gets 403 whatever it sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.operation import Operation
from ninja.security import HttpBearer
from ninja.utils import contribute_operation_callback

from clientela.core.api import limits
from clientela.core.api.errors import MissingScope
from clientela.core.db import CompiledQuery
from clientela.core.models import ApiToken, User
from clientela.core.services import hash_token

F = TypeVar("F", bound=Callable[..., Any])

#: ``last_used_at`` is written at most this often per token, so a busy client does not
#: turn every read into a write.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)

#: Every API request starts here, so the token, its user and the user's role and team
#: come in one query compiled once (``CompiledQuery``); the role's rights are then
#: served from ``core.permissions``' per-role cache, checked against this role row.
_TOKEN_BY_HASH = CompiledQuery(
    lambda token_hash: ApiToken.objects.select_related("user__role", "user__team").filter(
        token_hash=token_hash
    ),
    marker="compiled-query-marker: not a SHA-256 hex digest",
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token must be active (not revoked or
    expired), its user active, and it must carry every scope in ``scopes``."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiToken:
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(
                message=_("Send an API token in the header “Authorization: Bearer <token>”.")
            )
        limits.refuse_after_auth_failures(request)
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = _TOKEN_BY_HASH.run(hash_token(token))
        api_token = found[0] if found else None
        if api_token is None:
            limits.count_auth_failure(request)
            raise AuthenticationError(message=_("This API token is not valid."))
        if not api_token.is_active or not api_token.user.is_active:
            limits.count_auth_failure(request)
            raise AuthenticationError(message=_("This API token has expired or was revoked."))
        limits.count_token(request, api_token)
        for scope in self.scopes:
            if scope not in api_token.scopes:
                raise MissingScope(scope)
        _touch(api_token)
        request.user = api_token.user
        return api_token


def _touch(api_token: ApiToken) -> None:
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now


def require_scope(*scopes: str) -> Callable[[F], F]:
    """Mark an endpoint as needing ``scopes``; put it below the route decorator."""

    def contribute(operation: Operation) -> None:
        auth = [TokenAuth(*scopes)]
        operation.auth_param = auth
        operation._set_auth(auth)
        note = "Requires the token scope " + ", ".join(f"`{s}`" for s in scopes) + "."
        operation.description = f"{operation.description or ''}\n\n{note}".strip()
        operation.openapi_extra = {**(operation.openapi_extra or {}), "x-scopes": list(scopes)}

    def decorate(func: F) -> F:
        contribute_operation_callback(func, contribute)
        return func

    return decorate


def api_token(request: HttpRequest) -> ApiToken:
    """The token that authenticated this request."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # only reachable from an endpoint without auth
        raise AuthenticationError()
    return token


def api_user(request: HttpRequest) -> User:
    return api_token(request).user
