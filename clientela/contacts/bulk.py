"""Creating many people or organizations at once: the importer's write path.

The same validation as ``services.person_create``/``organization_create`` (the same
cleaning steps, called from here), the same audit entry (one CREATE per record with its
values) and the same search entry, but written with one INSERT per table for a whole
batch instead of some twenty statements per record, and with the per-record lookups
(tags, organizations, custom field definitions) done once per batch. A record that
fails validation is reported with its errors and not written; the others are.

The caller owns the transaction (the importer commits a chunk and its checkpoint
together); every function here also runs atomically on its own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import details as d
from clientela.contacts import events
from clientela.contacts.choices import Channel
from clientela.contacts.documents import (
    ORGANIZATION_SCALARS,
    PERSON_SCALARS,
    record_snapshot,
    search_document,
)
from clientela.contacts.models import (
    Address,
    EmailAddress,
    Membership,
    Organization,
    Person,
    PhoneNumber,
    Relationship,
)
from clientela.contacts.services import (
    OrganizationData,
    PersonData,
    _assign_owner_team,
    _clean_details,
    _clean_person_fields,
    _clean_scalars,
    _denormalize,
)
from clientela.core import search
from clientela.core.audit import created_changes
from clientela.core.choices import AuditAction, Language, values_of
from clientela.core.company import default_language
from clientela.core.context import current_interface
from clientela.core.custom_fields import clean_custom_values, definitions
from clientela.core.db import insert_instances, insert_rows
from clientela.core.models import AuditEntry, SearchEntry, Tag, User
from clientela.core.permissions import require, visibility_q
from clientela.core.services import tags_by_name

Record = Person | Organization
R = TypeVar("R", Person, Organization)


@dataclass
class Outcome:
    """One input's fate: the saved record, or the errors by field (as the services'
    ``ValidationError.message_dict``)."""

    record: Record | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Checked:
    """An input the services accepted and have not written yet (``*_check`` gives it,
    ``*_write`` writes it): the record and its details, ready to insert."""

    record: Record
    details: dict[str, list[Any]]
    tags: list[Tag]
    memberships: list[Any]


def clean_tags(data: Any, tag_map: dict[str, Tag], errors: dict[str, list[str]]) -> list[Tag]:
    names = data.get("tags") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        errors["tags"] = [_("Give the tags as a list of names.")]
        return []
    tags: dict[int, Tag] = {}
    for name in names:
        if len(name.strip()) > 50:
            errors["tags"] = [_("A tag has at most 50 characters.")]
            return []
        tag = tag_map.get(name.strip().casefold())
        if tag is not None:
            tags[tag.pk] = tag
    return list(tags.values())


def clean_common(
    actor: User,
    record: Record,
    data: Any,
    scalars: tuple[str, ...],
    errors: dict[str, list[str]],
    custom_fields: list[Any],
    current: dict[str, list[Any]] | None = None,
) -> dict[str, list[Any]] | None:
    """The steps of ``_save_person``/``_save_organization`` every record takes: the
    scalars, owner and team, details (None: unchanged; ``current``: an existing record's)
    and custom values (a new record's always, an existing one's when given)."""
    _clean_scalars(record, data, scalars, errors)
    _assign_owner_team(actor, record, data, errors)
    details = _clean_details(record, data, errors, current)
    if current is None or "custom" in data:
        try:
            record.custom = clean_custom_values(
                record.RESOURCE,
                data.get("custom", {}),
                existing={} if current is None else record.custom,
                known=custom_fields,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _denormalize(record, details)
    return details


_NO_DETAILS: dict[str, list[Any]] = {
    "emails": [],
    "phones": [],
    "addresses": [],
    "relationships": [],
}


def person_rules(person: Person, data: Any, errors: dict[str, list[str]]) -> None:
    """The checks ``full_clean`` makes in the one-record services that the steps above
    do not: the birthday and name rule, the language and channel choices."""
    _clean_person_fields(person, data, errors)
    if person.preferred_language not in values_of(Language):
        errors["preferred_language"] = [_("Choose a language we offer.")]
    if person.preferred_channel and person.preferred_channel not in values_of(Channel):
        errors["preferred_channel"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Channel.values)}
        ]


def organization_rules(org: Organization, errors: dict[str, list[str]]) -> None:
    """An organization's name and website, as ``full_clean`` checks them."""
    if not org.name and "name" not in errors:
        errors["name"] = [_("Enter the organization's name.")]
    if org.website:
        try:
            org._meta.get_field("website").clean(org.website, org)
        except ValidationError as exc:
            errors["website"] = exc.messages


def clean_memberships(data: Any, visible_orgs: set[int], errors: dict[str, list[str]]) -> list[Any]:
    """A person's memberships: organizations the actor may see (an id of 0 stands for
    one the caller resolves before writing: the importer creates the organizations only
    for rows that pass), titles of at most 100 characters, one per organization, one
    primary."""
    memberships = list(data.get("memberships") or [])
    unknown = [
        str(m.organization_id)
        for m in memberships
        if m.organization_id and m.organization_id not in visible_orgs
    ]
    if unknown:
        errors["memberships"] = [
            _("Unknown organization id(s): %(ids)s.") % {"ids": ", ".join(unknown)}
        ]
    if any(len(m.job_title or "") > 100 for m in memberships):
        errors["memberships"] = [_("A job title has at most 100 characters.")]
    if any(m.organization_id for m in memberships):
        memberships = list({m.organization_id: m for m in memberships}.values())
    d._one_primary(memberships)
    return memberships


class Blank(Generic[R]):
    """New unsaved records with the values of ``template`` (itself new): what the
    model's constructor gives, without its work per field, a tenth of the time (an
    import builds thousands). Nothing listens to the constructor's signals of people
    and organizations (a test holds it); mutable values (``custom``) are copied."""

    def __init__(self, template: R) -> None:
        self.model: type[R] = type(template)
        self.values = {k: v for k, v in template.__dict__.items() if k != "_state"}
        self.mutable = [k for k, v in self.values.items() if isinstance(v, dict | list)]

    def __call__(self) -> R:
        record: R = self.model.__new__(self.model)
        values = record.__dict__
        values.update(self.values)
        for key in self.mutable:
            values[key] = copy.copy(values[key])
        values["_state"] = ModelState()
        return record


def _clean_person(
    actor: User,
    data: PersonData,
    tag_map: dict[str, Tag],
    visible_orgs: set[int],
    custom_fields: list[Any],
    blank: Blank[Person],
) -> tuple[Checked | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    person = blank()
    details = clean_common(actor, person, data, PERSON_SCALARS, errors, custom_fields)
    person_rules(person, data, errors)
    memberships = clean_memberships(data, visible_orgs, errors)
    tags = clean_tags(data, tag_map, errors)
    if errors:
        return None, errors
    return Checked(person, details or dict(_NO_DETAILS), tags, memberships), errors


def _clean_organization(
    actor: User,
    data: OrganizationData,
    tag_map: dict[str, Tag],
    custom_fields: list[Any],
    blank: Blank[Organization],
) -> tuple[Checked | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    org = blank()
    details = clean_common(actor, org, data, ORGANIZATION_SCALARS, errors, custom_fields)
    organization_rules(org, errors)
    tags = clean_tags(data, tag_map, errors)
    if errors:
        return None, errors
    return Checked(org, details or dict(_NO_DETAILS), tags, []), errors


# --- writing ------------------------------------------------------------------------------------


def detail_rows(cleaned: list[Checked], now: Any) -> None:
    emails, phones, addresses, relationships = [], [], [], []
    for c in cleaned:
        person_id, org_id = (
            (c.record.pk, None) if isinstance(c.record, Person) else (None, c.record.pk)
        )
        head = (now, now, person_id, org_id)
        details = c.details
        emails += [(*head, e.address, e.kind, e.is_primary) for e in details["emails"]]
        phones += [(*head, p.number, p.kind, p.is_primary, p.verified) for p in details["phones"]]
        addresses += [
            (*head, a.kind, a.street, a.city, a.region, a.postal_code, a.country, a.is_primary)
            for a in details["addresses"]
        ]
        relationships += [(*head, r.kind, r.since) for r in details["relationships"]]
    owners = ["created_at", "updated_at", "person_id", "organization_id"]
    insert_rows(EmailAddress, [*owners, "address", "kind", "is_primary"], emails)
    insert_rows(PhoneNumber, [*owners, "number", "kind", "is_primary", "verified"], phones)
    insert_rows(
        Address,
        [*owners, "kind", "street", "city", "region", "postal_code", "country", "is_primary"],
        addresses,
    )
    insert_rows(Relationship, [*owners, "kind", "since"], relationships)


def snapshot_of(c: Checked, org_names: dict[int, str]) -> dict[str, Any]:
    """What ``services.person_snapshot``/``organization_snapshot`` would read back,
    built from the values in hand."""
    memberships = [(org_names.get(m.organization_id, ""), m.job_title) for m in c.memberships]
    return record_snapshot(c.record, c.details, [t.name for t in c.tags], memberships)


def search_entry_of(c: Checked, org_names: dict[int, str]) -> search.Entry:
    document = search_document(
        c.record,
        emails=[e.address for e in c.details["emails"]],
        phones=[p.number for p in c.details["phones"]],
        cities=[a.city for a in c.details["addresses"]],
        organizations=[org_names.get(m.organization_id, "") for m in c.memberships],
    )
    return search.entry(**document)


def _write(actor: User, model: Any, cleaned: list[Checked], org_names: dict[int, str]) -> None:
    """Insert the records and everything that hangs from them, a statement per table
    and batch (``core.db.insert_rows``)."""
    now = timezone.now()
    records = [c.record for c in cleaned]
    for record in records:
        record.created_at = record.updated_at = now
    insert_instances(model, records)
    detail_rows(cleaned, now)
    link_rows(model, cleaned)
    membership_rows(cleaned, now)
    audit_rows(
        actor,
        model,
        [(c.record, created_changes(snapshot_of(c, org_names))) for c in cleaned],
        AuditAction.CREATE,
        now,
    )
    search_rows([search_entry_of(c, org_names) for c in cleaned])
    events.emit_many(actor=actor, model=model, action="created", ids=[r.pk for r in records])


def link_rows(model: Any, cleaned: list[Checked]) -> None:
    """Insert the records' tags."""
    owner = f"{model._meta.model_name}_id"
    insert_rows(
        model.tags.through,
        [owner, "tag_id"],
        [(c.record.pk, t.pk) for c in cleaned for t in c.tags],
    )


def membership_rows(cleaned: list[Checked], now: Any) -> None:
    """Insert people's memberships."""
    insert_rows(
        Membership,
        ["created_at", "updated_at", "person_id", "organization_id", "job_title", "is_primary"],
        [
            (now, now, c.record.pk, m.organization_id, (m.job_title or "").strip(), m.is_primary)
            for c in cleaned
            for m in c.memberships
        ],
    )


def audit_rows(
    actor: User,
    model: Any,
    items: list[tuple[Record, dict[str, list[str | None]]]],
    action: str,
    now: Any,
) -> None:
    """One audit entry per (record, changes), as ``core.audit.record_audit`` writes it."""
    content_type = ContentType.objects.get_for_model(model).pk
    interface = current_interface()
    names = ["content_type_id", "object_id", "object_repr", "action", "actor_id"]
    insert_rows(
        AuditEntry,
        [*names, "interface", "changes", "created_at"],
        [
            (content_type, r.pk, str(r)[:300], action, actor.pk, interface, changes, now)
            for r, changes in items
        ],
    )


def search_rows(entries: list[search.Entry]) -> None:
    """Insert search entries (``core.search.entry``) of records not indexed yet."""
    insert_rows(SearchEntry, list(search.Entry._fields), entries)


def visible_organizations(actor: User, ids: set[int]) -> dict[int, str]:
    q = visibility_q(actor, Organization.RESOURCE)
    if not ids or q is None:
        return {}
    qs = Organization.objects.filter(q, pk__in=ids, deleted_at__isnull=True)
    return dict(qs.values_list("pk", "name"))


def people_check(*, actor: User, items: list[PersonData]) -> list[Checked | dict[str, list[str]]]:
    """Validate each item as ``person_create`` would, writing nothing (but the tags the
    items name, created once for all): a ``Checked`` or the errors by field, in order."""
    require(actor, "create", Person.RESOURCE)
    names = {n for item in items for n in (item.get("tags") or []) if isinstance(n, str)}
    tag_map = tags_by_name(names)
    org_ids = {m.organization_id for item in items for m in (item.get("memberships") or [])}
    visible = set(visible_organizations(actor, org_ids - {0}))
    custom_fields = definitions(Person.RESOURCE)
    results: list[Checked | dict[str, list[str]]] = []
    blank = Blank(Person(preferred_language=default_language()))
    for item in items:
        clean, errors = _clean_person(actor, item, tag_map, visible, custom_fields, blank)
        results.append(clean if clean is not None else errors)
    return results


@transaction.atomic
def people_write(*, actor: User, checked: list[Checked]) -> list[Record]:
    """Write people ``people_check`` accepted. Their memberships must name visible
    organizations by now (the caller put the ids in place of the 0s)."""
    require(actor, "create", Person.RESOURCE)
    org_ids = {m.organization_id for c in checked for m in c.memberships}
    org_names = visible_organizations(actor, org_ids)
    unknown = sorted(str(i) for i in org_ids if i not in org_names)
    if unknown:
        raise ValidationError(
            {
                "memberships": [
                    _("Unknown organization id(s): %(ids)s.") % {"ids": ", ".join(unknown)}
                ]
            }
        )
    for c in checked:
        c.memberships = list({m.organization_id: m for m in c.memberships}.values())
        d._one_primary(c.memberships)
    if checked:
        _write(actor, Person, checked, org_names)
    return [c.record for c in checked]


def organizations_check(
    *, actor: User, items: list[OrganizationData]
) -> list[Checked | dict[str, list[str]]]:
    """``people_check`` for organizations."""
    require(actor, "create", Organization.RESOURCE)
    names = {n for item in items for n in (item.get("tags") or []) if isinstance(n, str)}
    tag_map = tags_by_name(names)
    custom_fields = definitions(Organization.RESOURCE)
    results: list[Checked | dict[str, list[str]]] = []
    blank = Blank(Organization())
    for item in items:
        clean, errors = _clean_organization(actor, item, tag_map, custom_fields, blank)
        results.append(clean if clean is not None else errors)
    return results


@transaction.atomic
def organizations_write(*, actor: User, checked: list[Checked]) -> list[Record]:
    require(actor, "create", Organization.RESOURCE)
    if checked:
        _write(actor, Organization, checked, {})
    return [c.record for c in checked]


def _outcomes(results: list[Checked | dict[str, list[str]]]) -> list[Outcome]:
    return [
        Outcome(record=r.record) if isinstance(r, Checked) else Outcome(errors=r) for r in results
    ]


@transaction.atomic
def organizations_create_many(*, actor: User, items: list[OrganizationData]) -> list[Outcome]:
    """Create an organization for each valid item; one ``Outcome`` per item, in order."""
    results = organizations_check(actor=actor, items=items)
    organizations_write(actor=actor, checked=[r for r in results if isinstance(r, Checked)])
    return _outcomes(results)


@transaction.atomic
def records_trash_many(*, actor: User, model: type[Record], versions: dict[int, int]) -> int:
    """Move to the trash the records of ``model`` whose ids are the keys of ``versions``,
    if each is still at that version (the undo of an import): all or none. Raises
    ValidationError naming how many changed since. Returns how many were trashed."""
    require(actor, "delete", model.RESOURCE)
    qs = model.objects.filter(pk__in=list(versions)).alive().visible_to(actor)
    current = dict(qs.values_list("pk", "version"))
    changed = [pk for pk, version in versions.items() if current.get(pk, version) != version]
    missing = [pk for pk in versions if pk not in current]
    if changed:
        raise ValidationError(
            _("%(n)s of these records were changed since; undo is no longer possible.")
            % {"n": len(changed)}
        )
    ids = [pk for pk in versions if pk not in missing]
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(model)
    interface = current_interface()
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        names = {r.pk: str(r)[:300] for r in model.objects.filter(pk__in=batch)}
        events.emit_many(actor=actor, model=model, action="deleted", ids=batch)
        model.objects.filter(pk__in=batch).update(
            deleted_at=now, deleted_by=actor, version=F("version") + 1, updated_at=now
        )
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    content_type=content_type,
                    object_id=pk,
                    object_repr=names.get(pk, f"#{pk}"),
                    action=AuditAction.DELETE,
                    actor=actor,
                    interface=interface,
                    changes={},
                )
                for pk in batch
            ]
        )
        SearchEntry.objects.filter(resource=model.RESOURCE, object_id__in=batch).delete()
    return len(ids)
