from django.urls import URLPattern, path

from clientela.contacts.kinds import ORGANIZATIONS, PEOPLE
from clientela.contacts.views import duplicates, merge, pickers
from clientela.contacts.views.records import (
    ContactDetailView,
    ContactFormView,
    ContactListView,
    ContactRestoreView,
)
from clientela.core.kinds import RecordKind
from clientela.core.views.kinds import (
    RecordDeleteView,
    SavedViewDeleteView,
    SavedViewSaveView,
    record_urls,
)


def contact_urls(kind: RecordKind) -> list[URLPattern]:
    """The same set of pages for every kind of contact record."""
    prefix, name, k = kind.path, kind.url_prefix, {"kind": kind}
    return [
        *record_urls(
            kind,
            list=ContactListView,
            create=ContactFormView,
            detail=ContactDetailView,
            edit=ContactFormView,
            delete=RecordDeleteView,
            restore=ContactRestoreView,
            view_save=SavedViewSaveView,
            view_delete=SavedViewDeleteView,
        ),
        path(f"{prefix}/duplicates/", duplicates.duplicate_list, k, name=f"{name}-duplicates"),
        path(
            f"{prefix}/duplicates/scan/",
            duplicates.duplicate_scan,
            k,
            name=f"{name}-duplicate-scan",
        ),
        path(
            f"{prefix}/duplicates/dismiss/",
            duplicates.duplicate_dismiss,
            k,
            name=f"{name}-duplicate-dismiss",
        ),
        path(f"{prefix}/merge/", merge.merge_page, k, name=f"{name}-merge"),
    ]


app_name = "contacts"
urlpatterns = [
    *contact_urls(PEOPLE),
    *contact_urls(ORGANIZATIONS),
    path("people/options/", pickers.person_options, name="person-options"),
    path(
        "people/options/checkboxes/",
        pickers.person_options,
        {"checkboxes": True},
        name="person-checkboxes",
    ),
    path("organizations/options/", pickers.organization_options, name="organization-options"),
    path("merges/<int:pk>/undo/", merge.merge_undo, name="merge-undo"),
]
