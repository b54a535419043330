"""``clientela token create|list|revoke``: personal API tokens from the command line.

``create`` prints the clear token alone on its last line (it is shown only once), so
scripts can take it with ``| tail -n 1``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.management.base import ClientelaCommand, active_user
from clientela.core.models import User
from clientela.core.selectors import api_token_list
from clientela.core.services import api_token_create, api_token_revoke


def _expiry(raw: str | None) -> datetime.datetime | None:
    """``YYYY-MM-DD`` -> the end of that day in the site's time zone (the token still
    works on the day given)."""
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            _("--expires: “%(value)s” is not a date; use YYYY-MM-DD.") % {"value": raw}
        ) from None
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight)


class Command(ClientelaCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True, help="the token acts as this user")
        create.add_argument(
            "--scopes", required=True, help="comma-separated, e.g. contacts:read,contacts:write"
        )
        create.add_argument("--name", default="", help="a label (default: cli-<date>)")
        create.add_argument("--expires", help="last day the token works, YYYY-MM-DD")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by id or prefix")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("token", help="the token's id, or its first characters (clt_…)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        user = active_user(options["user"])
        if action == "create":
            self._create(user, options)
        elif action == "list":
            self._list(user)
        else:
            self._revoke(user, options["token"])

    def _create(self, user: User, options: dict[str, Any]) -> None:
        scopes = [s for s in options["scopes"].split(",") if s.strip()]
        name = options["name"] or f"cli-{timezone.localdate().isoformat()}"
        token, clear = api_token_create(
            user=user, name=name, scopes=scopes, expires_at=_expiry(options["expires"])
        )
        expires = token.expires_at.isoformat() if token.expires_at else _("never")
        self.stdout.write(
            _("Token “%(name)s” for %(user)s, scopes %(scopes)s, expires %(expires)s.")
            % {
                "name": token.name,
                "user": user.username,
                "scopes": ",".join(token.scopes),
                "expires": expires,
            }
        )
        self.stdout.write(_("It is shown only now; store it safely:"))
        self.stdout.write(clear)

    def _list(self, user: User) -> None:
        tokens = list(api_token_list(user=user))
        if not tokens:
            self.stdout.write(_("%(user)s has no API tokens.") % {"user": user.username})
            return
        self.stdout.write(
            f"{'id':>5}  {'prefix':<12}  {'status':<8}  {'expires':<25}  scopes / name"
        )
        for t in tokens:
            status = (
                _("active") if t.is_active else (_("revoked") if t.revoked_at else _("expired"))
            )
            expires = t.expires_at.isoformat() if t.expires_at else "-"
            self.stdout.write(
                f"{t.pk:>5}  {t.prefix:<12}  {status:<8}  {expires:<25}  "
                f"{','.join(t.scopes)} / {t.name}"
            )

    def _revoke(self, user: User, ref: str) -> None:
        ref = ref.strip()
        match = Q(prefix=ref[:12]) if not ref.isdigit() else Q(pk=int(ref))
        candidates = list(api_token_list(user=user).filter(match, revoked_at__isnull=True))
        if not ref or len(candidates) != 1:
            raise CommandError(
                _("No single active token of %(user)s matches “%(ref)s”.")
                % {"user": user.username, "ref": ref}
            )
        api_token_revoke(user=user, token=candidates[0])
        self.stdout.write(_("Revoked token %(prefix)s….") % {"prefix": candidates[0].prefix})
