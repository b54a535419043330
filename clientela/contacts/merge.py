"""Merging a duplicate person or organization into the record kept (the *survivor*),
and undoing it. One transaction each.

The chosen values (``picks``) are applied through ``person_update`` /
``organization_update``, so validation, audit and the search index stay in one place.
Everything else that points at the merged record is moved generically, by model
introspection (``selectors.merge_relations``): contacts names none of the apps built on
it, and a later app's links move without touching this module. Every moved or deleted
row is written down in the ``Merge`` row, which is also the redirect of the old id, so
``merge_undo`` can put each link back exactly.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import details as d
from clientela.contacts import selectors, services
from clientela.contacts.models import (
    DuplicateKind,
    DuplicatePair,
    Membership,
    Merge,
    Organization,
    Person,
)
from clientela.core import search
from clientela.core.audit import changes_between, record_audit
from clientela.core.choices import AuditAction
from clientela.core.custom_fields import definitions
from clientela.core.models import AuditEntry, Team, User
from clientela.core.services import check_version, lock_for_update

SURVIVOR, OTHER, BOTH = "survivor", "other", "both"

PERSON_SCALARS = (
    "first_name",
    "last_name",
    "birthday",
    "preferred_language",
    "preferred_channel",
    "notes",
    "external_id",
    "owner",
)
ORGANIZATION_SCALARS = ("name", "website", "industry", "notes", "external_id", "owner")
#: Fields with several values: "both" keeps the union.
MULTI = ("emails", "phones", "addresses", "relationships", "tags")
DETAILS = ("emails", "phones", "addresses", "relationships")
CUSTOM_PREFIX = "custom."

Record = Person | Organization


def _kind(record: Record) -> str:
    return DuplicateKind.PERSON if isinstance(record, Person) else DuplicateKind.ORGANIZATION


def pick_fields(kind: str) -> list[str]:
    """The fields a merge lets the user choose, in the order the page shows them:
    scalars, the multi-valued ones, then ``custom.<key>`` per custom field."""
    model = Person if kind == DuplicateKind.PERSON else Organization
    scalars = PERSON_SCALARS if kind == DuplicateKind.PERSON else ORGANIZATION_SCALARS
    custom = [CUSTOM_PREFIX + f.key for f in definitions(model.RESOURCE)]
    return [*scalars, *MULTI, *custom]


def field_value(record: Record, field: str) -> Any:
    """A record's value of a pick field (lists for the multi-valued ones)."""
    if field.startswith(CUSTOM_PREFIX):
        return record.custom.get(field[len(CUSTOM_PREFIX) :])
    if field == "tags":
        return sorted(t.name for t in record.tags.all())
    if field in DETAILS:
        return d.current_details(record)[field]
    return getattr(record, field)


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def default_picks(survivor: Record, other: Record) -> dict[str, str]:
    """The survivor's value, or the other's when the survivor has none; both lists of
    the multi-valued fields."""
    picks: dict[str, str] = {}
    for field in pick_fields(_kind(survivor)):
        if field in MULTI:
            picks[field] = BOTH
        elif _empty(field_value(survivor, field)) and not _empty(field_value(other, field)):
            picks[field] = OTHER
        else:
            picks[field] = SURVIVOR
    return picks


def clean_picks(survivor: Record, other: Record, picks: Any) -> dict[str, str]:
    """The defaults overridden by ``picks``; errors keyed ``picks.<field>``."""
    if picks is None:
        picks = {}
    if not isinstance(picks, dict):
        raise ValidationError({"picks": [_("Send the picks as an object of field: choice.")]})
    result = default_picks(survivor, other)
    errors: dict[str, list[str]] = {}
    for field, choice in picks.items():
        if field not in result:
            errors[f"picks.{field}"] = [
                _("There is no field “%(field)s” to pick; choose among: %(fields)s.")
                % {"field": field, "fields": ", ".join(result)}
            ]
            continue
        allowed = (SURVIVOR, OTHER, BOTH) if field in MULTI else (SURVIVOR, OTHER)
        if choice not in allowed:
            errors[f"picks.{field}"] = [
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}
            ]
            continue
        result[field] = choice
    if errors:
        raise ValidationError(errors)
    return result


# --- the union of two lists of details ---------------------------------------------------


def _detail_key(field: str, item: Any) -> Any:
    if field == "emails":
        return item.address.strip().casefold()
    if field == "phones":
        return item.number.strip()
    if field == "relationships":
        return item.kind
    return tuple(
        (getattr(item, a) or "").strip().casefold()
        for a in ("street", "postal_code", "city", "region", "country")
    )


def _union(field: str, mine: list[Any], theirs: list[Any]) -> list[Any]:
    """The survivor's entries (its primary stays primary), then the other's that are
    not already there, as secondary entries."""
    seen = {_detail_key(field, i) for i in mine}
    result = list(mine)
    for item in theirs:
        key = _detail_key(field, item)
        if key in seen:
            continue
        seen.add(key)
        if hasattr(item, "is_primary"):
            item = dataclasses.replace(item, is_primary=not result)
        result.append(item)
    return result


def _merged_data(survivor: Record, other: Record, picks: dict[str, str]) -> dict[str, Any]:
    """The update-service input that gives the survivor the picked values (only the
    fields that change)."""
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for field, choice in picks.items():
        if choice == SURVIVOR:
            continue
        if field.startswith(CUSTOM_PREFIX):
            key = field[len(CUSTOM_PREFIX) :]
            if survivor.custom.get(key) != other.custom.get(key):
                custom[key] = other.custom.get(key)
        elif field == "tags":
            theirs = field_value(other, "tags")
            mine = field_value(survivor, "tags")
            names = theirs if choice == OTHER else sorted({*mine, *theirs}, key=str.casefold)
            if names != mine:
                data["tags"] = names
        elif field in DETAILS:
            theirs = field_value(other, field)
            mine = field_value(survivor, field)
            data[field] = theirs if choice == OTHER else _union(field, mine, theirs)
        elif field == "owner":
            if other.owner_id != survivor.owner_id:
                data["owner"] = other.owner
        elif getattr(other, field) != getattr(survivor, field):
            data[field] = getattr(other, field)
    if custom:
        data["custom"] = custom
    return data


def _before(survivor: Record, data: dict[str, Any]) -> dict[str, Any]:
    """The survivor's current values of the fields ``data`` changes, as JSON."""
    before: dict[str, Any] = {}
    for field in data:
        if field == "custom":
            before["custom"] = {k: survivor.custom.get(k) for k in data["custom"]}
        elif field == "owner":
            before["owner_id"], before["team_id"] = survivor.owner_id, survivor.team_id
        elif field in DETAILS:
            before[field] = [dataclasses.asdict(i) for i in field_value(survivor, field)]
        elif field == "birthday":
            birthday = field_value(survivor, field)
            before[field] = str(birthday) if birthday else None
        else:
            before[field] = field_value(survivor, field)
    return cast(dict[str, Any], json.loads(json.dumps(before, cls=DjangoJSONEncoder)))


def _restore_data(survivor: Record, before: dict[str, Any]) -> dict[str, Any]:
    """The update-service input that puts back the fields ``before`` holds."""
    factories = {
        "emails": d.EmailInput,
        "phones": d.PhoneInput,
        "addresses": d.AddressInput,
        "relationships": d.RelationshipInput,
    }
    data: dict[str, Any] = {}
    for field, value in before.items():
        if field in factories:
            data[field] = [factories[field](**item) for item in value]
        elif field == "owner_id":
            owner = User.objects.filter(pk=value).first()
            team = Team.objects.filter(pk=before.get("team_id") or 0).first()
            if owner is not None:
                data["owner"] = owner
            if team is not None:
                data["team"] = team
        elif field == "team_id":
            continue
        elif field == "custom":
            known = {f.key for f in definitions(survivor.RESOURCE)}
            data["custom"] = {k: v for k, v in value.items() if k in known}
        elif field == "birthday":
            data[field] = value  # its text ("1985-05-21", "--05-21"), as the service reads it
        else:
            data[field] = value
    return data


def _update(actor: User, record: Record, data: dict[str, Any]) -> Record:
    if not data:
        return record
    if isinstance(record, Person):
        return services.person_update(
            actor=actor, person=record, data=cast(services.PersonData, data)
        )
    return services.organization_update(
        actor=actor, organization=record, data=cast(services.OrganizationData, data)
    )


def _snapshot(record: Record) -> dict[str, Any]:
    if isinstance(record, Person):
        return services.person_snapshot(record)
    return services.organization_snapshot(record)


def _reindex(record: Record) -> None:
    if isinstance(record, Person):
        services.person_reindex(record)
    else:
        services.organization_reindex(record)


def _label(record: Record) -> str:
    return f"{record} (#{record.pk})"


# --- moving the rows that point at the merged record -------------------------------------


def _row_values(row: models.Model) -> dict[str, Any]:
    values = {f.attname: f.value_from_object(row) for f in row._meta.concrete_fields}
    return cast(dict[str, Any], json.loads(json.dumps(values, cls=DjangoJSONEncoder)))


def _unique_sets(model: type[models.Model], field: Any) -> list[list[str]]:
    """The unique field sets of ``model`` that contain ``field`` (attnames of the
    others): where moving a row could collide with one the survivor has."""
    sets: list[tuple[str, ...]] = [tuple(t) for t in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
            sets.append(tuple(constraint.fields))
    result = []
    for names in sets:
        if field.name in names:
            others = [model._meta.get_field(n) for n in names if n != field.name]
            result.append([cast(Any, f).attname for f in others])
    return result


def _move_rows(survivor: Record, other: Record) -> dict[str, list[dict[str, Any]]]:
    """Point every row that referenced ``other`` at ``survivor``; a row the survivor
    already has an equivalent of (both people on one interaction) is deleted instead.
    Returns what was done, for the undo."""
    updated: list[dict[str, Any]] = []
    deleted: list[dict[str, Any]] = []
    for model, field in selectors.merge_relations(type(other)):
        manager = model._base_manager
        rows = list(manager.filter(**{field.attname: other.pk}))
        if not rows:
            continue
        unique = _unique_sets(model, field)
        move: list[Any] = []
        for row in rows:
            clash = any(
                manager.filter(
                    **{field.attname: survivor.pk},
                    **{name: getattr(row, name) for name in names},
                ).exists()
                for names in unique
            )
            if clash:
                deleted.append({"model": model._meta.label, "row": _row_values(row)})
                manager.filter(pk=row.pk).delete()
            else:
                move.append(row.pk)
        if move:
            manager.filter(pk__in=move).update(**{field.attname: survivor.pk})
            updated.append({"model": model._meta.label, "field": field.attname, "pks": move})
    return {"updated": updated, "deleted": deleted}


def _move_rows_back(merge: Merge) -> None:
    for item in merge.moved.get("updated", []):
        model = apps.get_model(item["model"])
        model._base_manager.filter(pk__in=item["pks"], **{item["field"]: merge.survivor_id}).update(
            **{item["field"]: merge.merged_id}
        )
    for item in merge.moved.get("deleted", []):
        model = apps.get_model(item["model"])
        if model._base_manager.filter(pk=item["row"].get("id")).exists():
            continue
        values = {}
        for f in model._meta.concrete_fields:
            if f.attname in item["row"]:
                raw = item["row"][f.attname]
                values[f.attname] = raw if f.is_relation else f.to_python(raw)
        # Linked rows trashed or purged since cannot come back; the rest do.
        try:
            with transaction.atomic():
                model._base_manager.create(**values)
        except Exception:  # noqa: S112 - an integrity error: its target is gone
            continue


def _audit_ct(record: Record) -> ContentType:
    return ContentType.objects.get_for_model(type(record), for_concrete_model=True)


# --- the use cases -------------------------------------------------------------------------


def _merge(
    *,
    actor: User,
    survivor: Record,
    other: Record,
    picks: Any,
    expected_versions: dict[int, int | None] | None,
) -> Merge:
    if survivor.pk == other.pk:
        raise ValidationError({"other_id": [_("A record cannot be merged into itself.")]})
    versions = expected_versions or {}
    kept = lock_for_update(survivor, actor, "update")
    gone = lock_for_update(other, actor, "delete")
    check_version(kept, versions.get(kept.pk))
    check_version(gone, versions.get(gone.pk))
    chosen = clean_picks(kept, gone, picks)
    data = _merged_data(kept, gone, chosen)
    before_values = _before(kept, data)
    before = _snapshot(kept)
    kept = _update(actor, kept, data)

    moved: dict[str, Any] = _move_rows(kept, gone)
    ct = _audit_ct(gone)
    history = list(
        AuditEntry.objects.filter(content_type=ct, object_id=gone.pk).values_list("pk", flat=True)
    )
    AuditEntry.objects.filter(pk__in=history).update(object_id=kept.pk)
    moved["audit"] = history
    kind = _kind(gone)
    pairs = DuplicatePair.objects.filter(kind=kind).filter(
        models.Q(a_id=gone.pk) | models.Q(b_id=gone.pk)
    )
    moved["pairs"] = [_row_values(p) for p in pairs]
    pairs.delete()

    gone.deleted_at = timezone.now()
    gone.version += 1
    gone.save(update_fields=["deleted_at", "version", "updated_at"])
    search.remove_record(gone.RESOURCE, gone.pk)
    _reindex_members(kept, moved)

    merge = Merge.objects.create(
        kind=kind,
        survivor_id=kept.pk,
        merged_id=gone.pk,
        merged_repr=str(gone)[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        survivor_before=before_values,
        moved=moved,
    )
    fresh = type(kept)._base_manager.get(pk=kept.pk)
    changes = changes_between(before, _snapshot(fresh))
    record_audit(
        actor=actor,
        instance=fresh,
        action=AuditAction.MERGE,
        changes={"merged": [None, _label(gone)], **changes},
    )
    record_audit(
        actor=actor,
        instance=gone,
        action=AuditAction.MERGE,
        changes={"merged_into": [None, _label(fresh)]},
    )
    survivor.version = fresh.version
    return merge


def _reindex_members(record: Record, moved: dict[str, Any]) -> None:
    """People whose membership moved to another organization show its name in
    search."""
    if not isinstance(record, Organization):
        return
    for person in Person.objects.filter(memberships__organization=record, deleted_at__isnull=True):
        services.person_reindex(person)


@transaction.atomic
def person_merge(
    *,
    actor: User,
    survivor: Person,
    other: Person,
    picks: Any = None,
    expected_versions: dict[int, int | None] | None = None,
) -> Merge:
    """Merge ``other`` into ``survivor`` (both read through ``selectors.person_get``).
    ``picks``: field → "survivor" | "other" (| "both" for lists); see ``pick_fields``.
    ``expected_versions``: {record id: version the user saw}, 412 when stale."""
    return _merge(
        actor=actor,
        survivor=survivor,
        other=other,
        picks=picks,
        expected_versions=expected_versions,
    )


@transaction.atomic
def organization_merge(
    *,
    actor: User,
    survivor: Organization,
    other: Organization,
    picks: Any = None,
    expected_versions: dict[int, int | None] | None = None,
) -> Merge:
    """``person_merge`` for organizations."""
    return _merge(
        actor=actor,
        survivor=survivor,
        other=other,
        picks=picks,
        expected_versions=expected_versions,
    )


def merge_can_undo(user: Any, merge: Merge) -> bool:
    """Whether ``user`` may undo ``merge`` (the one who merged, or an admin)."""
    if merge.undone_at is not None:
        return False
    return bool(getattr(user, "is_admin", False) or merge.actor_id == getattr(user, "pk", None))


@transaction.atomic
def merge_undo(*, actor: User, merge: Merge) -> None:
    """Put both records back as they were before ``merge``: the merged record out of
    the trash, every moved row back, deleted rows re-created, the survivor's changed
    fields restored."""
    fresh_merge = Merge.objects.select_for_update().filter(pk=merge.pk).first()
    if fresh_merge is None:
        raise ValidationError({"merge": [_("There is no such merge.")]})
    merge = fresh_merge
    if merge.undone_at is not None:
        raise ValidationError({"merge": [_("This merge was already undone.")]})
    if not merge_can_undo(actor, merge):
        raise PermissionDenied(_("Only the user who merged, or an admin, can undo a merge."))
    model: Any = Person if merge.kind == DuplicateKind.PERSON else Organization
    survivor = model._base_manager.filter(pk=merge.survivor_id).first()
    if survivor is None:
        raise ValidationError({"merge": [_("The record kept by this merge was deleted for good.")]})
    if Merge.objects.filter(
        kind=merge.kind, merged_id=survivor.pk, undone_at__isnull=True
    ).exists():
        raise ValidationError(
            {"merge": [_("The record kept by this merge was merged again; undo that first.")]}
        )
    if survivor.deleted_at is not None:
        raise ValidationError(
            {"merge": [_("The record kept by this merge is in the trash; restore it first.")]}
        )
    survivor = lock_for_update(survivor, actor, "update")
    other = model._base_manager.select_for_update().filter(pk=merge.merged_id).first()
    if other is None:
        raise ValidationError(
            {"merge": [_("The merged record was deleted for good; this merge can't be undone.")]}
        )
    before = _snapshot(survivor)
    survivor = _update(actor, survivor, _restore_data(survivor, merge.survivor_before))

    other.deleted_at = None
    other.version += 1
    other.save(update_fields=["deleted_at", "version", "updated_at"])
    _move_rows_back(merge)
    AuditEntry.objects.filter(
        pk__in=merge.moved.get("audit", []), content_type=_audit_ct(survivor)
    ).update(object_id=other.pk)
    for row in merge.moved.get("pairs", []):
        scans = apps.get_model("contacts.DuplicateScan").objects
        if (
            not DuplicatePair.objects.filter(pk=row["id"]).exists()
            and scans.filter(pk=row["scan_id"]).exists()
        ):
            DuplicatePair.objects.create(**row)
    _reindex(other)
    _reindex_members(survivor, merge.moved)
    if isinstance(survivor, Organization):
        for membership in Membership.objects.filter(organization=other).select_related("person"):
            services.person_reindex(membership.person)

    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    fresh = model._base_manager.get(pk=survivor.pk)
    changes = changes_between(before, _snapshot(fresh))
    record_audit(
        actor=actor,
        instance=fresh,
        action=AuditAction.UNMERGE,
        changes={"merged": [_label(other), None], **changes},
    )
    record_audit(
        actor=actor,
        instance=other,
        action=AuditAction.UNMERGE,
        changes={"merged_into": [_label(fresh), None]},
    )


__all__ = [
    "BOTH",
    "OTHER",
    "SURVIVOR",
    "clean_picks",
    "default_picks",
    "field_value",
    "merge_can_undo",
    "merge_undo",
    "organization_merge",
    "person_merge",
    "pick_fields",
]
