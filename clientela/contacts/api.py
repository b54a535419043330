"""``/people`` and ``/organizations``: list, create, retrieve, update, delete.

Thin by design: parse the input (``schemas``), call a selector or a service, render.
Reads go only through ``contacts.selectors`` (so a record the user may not see is a
404, in lists and searches too); writes only through ``contacts.services`` (so
validation, permissions, audit and search index are the same as on the pages).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Status

from clientela.contacts import merge as merging
from clientela.contacts import selectors, services
from clientela.contacts.filters import SORTS, ContactFilters
from clientela.contacts.models import DuplicateKind, Organization, Person
from clientela.contacts.schemas import (
    ContactListParams,
    MergeIn,
    MergeOut,
    OrganizationIn,
    OrganizationMergeOut,
    OrganizationOut,
    OrganizationPatch,
    PersonIn,
    PersonMergeOut,
    PersonOut,
    PersonPatch,
    RecordIn,
    VersionIn,
    merge_out,
    organization_out,
    person_out,
)
from clientela.core import selectors as core_selectors
from clientela.core.api import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    api_user,
    expected_version,
    idempotent,
    paginate,
    renamed_fields,
    require_scope,
    set_etag,
)
from clientela.core.api.schemas import RecordId
from clientela.core.errors import NotFound

#: A record merged into another answers with a permanent redirect to it (same method).
MERGED_REDIRECT: dict[int, Any] = {308: None}

router = Router()

READ, WRITE = "contacts:read", "contacts:write"


#: The services' names for fields the API calls differently.
FIELD_NAMES = {"memberships": "organizations", "owner": "owner_id", "team": "team_id"}


def _filters(request: HttpRequest, resource: str) -> ContactFilters:
    filters, errors = ContactFilters.from_params(request.GET, resource=resource)
    if errors:
        raise ValidationError(errors)
    return filters


def _sort_help(resource: str) -> str:
    return "Sort by " + ", ".join(f"`{key}`" for key in SORTS[resource]) + " (`-key` descends)."


def _record_data(payload: RecordIn) -> dict[str, Any]:
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


def _person_data(payload: PersonIn) -> services.PersonData:
    return cast(services.PersonData, _record_data(payload))


def _organization_data(payload: OrganizationIn) -> services.OrganizationData:
    return cast(services.OrganizationData, _record_data(payload))


# --- people ---------------------------------------------------------------------------


def _person(request: HttpRequest, person_id: int) -> Person:
    """The person with every detail in one query (the services re-read what they
    change, so writes may start from it too)."""
    return selectors.person_get_with_details(user=api_user(request), pk=person_id)


@router.get(
    "/people",
    response={200: CursorPage[PersonOut], **LIST_ERRORS},
    tags=["people"],
    description="Filters: `q`, `tag`, `role`, `owner`, `team`, `country`, `city` and "
    "`cf_<key>=<value>` for custom fields. " + _sort_help(Person.RESOURCE),
)
@require_scope(READ)
def list_people(request: HttpRequest, params: Query[ContactListParams]) -> Any:
    filters = _filters(request, Person.RESOURCE)
    qs = selectors.person_list_with_details(user=api_user(request), filters=filters)
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {"items": [person_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/people", response={201: PersonOut, **CREATE_ERRORS}, tags=["people"])
@require_scope(WRITE)
@idempotent
def create_person(request: HttpRequest, payload: PersonIn) -> Status[PersonOut]:
    user = api_user(request)
    with renamed_fields(FIELD_NAMES):
        person = services.person_create(actor=user, data=_person_data(payload))
    return Status(201, person_out(_person(request, person.pk)))


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


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **MERGED_REDIRECT, **DETAIL_ERRORS},
    tags=["people"],
    description="A person merged into another answers `308` with the other's `Location`.",
)
@require_scope(READ)
def get_person(request: HttpRequest, person_id: RecordId, response: HttpResponse) -> Any:
    try:
        person = _person(request, person_id)
    except NotFound:
        return _merged_redirect(request, DuplicateKind.PERSON, person_id)
    set_etag(response, person.version)
    return person_out(person)


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, **MERGED_REDIRECT, **CHANGE_ERRORS},
    tags=["people"],
)
@require_scope(WRITE)
def update_person(
    request: HttpRequest, person_id: RecordId, payload: PersonPatch, response: HttpResponse
) -> Any:
    """Send only the fields to change; lists (e-mails, phones, …) replace the whole list.
    A person merged into another answers `308` with the other's `Location`."""
    version = expected_version(request, payload.version)
    try:
        person = _person(request, person_id)
    except NotFound:
        return _merged_redirect(request, DuplicateKind.PERSON, person_id)
    with renamed_fields(FIELD_NAMES):
        services.person_update(
            actor=api_user(request),
            person=person,
            data=_person_data(payload),
            expected_version=version,
        )
    fresh = _person(request, person_id)
    set_etag(response, fresh.version)
    return person_out(fresh)


@router.delete(
    "/people/{person_id}",
    response={204: None, **CHANGE_ERRORS},
    tags=["people"],
)
@require_scope(WRITE)
def delete_person(
    request: HttpRequest, person_id: RecordId, payload: Body[VersionIn | None] = None
) -> Status[None]:
    """Moves the person to the trash, where an admin can restore them for 30 days."""
    version = expected_version(request, payload.version if payload else None)
    person = _person(request, person_id)
    services.person_trash(actor=api_user(request), person=person, expected_version=version)
    return Status(204, None)


# --- organizations --------------------------------------------------------------------


def _organization(request: HttpRequest, org_id: int) -> Organization:
    return selectors.organization_get_with_details(user=api_user(request), pk=org_id)


@router.get(
    "/organizations",
    response={200: CursorPage[OrganizationOut], **LIST_ERRORS},
    tags=["organizations"],
    description="Filters: `q`, `tag`, `role`, `owner`, `team`, `country`, `city` and "
    "`cf_<key>=<value>` for custom fields. " + _sort_help(Organization.RESOURCE),
)
@require_scope(READ)
def list_organizations(request: HttpRequest, params: Query[ContactListParams]) -> Any:
    filters = _filters(request, Organization.RESOURCE)
    qs = selectors.organization_list_with_details(user=api_user(request), filters=filters)
    page = paginate(qs, limit=params.limit, cursor=params.cursor)
    return {"items": [organization_out(o) for o in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/organizations",
    response={201: OrganizationOut, **CREATE_ERRORS},
    tags=["organizations"],
)
@require_scope(WRITE)
@idempotent
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[OrganizationOut]:
    user = api_user(request)
    with renamed_fields(FIELD_NAMES):
        org = services.organization_create(actor=user, data=_organization_data(payload))
    return Status(201, organization_out(_organization(request, org.pk)))


@router.get(
    "/organizations/{org_id}",
    response={200: OrganizationOut, **MERGED_REDIRECT, **DETAIL_ERRORS},
    tags=["organizations"],
    description="An organization merged into another answers `308` with the other's `Location`.",
)
@require_scope(READ)
def get_organization(request: HttpRequest, org_id: RecordId, response: HttpResponse) -> Any:
    try:
        org = _organization(request, org_id)
    except NotFound:
        return _merged_redirect(request, DuplicateKind.ORGANIZATION, org_id)
    set_etag(response, org.version)
    return organization_out(org)


@router.patch(
    "/organizations/{org_id}",
    response={200: OrganizationOut, **MERGED_REDIRECT, **CHANGE_ERRORS},
    tags=["organizations"],
)
@require_scope(WRITE)
def update_organization(
    request: HttpRequest, org_id: RecordId, payload: OrganizationPatch, response: HttpResponse
) -> Any:
    """Send only the fields to change; lists (e-mails, phones, …) replace the whole list.
    An organization merged into another answers `308` with the other's `Location`."""
    version = expected_version(request, payload.version)
    try:
        org = _organization(request, org_id)
    except NotFound:
        return _merged_redirect(request, DuplicateKind.ORGANIZATION, org_id)
    with renamed_fields(FIELD_NAMES):
        services.organization_update(
            actor=api_user(request),
            organization=org,
            data=_organization_data(payload),
            expected_version=version,
        )
    fresh = _organization(request, org_id)
    set_etag(response, fresh.version)
    return organization_out(fresh)


@router.delete(
    "/organizations/{org_id}",
    response={204: None, **CHANGE_ERRORS},
    tags=["organizations"],
)
@require_scope(WRITE)
def delete_organization(
    request: HttpRequest, org_id: RecordId, payload: Body[VersionIn | None] = None
) -> Status[None]:
    """Moves the organization to the trash, where an admin can restore it for 30 days."""
    version = expected_version(request, payload.version if payload else None)
    org = _organization(request, org_id)
    services.organization_trash(actor=api_user(request), organization=org, expected_version=version)
    return Status(204, None)


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
