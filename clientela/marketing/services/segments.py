"""Segments and static lists: create, change, trash, restore (``core.services``'
record shells, so permissions, versions and the audit hold as for every kind); a
segment's cached count; a static list's members added and removed.

A segment's ``rules`` are checked by the condition parser (``core.conditions``): a bad
tree is a ``ValidationError`` under ``rules.<path>`` ("rules.all[1].field"), so pages
show it beside the editor and the API answers 422 naming the part.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.models import Person
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.conditions import ConditionError, parse_conditions
from clientela.core.models import User
from clientela.core.services import RecordWrites, record_restore, record_trash
from clientela.core.validation import (
    RECORD_OWNER,
    Errors,
    OwnerRule,
    add,
    assign_owner_team,
    clean_text,
    raise_errors,
)
from clientela.marketing.choices import ListMemberSource
from clientela.marketing.models import ListMember, Segment, StaticList

PERSON = Person.RESOURCE
#: People added or removed in one call.
MAX_MEMBERS = 10000
API_OWNER = OwnerRule(
    inactive=("owner_id", RECORD_OWNER.inactive[1]),
    no_team=("owner_id", RECORD_OWNER.no_team[1]),
    not_own=("owner_id", RECORD_OWNER.not_own[1]),
    not_team=("owner_id", RECORD_OWNER.not_team[1]),
)


class SegmentData(TypedDict, total=False):
    name: str
    description: str
    rules: Any
    owner_id: int | None


class ListData(TypedDict, total=False):
    name: str
    description: str
    owner_id: int | None


def rules_error_key(error: ConditionError) -> str:
    return f"rules.{error.path}" if error.path else "rules"


def _owner(actor: User, record: Segment | StaticList, data: Any, errors: Errors) -> None:
    if record.pk is not None and not data.get("owner_id"):
        return
    owner = None
    if data.get("owner_id"):
        owner = User.objects.filter(pk=data["owner_id"]).select_related("team").first()
        if owner is None:
            add(errors, "owner_id", _("There is no such user."))
            return
    if record.pk is not None and owner is not None and owner.pk == record.owner_id:
        return
    assigned = assign_owner_team(actor, record.RESOURCE, owner, errors, rule=API_OWNER)
    if assigned is not None:
        record.owner, record.team = assigned


def _named(actor: User, record: Segment | StaticList, data: Any, errors: Errors) -> None:
    for name, value in clean_text(type(record), data, ("name", "description"), errors).items():
        setattr(record, name, value)
    if not record.name and "name" not in errors:
        add(errors, "name", _("Give it a name."))
    _owner(actor, record, data, errors)


def _apply_segment(actor: User, segment: Segment, data: SegmentData) -> None:
    errors: Errors = {}
    _named(actor, segment, data, errors)
    if "rules" in data:
        try:
            segment.rules = parse_conditions(PERSON, data["rules"]).to_json()
        except ConditionError as error:
            add(errors, rules_error_key(error), error.message)
    raise_errors(errors)
    segment.full_clean(exclude=["owner", "team", "tags"])
    segment.save()
    _store_count(actor, segment)


def _store_count(user: User, segment: Segment) -> None:
    from clientela.marketing.selectors.segments import segment_count  # noqa: PLC0415

    segment.last_count = segment_count(user=user, segment=segment)
    segment.counted_at = timezone.now()
    Segment.objects.filter(pk=segment.pk).update(
        last_count=segment.last_count, counted_at=segment.counted_at
    )


def segment_snapshot(segment: Segment) -> dict[str, Any]:
    return {"name": segment.name, "description": segment.description, "rules": segment.rules}


def _reindex(record: Any) -> None:
    """Segments and lists are not in the header search: nothing to index."""


_SEGMENTS = RecordWrites(apply=_apply_segment, snapshot=segment_snapshot)


def segment_create(*, actor: User, data: SegmentData) -> Segment:
    return _SEGMENTS.create(actor, Segment(), data)


def segment_update(
    *, actor: User, segment: Segment, data: SegmentData, expected_version: int | None = None
) -> Segment:
    return _SEGMENTS.update(actor, segment, data, expected_version)


def segment_trash(*, actor: User, segment: Segment, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=segment, expected_version=expected_version)


def segment_restore(*, actor: User, segment: Segment) -> None:
    record_restore(actor=actor, record=segment, reindex=_reindex)


def segment_recount(*, user: User, segment: Segment) -> int:
    """Count the segment as ``user`` sees it and keep the count as its last one (a
    cache, not audited)."""
    _store_count(user, segment)
    return segment.last_count or 0


# --- static lists -----------------------------------------------------------------------


def _apply_list(actor: User, static_list: StaticList, data: ListData) -> None:
    errors: Errors = {}
    _named(actor, static_list, data, errors)
    raise_errors(errors)
    static_list.full_clean(exclude=["owner", "team", "tags"])
    static_list.save()


def list_snapshot(static_list: StaticList) -> dict[str, Any]:
    return {"name": static_list.name, "description": static_list.description}


_LISTS = RecordWrites(apply=_apply_list, snapshot=list_snapshot)


def list_create(*, actor: User, data: ListData) -> StaticList:
    return _LISTS.create(actor, StaticList(), data)


def list_update(
    *, actor: User, static_list: StaticList, data: ListData, expected_version: int | None = None
) -> StaticList:
    return _LISTS.update(actor, static_list, data, expected_version)


def list_trash(
    *, actor: User, static_list: StaticList, expected_version: int | None = None
) -> None:
    record_trash(actor=actor, record=static_list, expected_version=expected_version)


def list_restore(*, actor: User, static_list: StaticList) -> None:
    record_restore(actor=actor, record=static_list, reindex=_reindex)


def _person_ids(value: Any) -> list[int]:
    if not isinstance(value, list | tuple | set) or not value:
        raise_errors({"person_ids": [_("Give a list of person ids.")]})
    if len(value) > MAX_MEMBERS:
        raise_errors({"person_ids": [_("At most %(n)s people at once.") % {"n": MAX_MEMBERS}]})
    ids = []
    for one in value:
        if isinstance(one, bool) or not isinstance(one, int) or not 0 < one < 2**63:
            raise_errors({"person_ids": [_("Person ids are whole numbers.")]})
        ids.append(one)
    return sorted(set(ids))


def _locked(actor: User, static_list: StaticList) -> StaticList:
    """The list re-read under a lock, visible to ``actor`` who may change it."""
    from clientela.core.services.records import lock_for_update  # noqa: PLC0415

    return lock_for_update(static_list, actor)


@transaction.atomic
def list_add_members(
    *,
    actor: User,
    static_list: StaticList,
    person_ids: Iterable[int] | Any,
    source: str = ListMemberSource.SELECTION,
) -> int:
    """Put the people ``actor`` sees among ``person_ids`` on the list (those already on
    it stay as they were); an id the actor does not see is refused with the others
    (nothing is added). Returns how many were added."""
    fresh = _locked(actor, static_list)
    ids = _person_ids(list(person_ids) if not isinstance(person_ids, list) else person_ids)
    if source not in ListMemberSource.values:
        raise_errors({"source": [_("Unknown source.")]})
    return _add(actor, fresh, ids, source, strict=True)


def _add(actor: User, static_list: StaticList, ids: list[int], source: str, *, strict: bool) -> int:
    visible = set(
        Person.objects.alive().visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True)
    )
    missing = [pk for pk in ids if pk not in visible]
    if missing and strict:
        raise_errors(
            {
                "person_ids": [
                    _("No such person: %(ids)s.") % {"ids": ", ".join(map(str, missing[:10]))}
                ]
            }
        )
    present = set(
        ListMember.objects.filter(list=static_list, person_id__in=visible).values_list(
            "person_id", flat=True
        )
    )
    new = [
        ListMember(list=static_list, person_id=pk, added_by=actor, source=source)
        for pk in sorted(visible - present)
    ]
    ListMember.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    if new:
        record_audit(
            actor=actor,
            instance=static_list,
            action=AuditAction.UPDATE,
            changes={"members_added": [None, str(len(new))]},
        )
    return len(new)


@transaction.atomic
def list_add_people(
    *, actor: User, static_list: StaticList, people: Any, source: str = ListMemberSource.SELECTION
) -> int:
    """Put on the list every person of ``people`` (a queryset the caller read through
    the contacts selectors with ``actor``: the people list's current selection)."""
    fresh = _locked(actor, static_list)
    ids = list(people.values_list("pk", flat=True)[: MAX_MEMBERS + 1])
    if len(ids) > MAX_MEMBERS:
        raise_errors({"people": [_("At most %(n)s people at once.") % {"n": MAX_MEMBERS}]})
    return _add(actor, fresh, ids, source, strict=False)


@transaction.atomic
def list_remove_members(*, actor: User, static_list: StaticList, person_ids: Any) -> int:
    """Take people off the list (only people ``actor`` sees; others are left alone)."""
    fresh = _locked(actor, static_list)
    ids = _person_ids(person_ids)
    visible = Person.objects.alive().visible_to(actor).filter(pk__in=ids).values("pk")
    removed, _by_model = ListMember.objects.filter(list=fresh, person__in=visible).delete()
    if removed:
        record_audit(
            actor=actor,
            instance=fresh,
            action=AuditAction.UPDATE,
            changes={"members_removed": [None, str(removed)]},
        )
    return int(removed)
