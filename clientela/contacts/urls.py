from django.urls import URLPattern, path

from clientela.contacts import views
from clientela.contacts.views import ORGANIZATIONS, PEOPLE, duplicates, merge
from clientela.contacts.views.kinds import Kind


def record_urls(prefix: str, kind: Kind) -> list[URLPattern]:
    """The same set of pages for every kind of contact record."""
    name = kind.url_prefix
    k = {"kind": kind}
    return [
        path(f"{prefix}/", views.record_list, k, name=f"{name}-list"),
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
        path(f"{prefix}/new/", views.record_form, k, name=f"{name}-create"),
        path(f"{prefix}/<int:pk>/", views.record_detail, k, name=f"{name}-detail"),
        path(f"{prefix}/<int:pk>/edit/", views.record_form, k, name=f"{name}-edit"),
        path(f"{prefix}/<int:pk>/delete/", views.record_delete, k, name=f"{name}-delete"),
        path(f"{prefix}/<int:pk>/restore/", views.record_restore, k, name=f"{name}-restore"),
        path(f"{prefix}/views/", views.saved_view_save, k, name=f"{name}-view-save"),
        path(
            f"{prefix}/views/<int:pk>/delete/",
            views.saved_view_delete,
            k,
            name=f"{name}-view-delete",
        ),
    ]


app_name = "contacts"
urlpatterns = [
    *record_urls("people", PEOPLE),
    *record_urls("organizations", ORGANIZATIONS),
    path("organizations/options/", views.organization_options, name="organization-options"),
    path("trash/", views.trash, name="trash"),
    path("merges/<int:pk>/undo/", merge.merge_undo, name="merge-undo"),
]
