"""``/segments`` and ``/lists`` (``core.api.records`` serves list, create, retrieve,
patch and delete from the kinds' declarations in ``marketing.kinds``) and their
members: ``GET /segments/{id}/members``, ``GET/POST/DELETE /lists/{id}/members``. A
segment or list the token's user may not read is a 404; a bad tree of rules is a 422
naming the part (``rules.all[1].field``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router

from clientela.contacts.models import Person
from clientela.core.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    PageParams,
    api_user,
    paginate,
    require_scope,
)
from clientela.core.api.schemas import InputSchema, OutputSchema, RecordId
from clientela.marketing.choices import ListMemberSource
from clientela.marketing.filters import MemberFilters, NamedFilters
from clientela.marketing.models import Segment, StaticList
from clientela.marketing.selectors import segments as selectors
from clientela.marketing.services import segments as services

router = Router(tags=["segments and lists"])
READ, WRITE = "marketing:read", "marketing:write"

RULES_DOC = (
    'A condition tree over people: {"all": [...]} or {"any": [...]}, each part a group '
    'or {"field": "city", "op": "eq", "value": "Madrid"}; ops eq, ne, in, contains, gt, '
    "lt, before, after, exists; dates as YYYY-MM-DD or -30d (30 days ago). The fields "
    "are listed by GET /segments/fields."
)


class SegmentIn(InputSchema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    rules: dict[str, Any] | None = Field(None, description=RULES_DOC)
    owner_id: RecordId | None = None


class SegmentPatch(SegmentIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class SegmentOut(OutputSchema):
    id: int
    name: str
    description: str
    rules: dict[str, Any]
    count: int | None = Field(
        description="How many people you see meet the rules: counted now on retrieve, "
        "the last count in lists."
    )
    counted_at: datetime.datetime | None
    owner_id: int
    team_id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ListIn(InputSchema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    owner_id: RecordId | None = None


class ListPatch(ListIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class ListOut(OutputSchema):
    id: int
    name: str
    description: str
    owner_id: int
    team_id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class NamedParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the name.")
    sort: str = Field("name", max_length=20, pattern=r"^-?(name|updated|created)$")


class MemberParams(PageParams):
    sort: str = Field("name", max_length=20, pattern=r"^-?(name|email|city)$")


class MemberOut(OutputSchema):
    id: int
    first_name: str
    last_name: str
    email: str
    city: str
    country: str


class MembersIn(InputSchema):
    person_ids: list[RecordId] = Field(min_length=1, max_length=services.MAX_MEMBERS)


class MembersChanged(OutputSchema):
    changed: int = Field(description="How many people were added or removed.")


# --- what the kinds' generic endpoints call -------------------------------------------


def segment_out(segment: Segment) -> SegmentOut:
    return SegmentOut(
        id=segment.pk,
        name=segment.name,
        description=segment.description,
        rules=segment.rules,
        count=segment.last_count,
        counted_at=segment.counted_at,
        owner_id=segment.owner_id,
        team_id=segment.team_id,
        version=segment.version,
        created_at=segment.created_at,
        updated_at=segment.updated_at,
    )


def segment_for_api(*, user: Any, pk: Any) -> Segment:
    """A segment with its count as ``user`` sees it now."""
    segment = selectors.segment_get(user=user, pk=pk)
    services.segment_recount(user=user, segment=segment)
    return segment


def list_out(static_list: StaticList) -> ListOut:
    return ListOut(
        id=static_list.pk,
        name=static_list.name,
        description=static_list.description,
        owner_id=static_list.owner_id,
        team_id=static_list.team_id,
        version=static_list.version,
        created_at=static_list.created_at,
        updated_at=static_list.updated_at,
    )


def payload_data(payload: InputSchema) -> Any:
    return payload.model_dump(exclude_unset=True, exclude={"version"})


def _named(request: HttpRequest) -> NamedFilters:
    filters, errors = NamedFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return filters


def segments_query(request: HttpRequest, params: NamedParams) -> QuerySet[Segment]:
    return selectors.segment_list(user=api_user(request), filters=_named(request))


def lists_query(request: HttpRequest, params: NamedParams) -> QuerySet[StaticList]:
    return selectors.list_list(user=api_user(request), filters=_named(request))


SEGMENT_DOCS = {
    "list": "Filters: `q` (words of the name). `count` is the last count.",
    "create": "A `name` is required; `rules` default to everyone you see.",
    "get": "With `count`: how many people you see meet the rules, counted now.",
    "update": "Send only the fields to change.",
}
LIST_DOCS = {
    "list": "Filters: `q` (words of the name).",
    "create": "A `name` is required; add people with POST /lists/{id}/members.",
    "update": "Send only the fields to change.",
}


# --- members -----------------------------------------------------------------------------


def _members_page(people: QuerySet[Person], params: MemberParams) -> dict[str, Any]:
    page = paginate(people, limit=params.limit, cursor=params.cursor)
    items = [
        MemberOut(
            id=p.pk,
            first_name=p.first_name,
            last_name=p.last_name,
            email=p.email,
            city=p.city,
            country=p.country,
        )
        for p in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


MEMBER_COLUMNS = ("pk", "first_name", "last_name", "email", "city", "country")


def _slim(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.select_related(None).prefetch_related(None).only(*MEMBER_COLUMNS)


def _member_filters(params: MemberParams) -> MemberFilters:
    filters, errors = MemberFilters.from_params({"sort": params.sort})
    if errors:
        raise ValidationError(errors)
    return filters


@router.get(
    "/segments/{segment_id}/members", response={200: CursorPage[MemberOut], **DETAIL_ERRORS}
)
@require_scope(READ)
def segment_members(
    request: HttpRequest, segment_id: RecordId, params: Query[MemberParams]
) -> dict[str, Any]:
    """The people you see who meet the segment's rules now, by name."""
    user = api_user(request)
    segment = selectors.segment_get(user=user, pk=segment_id)
    people = selectors.segment_members(user=user, segment=segment, filters=_member_filters(params))
    return _members_page(_slim(people), params)


@router.get("/lists/{list_id}/members", response={200: CursorPage[MemberOut], **DETAIL_ERRORS})
@require_scope(READ)
def list_members(
    request: HttpRequest, list_id: RecordId, params: Query[MemberParams]
) -> dict[str, Any]:
    """The people on the list that you see, by name."""
    user = api_user(request)
    static_list = selectors.list_get(user=user, pk=list_id)
    people = selectors.list_members(
        user=user, static_list=static_list, filters=_member_filters(params)
    )
    return _members_page(_slim(people), params)


@router.post("/lists/{list_id}/members", response={200: MembersChanged, **CHANGE_ERRORS})
@require_scope(WRITE)
def add_list_members(request: HttpRequest, list_id: RecordId, payload: MembersIn) -> MembersChanged:
    """Put people on the list (those already on it stay); an id you do not see is a
    422 and nothing is added."""
    user = api_user(request)
    static_list = selectors.list_get(user=user, pk=list_id)
    added = services.list_add_members(
        actor=user,
        static_list=static_list,
        person_ids=list(payload.person_ids),
        source=ListMemberSource.API,
    )
    return MembersChanged(changed=added)


@router.delete("/lists/{list_id}/members", response={200: MembersChanged, **CHANGE_ERRORS})
@require_scope(WRITE)
def remove_list_members(
    request: HttpRequest, list_id: RecordId, payload: MembersIn
) -> MembersChanged:
    """Take people off the list."""
    user = api_user(request)
    static_list = selectors.list_get(user=user, pk=list_id)
    removed = services.list_remove_members(
        actor=user, static_list=static_list, person_ids=list(payload.person_ids)
    )
    return MembersChanged(changed=removed)


class FieldOut(OutputSchema):
    key: str
    label: str
    type: str
    ops: list[str]
    choices: list[list[str]] | None
    group: str


@router.get("/segments/fields", response={200: list[FieldOut], **LIST_ERRORS})
@require_scope(READ)
def segment_fields(request: HttpRequest) -> list[FieldOut]:
    """The fields a segment's rules may test, with their operators and choices."""
    from clientela.core.conditions import condition_fields  # noqa: PLC0415

    return [
        FieldOut(
            key=f.key,
            label=str(f.label),
            type=f.type,
            ops=list(f.allowed_ops),
            choices=[list(c) for c in f.choice_list()] if f.choices else None,
            group=str(f.group),
        )
        for f in condition_fields(services.PERSON)
    ]
