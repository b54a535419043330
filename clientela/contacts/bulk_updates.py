"""Updating many people or organizations at once: the importer's update path.

The same steps as ``services.person_update``/``organization_update`` (``record_update``
with ``_save_person``/``_save_organization``): the records re-read under a lock, scoped to
the actor, with the update right; the row's values checked by the same cleaning steps as
``bulk`` (which are the services'); then, only where the audited values changed, the
version bumped, the audit entry with the changes between the two snapshots, the search
entry rebuilt. A record the values leave as it was is not written at all.

What differs is the cost: the records, their details, tags and memberships are read in
a handful of queries per batch (``load``), and the changes written a statement per
table (``write``), instead of some forty statements per record.

The caller owns the transaction (the importer commits a chunk and its checkpoint
together).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import bulk, events
from clientela.contacts import details as d
from clientela.contacts.documents import ORGANIZATION_SCALARS, PERSON_SCALARS, record_snapshot
from clientela.contacts.models import (
    Address,
    EmailAddress,
    Membership,
    Organization,
    Person,
    PhoneNumber,
    Relationship,
)
from clientela.contacts.services import MembershipInput
from clientela.core.audit import changes_between
from clientela.core.choices import AuditAction
from clientela.core.custom_fields import definitions
from clientela.core.db import update_rows
from clientela.core.models import SearchEntry, User
from clientela.core.permissions import require
from clientela.core.services import tags_by_name

Record = Person | Organization
_DETAILS = (
    ("emails", EmailAddress),
    ("phones", PhoneNumber),
    ("addresses", Address),
    ("relationships", Relationship),
)


@dataclass
class Current:
    """A record as an update starts from it: its details (``details.current_details``
    shape), tag names, memberships and the names of their organizations."""

    record: Record
    details: dict[str, list[Any]]
    tags: list[str]
    memberships: list[MembershipInput] = field(default_factory=list)
    org_names: dict[int, str] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        """``services.person_snapshot``/``organization_snapshot`` from what was read."""
        pairs = [(self.org_names.get(m.organization_id, ""), m.job_title) for m in self.memberships]
        return record_snapshot(self.record, self.details, self.tags, pairs)


@dataclass
class Change:
    """A checked update that changes the record: what to write."""

    current: Current
    checked: bulk.Checked
    changes: dict[str, list[str | None]]
    details: bool  # the details were given (rewritten)
    tags: bool
    memberships: bool


def _grouped(model: Any, owner: str, ids: list[int]) -> dict[int, list[Any]]:
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in model.objects.filter(**{f"{owner}_id__in": ids}):
        rows[getattr(row, f"{owner}_id")].append(row)
    return rows


def load(*, actor: User, model: type[Record], ids: Iterable[int]) -> dict[int, Current]:
    """The records of ``ids`` the actor may update (visible, not in the trash), locked,
    with everything an update reads: one query per table for all of them."""
    require(actor, "update", model.RESOURCE)
    wanted = sorted(set(ids))
    records: list[Record] = list(
        model.objects.select_for_update()
        .filter(pk__in=wanted)
        .alive()
        .visible_to(actor)
        .select_related("owner", "team")
    )
    pks = [r.pk for r in records]
    owner = model._meta.model_name or ""
    found = {key: _grouped(detail, owner, pks) for key, detail in _DETAILS}
    tags: dict[int, list[str]] = defaultdict(list)
    through = model.tags.through
    for pk, name in through.objects.filter(**{f"{owner}_id__in": pks}).values_list(
        f"{owner}_id", "tag__name"
    ):
        tags[pk].append(name)
    memberships: dict[int, list[MembershipInput]] = defaultdict(list)
    org_names: dict[int, str] = {}
    if model is Person:
        rows = Membership.objects.filter(
            person_id__in=pks, organization__deleted_at__isnull=True
        ).select_related("organization")
        for m in rows:
            memberships[m.person_id].append(
                MembershipInput(m.organization_id, m.job_title, m.is_primary)
            )
            org_names[m.organization_id] = m.organization.name
    return {
        r.pk: Current(
            record=r,
            details={key: d.as_inputs(key, found[key].get(r.pk, [])) for key, _m in _DETAILS},
            tags=sorted(tags.get(r.pk, [])),
            memberships=memberships.get(r.pk, []),
            org_names=org_names,
        )
        for r in records
    }


@dataclass
class Context:
    """What checking a batch asks once: tags by folded name, the organizations the
    actor may see, the custom field definitions."""

    tag_map: dict[str, Any]
    visible_orgs: dict[int, str]
    custom_fields: list[Any]

    @classmethod
    def of(cls, actor: User, model: type[Record], items: list[dict[str, Any]]) -> Context:
        names = {n for i in items for n in (i.get("tags") or []) if isinstance(n, str)}
        orgs = {m.organization_id for i in items for m in (i.get("memberships") or [])}
        return cls(
            tags_by_name(names),
            bulk.visible_organizations(actor, orgs - {0}),
            definitions(model.RESOURCE),
        )


def check(
    *, actor: User, current: Current, data: dict[str, Any], context: Context
) -> Change | dict[str, list[str]] | None:
    """``data`` applied to the record as ``person_update`` would: the ``Change`` to
    write, None when nothing audited changes, or the errors by field. The record in
    ``current`` takes the new values."""
    record = current.record
    before = current.snapshot()
    errors: dict[str, list[str]] = {}
    people = isinstance(record, Person)
    scalars = PERSON_SCALARS if people else ORGANIZATION_SCALARS
    details = bulk.clean_common(
        actor, record, data, scalars, errors, context.custom_fields, current.details
    )
    memberships = current.memberships
    if people:
        bulk.person_rules(record, data, errors)  # type: ignore[arg-type]
        if "memberships" in data:
            memberships = bulk.clean_memberships(data, set(context.visible_orgs), errors)
    else:
        bulk.organization_rules(record, errors)  # type: ignore[arg-type]
    tags = bulk.clean_tags(data, context.tag_map, errors) if "tags" in data else None
    if errors:
        return errors
    after = Current(
        record,
        details if details is not None else current.details,
        sorted(t.name for t in tags) if tags is not None else current.tags,
        memberships,
        {**current.org_names, **context.visible_orgs},
    )
    changes = changes_between(before, after.snapshot())
    if not changes:
        return None
    return Change(
        current=after,
        checked=bulk.Checked(record, after.details, tags or [], memberships),
        changes=changes,
        details=details is not None,
        tags=tags is not None,
        memberships=people and "memberships" in data,
    )


def _write(*, actor: User, model: type[Record], changes: list[Change]) -> None:
    """Write checked changes: the records (version bumped), the details, tags and
    memberships they replace, their audit entries and search entries."""
    if not changes:
        return
    require(actor, "update", model.RESOURCE)
    now = timezone.now()
    names = [
        f.attname
        for f in model._meta.concrete_fields
        # tag_key is kept by the database's triggers from the tags table.
        if not f.primary_key and f.attname not in ("created_at", "updated_at", "version", "tag_key")
    ]
    rows = []
    for c in changes:
        record = c.current.record
        record.version += 1
        record.updated_at = now
        rows.append((*(getattr(record, n) for n in names), record.version, now, record.pk))
    update_rows(model, [*names, "version", "updated_at"], rows)
    owner = model._meta.model_name or ""
    rewritten = [c.checked for c in changes if c.details]
    ids = [c.record.pk for c in rewritten]
    for _key, detail in _DETAILS:
        detail.objects.filter(**{f"{owner}_id__in": ids}).delete()
    bulk.detail_rows(rewritten, now)
    retagged = [c.checked for c in changes if c.tags]
    model.tags.through.objects.filter(
        **{f"{owner}_id__in": [c.record.pk for c in retagged]}
    ).delete()
    bulk.link_rows(model, retagged)
    joined = [c.checked for c in changes if c.memberships]
    Membership.objects.filter(person_id__in=[c.record.pk for c in joined]).delete()
    bulk.membership_rows(joined, now)
    bulk.audit_rows(
        actor, model, [(c.current.record, c.changes) for c in changes], AuditAction.UPDATE, now
    )
    SearchEntry.objects.filter(
        resource=model.RESOURCE, object_id__in=[c.current.record.pk for c in changes]
    ).delete()
    bulk.search_rows([bulk.search_entry_of(c.checked, c.current.org_names) for c in changes])
    events.emit_many(
        actor=actor,
        model=model,
        action="updated",
        ids=[c.current.record.pk for c in changes],
        changes={c.current.record.pk: c.changes for c in changes},
    )


Merge = Callable[[int, Current, dict[str, Any]], dict[str, Any]]


def update_many(
    *,
    actor: User,
    model: type[Record],
    items: list[tuple[int, dict[str, Any]]],
    merge: Merge | None = None,
    dry_run: bool = False,
) -> list[Record | dict[str, list[str]] | None]:
    """Update each record of ``items`` (id, data) as the one-record service would, in
    order; per item the saved record, None when nothing changed, or the errors by field.
    A record the actor may not update (or gone to the trash) is an error of that item.
    A record named twice is updated twice, the second time from the first's result (in
    rounds: a batch names each record once). ``merge(position, current, data)`` turns an
    item's data into what the update applies, from the record as read (the importer
    adds a row's e-mails to the record's). A ``dry_run`` checks and writes nothing
    (but a round a later round builds on, in the caller's transaction to roll back)."""
    results: list[Record | dict[str, list[str]] | None] = [None] * len(items)
    pending = list(enumerate(items))
    while pending:
        seen: set[int] = set()
        batch: list[tuple[int, tuple[int, dict[str, Any]]]] = []
        later: list[tuple[int, tuple[int, dict[str, Any]]]] = []
        for position, (pk, data) in pending:
            (later if pk in seen else batch).append((position, (pk, data)))
            seen.add(pk)
        _update_batch(actor, model, batch, results, merge, write=not dry_run or bool(later))
        pending = later
    return results


def _update_batch(
    actor: User,
    model: type[Record],
    batch: list[tuple[int, tuple[int, dict[str, Any]]]],
    results: list[Record | dict[str, list[str]] | None],
    merge: Merge | None,
    *,
    write: bool,
) -> None:
    current = load(actor=actor, model=model, ids=[pk for _n, (pk, _data) in batch])
    if merge is not None:
        batch = [
            (n, (pk, merge(n, current[pk], data) if pk in current else data))
            for n, (pk, data) in batch
        ]
    context = Context.of(actor, model, [data for _n, (_pk, data) in batch])
    changes: list[Change] = []
    for position, (pk, data) in batch:
        if pk not in current:
            results[position] = {
                "__all__": [_("This record is no longer there or no longer yours to change.")]
            }
            continue
        outcome = check(actor=actor, current=current[pk], data=data, context=context)
        if isinstance(outcome, Change):
            changes.append(outcome)
            results[position] = outcome.current.record
        else:
            results[position] = outcome
    if write:
        _write(actor=actor, model=model, changes=changes)
