"""The contacts web pages (see ``lists`` and ``records``)."""

from clientela.contacts.views.kinds import ORGANIZATIONS, PEOPLE
from clientela.contacts.views.lists import (
    organization_options,
    record_list,
    saved_view_delete,
    saved_view_save,
)
from clientela.contacts.views.records import (
    record_delete,
    record_detail,
    record_form,
    record_restore,
    trash,
)

__all__ = [
    "ORGANIZATIONS",
    "PEOPLE",
    "organization_options",
    "record_delete",
    "record_detail",
    "record_form",
    "record_list",
    "record_restore",
    "saved_view_delete",
    "saved_view_save",
    "trash",
]
