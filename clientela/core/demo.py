"""The demo accounts: one user per role in two teams, all with the same password.

They live in ``core`` because users, roles and teams are core's; the contacts demo data
(``clientela.contacts.demo``) hands its records to them, and ``clientela run`` prints
them as the logins to try.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from clientela.core.choices import Language, RoleKey
from clientela.core.models import User
from clientela.core.permissions import ROLE_NAMES
from clientela.core.services import roles_ensure_defaults, user_create

#: Long enough and uncommon enough for Django's password validators.
DEMO_PASSWORD = "clientela-demo"  # noqa: S105 - a published demo password, on purpose
DEMO_PREFIX = "demo-"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    team: str
    first_name: str
    last_name: str
    language: str = Language.EN
    time_zone: str = "UTC"
    #: Whether records are handed to this user as their owner.
    owns_records: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-admin", RoleKey.ADMIN, "North", "Ada", "Admin", owns_records=False),
    DemoAccount(
        "demo-manager-north",
        RoleKey.MANAGER,
        "North",
        "Morgan",
        "North",
        time_zone="America/New_York",
        owns_records=True,
    ),
    DemoAccount(
        "demo-sales-north",
        RoleKey.SALES,
        "North",
        "Nina",
        "Walsh",
        time_zone="Europe/London",
        owns_records=True,
    ),
    DemoAccount(
        "demo-sales-north2",
        RoleKey.SALES,
        "North",
        "Noah",
        "Brennan",
        time_zone="America/Toronto",
        owns_records=True,
    ),
    DemoAccount(
        "demo-manager-south",
        RoleKey.MANAGER,
        "South",
        "Marta",
        "Sur",
        language=Language.ES,
        time_zone="Europe/Madrid",
        owns_records=True,
    ),
    DemoAccount(
        "demo-sales-south",
        RoleKey.SALES,
        "South",
        "Sofía",
        "Romero",
        language=Language.ES,
        time_zone="America/Mexico_City",
        owns_records=True,
    ),
    DemoAccount(
        "demo-sales-south2",
        RoleKey.SALES,
        "South",
        "Santiago",
        "Herrera",
        language=Language.ES,
        time_zone="America/Argentina/Buenos_Aires",
        owns_records=True,
    ),
    DemoAccount("demo-marketer", RoleKey.MARKETING, "North", "Mia", "Marketing"),
    DemoAccount(
        "demo-support", RoleKey.SUPPORT, "South", "Samuel", "Soporte", language=Language.ES
    ),
    DemoAccount("demo-readonly", RoleKey.READ_ONLY, "North", "Reed", "Only"),
)


@transaction.atomic
def demo_accounts_ensure() -> dict[str, User]:
    """The demo users by username, creating the missing ones (existing ones are left
    as they are, so an admin who changed a demo password keeps it)."""
    roles_ensure_defaults()
    existing = {u.username: u for u in User.objects.filter(username__startswith=DEMO_PREFIX)}
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = existing.get(account.username)
        if user is None:
            user = user_create(
                username=account.username,
                password=DEMO_PASSWORD,
                role_key=account.role,
                team_name=account.team,
                email=f"{account.username}@example.com",
                first_name=account.first_name,
                last_name=account.last_name,
                language=account.language,
                time_zone=account.time_zone,
            )
        users[account.username] = user
    return users


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, description) of the demo users present in the database."""
    present = set(
        User.objects.filter(
            username__in=[a.username for a in DEMO_ACCOUNTS], is_active=True
        ).values_list("username", flat=True)
    )
    return [
        (a.username, DEMO_PASSWORD, f"{ROLE_NAMES[a.role]} · {a.team}")
        for a in DEMO_ACCOUNTS
        if a.username in present
    ]
