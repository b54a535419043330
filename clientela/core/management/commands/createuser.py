"""``clientela createuser NAME --role ROLE --team TEAM --password PW [--email E]``."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from clientela.core.choices import RoleKey
from clientela.core.management.base import ClientelaCommand
from clientela.core.services import user_create


class Command(ClientelaCommand):
    help = "Create a user with a role and a team."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="login name")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(RoleKey.values)}")
        parser.add_argument("--team", default="", help="team name (created if new)")
        parser.add_argument(
            "--password",
            help="the password (prompted for when omitted and a terminal is attached)",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None:
            password = self._prompt_password()
        user = user_create(
            username=options["username"].strip(),
            password=password,
            role_key=options["role"].strip(),
            team_name=options["team"].strip() or None,
            email=options["email"].strip(),
            first_name=options["first_name"].strip(),
            last_name=options["last_name"].strip(),
        )
        team = user.team.name if user.team else _("no team")
        self.stdout.write(
            _("Created user %(user)s (%(role)s, %(team)s).")
            % {"user": user.username, "role": user.role, "team": team}
        )

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(_("Give the password with --password."))
        first = getpass.getpass(_("Password: "))
        if first != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The two passwords differ."))
        return first
