"""``clientela duplicates people|organizations``: print the likely duplicate pairs.

    clientela duplicates people --format json
    clientela duplicates organizations --format table --min-score 0.8 --user nora

JSON is a list of ``{"a": id, "b": id, "score": 0..1, "reasons": [...]}`` (``a < b``),
best first. Without ``--user`` the finder runs as the system over every live record;
with it, over the records that user may see. Pairs marked "not a duplicate" never
appear.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from clientela.contacts import duplicates
from clientela.core.management.base import ClientelaCommand
from clientela.core.models import User


def _min_score(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise CommandError(
            _("--min-score must be a number from 0 to 1, not “%(value)s”.") % {"value": raw}
        )
    return value


class Command(ClientelaCommand):
    help = "List likely duplicate people or organizations with a score and the reasons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="people or organizations")
        parser.add_argument("--format", default="table", help="json or table (default)")
        parser.add_argument(
            "--min-score",
            default=str(duplicates.DEFAULT_MIN_SCORE),
            help=f"0..1, default {duplicates.DEFAULT_MIN_SCORE}",
        )
        parser.add_argument("--user", help="only the records this user may see")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind = duplicates.parse_kind(options["kind"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        fmt = (options["format"] or "").strip().lower()
        if fmt not in ("json", "table"):
            raise CommandError(
                _("Unknown format “%(format)s”: use json or table.") % {"format": options["format"]}
            )
        min_score = _min_score(options["min_score"])
        user = None
        if options["user"] is not None:
            name = options["user"].strip()
            user = User.objects.filter(username__iexact=name).first()
            if user is None:
                raise CommandError(_("There is no user “%(name)s”.") % {"name": name})
            if not user.is_active:
                raise CommandError(_("The user “%(name)s” is not active.") % {"name": name})
        pairs = duplicates.find_duplicates(kind, user=user, min_score=min_score)
        if fmt == "json":
            self.stdout.write(json.dumps([p.as_json() for p in pairs], ensure_ascii=False))
            return
        if not pairs:
            self.stdout.write(_("No likely duplicates."))
            return
        self.stdout.write(f"{'a':>8}  {'b':>8}  {'score':>5}  {_('reasons')}")
        for p in pairs:
            reasons = ", ".join(duplicates.reason_texts(p.reasons))
            self.stdout.write(f"{p.a:>8}  {p.b:>8}  {p.score:>5.2f}  {reasons}")
        self.stdout.write(_("%(n)s likely duplicate pairs.") % {"n": len(pairs)})
