"""The kinds of record the contacts app owns, declared once (see ``core.kinds``):
organizations and people. ``ContactsConfig.ready()`` registers them."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.contacts import api, exports, forms, schemas, selectors, services
from clientela.contacts.filters import ContactFilters
from clientela.contacts.models import Organization, Person
from clientela.core.kinds import ListColumn, RecordKind

SCOPES = ("contacts:read", "contacts:write")
COLUMNS = (
    ListColumn(_("Name"), "name"),
    ListColumn(_("E-mail"), "email", "d-none d-md-table-cell"),
    ListColumn(_("Phone"), "phone", "d-none d-lg-table-cell"),
    ListColumn(_("City"), "city", "d-none d-sm-table-cell"),
    ListColumn(_("Country"), "country", "d-none d-xl-table-cell"),
    ListColumn(_("Tags"), None, "d-none d-xxl-table-cell"),
    ListColumn(_("Owner"), "owner", "d-none d-md-table-cell"),
)
#: The pages every contact kind shares.
PAGES: dict[str, Any] = {
    "columns": COLUMNS,
    "filters": ContactFilters,
    "row_template": "contacts/_record_row.html",
    "list_template": "contacts/record_list.html",
    "detail_template": "contacts/record_detail.html",
    "form_template": "contacts/record_form.html",
    "filter_form": forms.filter_form,
    "saved_views": True,
    "history_labels": {
        **forms.FORMSET_TITLES,
        "birthday": _("Birthday"),
        "custom": _("Custom fields"),
        "organizations": _("Organizations"),
        "tags": _("Tags"),
    },
}


def _not_merged(kind: str, trashed: QuerySet[Any]) -> QuerySet[Any]:
    """Records merged away wait in the trash to be purged, but restoring one alone
    would make the duplicate again: it comes back by undoing the merge."""
    return trashed.exclude(pk__in=selectors.merged_ids(kind))


ORGANIZATIONS = RecordKind(
    resource=Organization.RESOURCE,
    model=Organization,
    namespace="contacts",
    url_prefix="organization",
    path="organizations",
    singular=_("organization"),
    plural=_("Organizations"),
    icon="bi-building",
    create_first=_("Create the first organization"),
    list_selector=selectors.organization_list,
    get_selector=selectors.organization_get,
    trash_get=selectors.organization_trash_get,
    create=services.organization_create,
    update=services.organization_update,
    trash=services.organization_trash,
    restore=services.organization_restore,
    name_fields=("name",),
    trash_filter=functools.partial(_not_merged, "organization"),
    form_class=forms.OrganizationForm,
    **PAGES,
    api_scopes=SCOPES,
    api_in=schemas.OrganizationIn,
    api_patch=schemas.OrganizationPatch,
    api_out_schema=schemas.OrganizationOut,
    api_list_params=schemas.ContactListParams,
    api_list=api.organizations_query,
    api_data=api.record_data,
    api_out=schemas.organization_data,
    get_for_api=selectors.organization_get_with_details,
    api_missing=api.organization_merged,
    api_field_names=api.FIELD_NAMES,
    api_id_name="org_id",
    api_docs=api.ORGANIZATION_DOCS,
    searchable=True,
    importable=True,
    mergeable=True,
    custom_fields=True,
    export_columns=exports.ORGANIZATION_COLUMNS,
    export_rows=exports.ORGANIZATION_ROWS,
)

PEOPLE = RecordKind(
    resource=Person.RESOURCE,
    model=Person,
    namespace="contacts",
    url_prefix="person",
    path="people",
    singular=_("person"),
    plural=_("People"),
    icon="bi-person",
    create_first=_("Create the first person"),
    list_selector=selectors.person_list,
    get_selector=selectors.person_get,
    trash_get=selectors.person_trash_get,
    create=services.person_create,
    update=services.person_update,
    trash=services.person_trash,
    restore=services.person_restore,
    name_fields=("first_name", "last_name"),
    trash_filter=functools.partial(_not_merged, "person"),
    form_class=forms.PersonForm,
    **PAGES,
    api_scopes=SCOPES,
    api_in=schemas.PersonIn,
    api_patch=schemas.PersonPatch,
    api_out_schema=schemas.PersonOut,
    api_list_params=schemas.ContactListParams,
    api_list=api.people_query,
    api_data=api.record_data,
    api_out=schemas.person_data,
    get_for_api=selectors.person_get_with_details,
    api_missing=api.person_merged,
    api_field_names=api.FIELD_NAMES,
    api_docs=api.PEOPLE_DOCS,
    searchable=True,
    importable=True,
    mergeable=True,
    custom_fields=True,
    export_columns=exports.PERSON_COLUMNS,
    export_rows=exports.PERSON_ROWS,
)

#: In the order they are registered (the header search groups hits in this order).
ALL = (ORGANIZATIONS, PEOPLE)
