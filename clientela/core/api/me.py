"""``GET /me``: who the token belongs to and what it may do (handy to test a token)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from clientela.core.api.auth import api_token
from clientela.core.api.schemas import TeamRef, error_responses


class RoleRef(Schema):
    key: str
    name: str


class TokenInfo(Schema):
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime.datetime | None


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: RoleRef | None
    team: TeamRef | None
    scopes: list[str]
    token: TokenInfo


router = Router(tags=["me"])


@router.get("/me", response={200: MeOut, **error_responses(401, 422)})
def me(request: HttpRequest) -> MeOut:
    """The token's user, role, team and scopes."""
    token = api_token(request)
    user = token.user
    return MeOut(
        id=user.pk,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        role=RoleRef(key=user.role.key, name=user.role.name) if user.role else None,
        team=TeamRef(id=user.team.pk, name=user.team.name) if user.team else None,
        scopes=list(token.scopes),
        token=TokenInfo(
            name=token.name,
            prefix=token.prefix,
            scopes=list(token.scopes),
            expires_at=token.expires_at,
        ),
    )
