"""``clientela purge-trash``: delete for good what has been in the trash longer than
CLIENTELA_TRASH_DAYS, and API idempotency keys older than a day. Run it daily (cron or
a scheduled task)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clientela.core.kinds import record_kinds
from clientela.core.management.base import ClientelaCommand
from clientela.core.models import Trashable
from clientela.core.services import idempotency_keys_purge, trash_purge


def trashable_models() -> list[type[Trashable]]:
    """Every registered kind of record that goes to the trash (products too, which
    have no role rights)."""
    found: list[type[Trashable]] = []
    for kind in record_kinds():
        model = kind.model
        if issubclass(model, Trashable) and model not in found:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


class Command(ClientelaCommand):
    help = "Delete records that have been in the trash longer than the retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        models = trashable_models()
        count = trash_purge(models=models)
        self.stdout.write(
            _("Deleted %(count)s row(s) for good (%(kinds)s).")
            % {"count": count, "kinds": ", ".join(m._meta.label for m in models) or "-"}
        )
        keys = idempotency_keys_purge()
        self.stdout.write(_("Forgot %(count)s old idempotency key(s).") % {"count": keys})
