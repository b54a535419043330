"""The kinds of record the marketing app owns, declared once (see ``core.kinds``).
``MarketingConfig.ready()`` registers them.

Every marketing kind gives the built-in roles the same rights (``MARKETING_RIGHTS``):
the marketing role keeps them (creates, changes and deletes, seeing all), sales reps and
support agents read them, read-only users read them; admins and managers keep their
usual rights."""

from __future__ import annotations

from typing import Any

from clientela.core.choices import RoleKey, Scope
from clientela.core.permissions import Rights

SCOPES = ("marketing:read", "marketing:write")

READ_ALL = Rights(False, True, False, False, Scope.ALL)

#: The built-in roles' rights on every marketing kind (``RecordKind.default_rights``).
MARKETING_RIGHTS: dict[str, Rights] = {
    RoleKey.MARKETING: Rights(True, True, True, True, Scope.ALL),
    RoleKey.SALES: READ_ALL,
    RoleKey.SUPPORT: READ_ALL,
}

ALL: tuple[Any, ...] = ()
