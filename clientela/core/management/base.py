"""What every Clientela management command shares: changes are audited as made through
the command line, and domain errors end as one clear line and a non-zero exit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clientela.core.choices import Interface
from clientela.core.context import interface
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.models import User


def describe(exc: ValidationError) -> str:
    """A ValidationError as one line: ``field: message; other: message``."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def active_user(username: str) -> User:
    """The active user a ``--user NAME`` option names (any letter case), or a
    CommandError saying what is wrong."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise CommandError(_("There is no user “%(name)s”.") % {"name": username})
    if not user.is_active:
        raise CommandError(_("The user “%(name)s” is not active.") % {"name": username})
    return user


class ClientelaCommand(BaseCommand):
    """Base of Clientela's own commands (``createuser``, ``token``, ``demo``…)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        # The context manager (not a bare ``set_interface``) restores the previous value,
        # so a command called in-process (tests, ``call_command``) leaves no trace.
        with interface(Interface.CLI):
            try:
                return super().execute(*args, **options)
            except ValidationError as exc:
                raise CommandError(describe(exc)) from None
            except (NotFound, PermissionDenied, VersionConflict) as exc:
                raise CommandError(str(exc)) from None
