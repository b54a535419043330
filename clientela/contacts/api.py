"""The contacts API beyond the generic operations: merging duplicates, and what
``core.api.records`` needs to serve ``/people`` and ``/organizations`` (list, create,
retrieve, update, delete) from the kinds' declarations in ``contacts.kinds``.

Thin by design: parse the input (``schemas``), call a selector or a service, render.
Reads go only through ``contacts.selectors`` (so a record the user may not see is a
404, in lists and searches too); writes only through ``contacts.services`` (so
validation, permissions, audit and search index are the same as on the pages).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from clientela.contacts import merge as merging
from clientela.contacts import selectors, services
from clientela.contacts.filters import SORTS, ContactFilters
from clientela.contacts.models import DuplicateKind, Organization, Person
from clientela.contacts.schemas import (
    ContactListParams,
    MergeIn,
    MergeOut,
    OrganizationMergeOut,
    PersonMergeOut,
    RecordIn,
    merge_out,
    organization_out,
    person_out,
)
from clientela.core import selectors as core_selectors
from clientela.core.api import CHANGE_ERRORS, api_user, require_scope
from clientela.core.api.schemas import RecordId
from clientela.core.errors import NotFound

router = Router()

READ, WRITE = "contacts:read", "contacts:write"


#: The services' names for fields the API calls differently.
FIELD_NAMES = {"memberships": "organizations", "owner": "owner_id", "team": "team_id"}

_MERGED = "{} merged into another answers `308` with the other's `Location`."
_PATCH = "Send only the fields to change; lists (e-mails, phones, …) replace the whole list.\n"


def _list_help(resource: str) -> str:
    return (
        "Filters: `q`, `tag`, `role`, `owner`, `team`, `country`, `city` and "
        "`cf_<key>=<value>` for custom fields. Sort by "
        + ", ".join(f"`{key}`" for key in SORTS[resource])
        + " (`-key` descends)."
    )


#: The descriptions of the generic operations in the OpenAPI document.
PEOPLE_DOCS = {
    "list": _list_help(Person.RESOURCE),
    "get": _MERGED.format("A person"),
    "update": _PATCH + _MERGED.format("A person"),
    "delete": "Moves the person to the trash, where whoever deleted them, or an admin, "
    "can restore them for 30 days.",
}
ORGANIZATION_DOCS = {
    "list": _list_help(Organization.RESOURCE),
    "get": _MERGED.format("An organization"),
    "update": _PATCH + _MERGED.format("An organization"),
    "delete": "Moves the organization to the trash, where whoever deleted it, or an admin, "
    "can restore it for 30 days.",
}


def record_data(payload: RecordIn) -> dict[str, Any]:
    """The fields the client sent, as the services' input types."""
    raw = payload.model_dump(exclude_unset=True, exclude={"version"})
    data: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "emails":
            data[key] = [services.EmailInput(**item) for item in value]
        elif key == "phones":
            data[key] = [services.PhoneInput(**item) for item in value]
        elif key == "addresses":
            data[key] = [services.AddressInput(**item) for item in value]
        elif key == "relationships":
            data[key] = [services.RelationshipInput(**item) for item in value]
        elif key == "organizations":
            data["memberships"] = [services.MembershipInput(**item) for item in value]
        elif key == "owner_id":
            if value is not None:
                data["owner"] = _lookup(core_selectors.user_choices(), value, "owner_id")
        elif key == "team_id":
            if value is not None:
                data["team"] = _lookup(core_selectors.team_list(), value, "team_id")
        else:
            data[key] = value
    return data


def _lookup(qs: QuerySet[Any], pk: int, field: str) -> Any:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("There is no such id: %(id)s.") % {"id": pk}]})
    return found


def _filters(request: HttpRequest, resource: str) -> ContactFilters:
    filters, errors = ContactFilters.from_params(request.GET, resource=resource)
    if errors:
        raise ValidationError(errors)
    return filters


def people_query(request: HttpRequest, params: ContactListParams) -> QuerySet[Person]:
    filters = _filters(request, Person.RESOURCE)
    return selectors.person_list_with_details(user=api_user(request), filters=filters)


def organizations_query(request: HttpRequest, params: ContactListParams) -> QuerySet[Organization]:
    filters = _filters(request, Organization.RESOURCE)
    return selectors.organization_list_with_details(user=api_user(request), filters=filters)


def _merged_redirect(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A 308 to the record ``pk`` was merged into, if the user may see it; else the
    ``NotFound`` being handled goes on."""
    target = selectors.merged_into(kind, pk)
    if target is None:
        raise NotFound()
    get = (
        selectors.person_get_with_details
        if kind == DuplicateKind.PERSON
        else selectors.organization_get_with_details
    )
    get(user=api_user(request), pk=target)
    base = request.path.rstrip("/").rsplit("/", 1)[0]
    response = HttpResponse(status=308)
    response["Location"] = f"{base}/{target}"
    return response


def person_merged(request: HttpRequest, pk: int) -> HttpResponse:
    return _merged_redirect(request, DuplicateKind.PERSON, pk)


def organization_merged(request: HttpRequest, pk: int) -> HttpResponse:
    return _merged_redirect(request, DuplicateKind.ORGANIZATION, pk)


def _person(request: HttpRequest, person_id: int) -> Person:
    """The person with every detail in one query."""
    return selectors.person_get_with_details(user=api_user(request), pk=person_id)


def _organization(request: HttpRequest, org_id: int) -> Organization:
    return selectors.organization_get_with_details(user=api_user(request), pk=org_id)


# --- merging duplicates ---------------------------------------------------------------


def _check_other(pk: int, payload: MergeIn) -> None:
    if payload.other_id == pk:
        raise ValidationError({"other_id": [_("A record cannot be merged into itself.")]})


def _merge_pair(user: Any, get: Any, pk: int, payload: MergeIn) -> tuple[Any, Any]:
    """The record kept (404 when not visible) and the one merged into it (422 on
    ``other_id`` when not visible: it is a value of the body, not of the path)."""
    _check_other(pk, payload)
    survivor = get(user=user, pk=pk)
    try:
        other = get(user=user, pk=payload.other_id)
    except NotFound:
        raise ValidationError(
            {"other_id": [_("There is no such id: %(id)s.") % {"id": payload.other_id}]}
        ) from None
    return survivor, other


@router.post(
    "/people/{person_id}/merge",
    response={200: PersonMergeOut, **CHANGE_ERRORS},
    tags=["people"],
)
@require_scope(WRITE)
def merge_person(request: HttpRequest, person_id: RecordId, payload: MergeIn) -> Any:
    """Merge the person `other_id` into this one: the picked values are kept, every
    interaction, task, appointment, deal, quote, order, membership and history entry
    moves here, the other goes to the trash and its id redirects here (undo with
    `POST /merges/{merge_id}/undo`)."""
    user = api_user(request)
    survivor, other = _merge_pair(user, selectors.person_get, person_id, payload)
    done = merging.person_merge(
        actor=user,
        survivor=survivor,
        other=other,
        picks=payload.picks,
        expected_versions={person_id: payload.version, payload.other_id: payload.other_version},
    )
    out = person_out(_person(request, person_id))
    return PersonMergeOut(**out.model_dump(), merge_id=done.pk)


@router.post(
    "/organizations/{org_id}/merge",
    response={200: OrganizationMergeOut, **CHANGE_ERRORS},
    tags=["organizations"],
)
@require_scope(WRITE)
def merge_organization(request: HttpRequest, org_id: RecordId, payload: MergeIn) -> Any:
    """Merge the organization `other_id` into this one (see the people's merge)."""
    user = api_user(request)
    survivor, other = _merge_pair(user, selectors.organization_get, org_id, payload)
    done = merging.organization_merge(
        actor=user,
        survivor=survivor,
        other=other,
        picks=payload.picks,
        expected_versions={org_id: payload.version, payload.other_id: payload.other_version},
    )
    out = organization_out(_organization(request, org_id))
    return OrganizationMergeOut(**out.model_dump(), merge_id=done.pk)


@router.post(
    "/merges/{merge_id}/undo",
    response={200: MergeOut, **CHANGE_ERRORS},
    tags=["merges"],
)
@require_scope(WRITE)
def undo_merge(request: HttpRequest, merge_id: RecordId) -> Any:
    """Undo a merge (the user who merged, or an admin): the merged record comes back
    with everything that was moved, and the record kept gets its values back."""
    user = api_user(request)
    merge = selectors.merge_get(user=user, pk=merge_id)
    merging.merge_undo(actor=user, merge=merge)
    merge.refresh_from_db()
    return merge_out(merge)
