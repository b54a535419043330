"""``clientela purge-trash``: delete for good what has been in the trash longer than
CLIENTELA_TRASH_DAYS, and API idempotency keys older than a day. Run it daily (cron or
a scheduled task)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from clientela.core.management.base import ClientelaCommand
from clientela.core.models import CRMRecord
from clientela.core.permissions import RESOURCES
from clientela.core.services import idempotency_keys_purge, trash_purge


def trashable_models() -> list[type[CRMRecord]]:
    """Every registered kind of record. Resource keys are ``app_label.model`` names,
    so core finds the models without importing the apps that own them."""
    found: list[type[CRMRecord]] = []
    for key in sorted(RESOURCES):
        try:
            model = apps.get_model(key)
        except (LookupError, ValueError):
            continue
        if issubclass(model, CRMRecord):
            found.append(model)
    return found


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
