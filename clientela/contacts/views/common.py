"""Labels of the contact history entries that are not model fields (the generic record
view helpers live in ``core.views.records``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import FORMSET_TITLES

HISTORY_LABELS: dict[str, Any] = {
    **FORMSET_TITLES,
    "custom": _("Custom fields"),
    "organizations": _("Organizations"),
    "tags": _("Tags"),
}
