"""Every read of organizations and people, narrowed first to what the asking user may
see (``CRMRecord.objects.alive().visible_to(user)``), then filtered and sorted (``filters``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, cast

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.db.models.functions import JSONObject

from clientela.contacts.details import current_details
from clientela.contacts.filters import ContactFilters, apply_filters
from clientela.contacts.models import (
    Address,
    DuplicateDismissal,
    DuplicateKind,
    DuplicatePair,
    DuplicateScan,
    DuplicateScanStatus,
    EmailAddress,
    Membership,
    Merge,
    Organization,
    Person,
    PhoneNumber,
    Relationship,
)
from clientela.core.db import CompiledQuery, FrozenAnnotations, json_rows
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.permissions import can_see_record
from clientela.core.selectors import record_get, record_trash_get

_Contact = TypeVar("_Contact", Person, Organization)


def person_list(*, user: Any, filters: ContactFilters | None = None) -> QuerySet[Person]:
    qs = Person.objects.alive().visible_to(user)
    qs = qs.select_related("owner", "team").prefetch_related("tags")
    return apply_filters(qs, user=user, resource=Person.RESOURCE, filters=filters)


def organization_list(
    *, user: Any, filters: ContactFilters | None = None
) -> QuerySet[Organization]:
    qs = Organization.objects.alive().visible_to(user)
    qs = qs.select_related("owner", "team").prefetch_related("tags")
    return apply_filters(qs, user=user, resource=Organization.RESOURCE, filters=filters)


def _detail_prefetch(qs: QuerySet[_Contact]) -> QuerySet[_Contact]:
    return qs.select_related("owner", "team").prefetch_related(
        "tags", "emailaddresss", "phonenumbers", "addresss", "relationships"
    )


def person_get(*, user: Any, pk: Any) -> Person:
    """One person with all details, or ``NotFound`` if missing, trashed or not visible."""
    memberships = Membership.objects.select_related("organization").filter(
        organization__deleted_at__isnull=True
    )
    qs = _detail_prefetch(Person.objects.all()).prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )
    return record_get(Person, user=user, pk=pk, queryset=qs)


def organization_get(*, user: Any, pk: Any) -> Organization:
    return record_get(
        Organization, user=user, pk=pk, queryset=_detail_prefetch(Organization.objects.all())
    )


def organization_people(*, user: Any, organization: Organization) -> QuerySet[Membership]:
    """The visible people who belong to an organization, with their job titles."""
    visible = Person.objects.alive().visible_to(user)
    return (
        Membership.objects.filter(organization=organization, person__in=visible)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def organization_choices(*, user: Any, q: str = "", limit: int = 20) -> QuerySet[Organization]:
    """Visible organizations for pickers (name starts with / contains ``q``)."""
    qs = Organization.objects.alive().visible_to(user)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name")[:limit]


# --- records with their details folded in (the API) ------------------------------------


def _detail_rows(model: type[Any], owner: str) -> dict[str, Any]:
    """The JSON arrays of a contact's details (see ``_with_details``)."""
    mine = {owner: OuterRef("pk")}
    return {
        "email_rows": json_rows(
            EmailAddress.objects.filter(**mine),
            JSONObject(id="id", address="address", kind="kind", is_primary="is_primary"),
        ),
        "phone_rows": json_rows(
            PhoneNumber.objects.filter(**mine),
            JSONObject(
                id="id", number="number", kind="kind", is_primary="is_primary", verified="verified"
            ),
        ),
        "address_rows": json_rows(
            Address.objects.filter(**mine),
            JSONObject(
                id="id",
                kind="kind",
                street="street",
                city="city",
                region="region",
                postal_code="postal_code",
                country="country",
                is_primary="is_primary",
            ),
        ),
        "relationship_rows": json_rows(
            Relationship.objects.filter(**mine), JSONObject(kind="kind", since="since")
        ),
        "tag_names": json_rows(model.tags.through.objects.filter(**mine), F("tag__name")),
    }


def _membership_rows() -> dict[str, Any]:
    """A person's organizations that are not in the trash, as a JSON array."""
    memberships = Membership.objects.filter(
        person=OuterRef("pk"), organization__deleted_at__isnull=True
    )
    return {
        "membership_rows": json_rows(
            memberships,
            JSONObject(
                organization_id="organization_id",
                organization_name="organization__name",
                job_title="job_title",
                is_primary="is_primary",
            ),
        )
    }


# The same subqueries on every request: their SQL is built once (``FrozenAnnotations``).
_PERSON_DETAILS = FrozenAnnotations(
    Person, lambda: {**_detail_rows(Person, "person"), **_membership_rows()}
)
_ORGANIZATION_DETAILS = FrozenAnnotations(
    Organization, lambda: _detail_rows(Organization, "organization")
)


def _with_details(qs: QuerySet[_Contact]) -> QuerySet[_Contact]:
    """Each record's owner's username and team's name (``owner_username``,
    ``team_name``), and its e-mails, phones, addresses, relationships and tag names as
    JSON arrays (``email_rows``, ``phone_rows``, ``address_rows``,
    ``relationship_rows``, ``tag_names``; read them with ``core.db.json_value``), all
    in the record's own row: a record or a page of records is one query whatever it
    holds; a person also gets ``membership_rows``, their organizations that are not in
    the trash. The arrays are unordered; ``contacts.schemas`` sorts them as the models'
    ``Meta.ordering`` would. The pages use ``*_get``/``*_list``, which give model
    instances with their relations."""
    details = _PERSON_DETAILS if qs.model is Person else _ORGANIZATION_DETAILS
    base = qs.select_related(None).prefetch_related(None)
    return details.apply(
        base.annotate(owner_username=F("owner__username"), team_name=F("team__name"))
    )


def person_list_with_details(
    *, user: Any, filters: ContactFilters | None = None
) -> QuerySet[Person]:
    """``person_list`` with every detail folded into each row (see ``_with_details``)."""
    return _with_details(person_list(user=user, filters=filters))


def organization_list_with_details(
    *, user: Any, filters: ContactFilters | None = None
) -> QuerySet[Organization]:
    return _with_details(organization_list(user=user, filters=filters))


# The API's most frequent read, compiled to SQL once (see ``CompiledQuery``); visibility
# is checked on the row (``can_see_record``), which keeps the SQL the same for everyone.
_PERSON_WITH_DETAILS = CompiledQuery(lambda pk: _with_details(Person.objects.alive().filter(pk=pk)))
_ORGANIZATION_WITH_DETAILS = CompiledQuery(
    lambda pk: _with_details(Organization.objects.alive().filter(pk=pk))
)


_PERSON_ROW = CompiledQuery(lambda pk: Person.objects.alive().filter(pk=pk))


def person_visible(*, user: Any, pk: int) -> Person | None:
    """The person ``pk`` (the row alone) if it is alive and ``user`` may see it: what a
    link from another record is checked against (one compiled query, visibility
    checked on the row as ``person_list`` checks it in SQL)."""
    found = _PERSON_ROW.run(pk)
    return found[0] if found and can_see_record(user, found[0]) else None


def person_get_with_details(*, user: Any, pk: Any) -> Person:
    """``person_get`` in one query, details folded in (see ``_with_details``)."""
    found = _PERSON_WITH_DETAILS.run(parse_id(pk))
    if not found or not can_see_record(user, found[0]):
        raise NotFound()
    return found[0]


def organization_get_with_details(*, user: Any, pk: Any) -> Organization:
    """``organization_get`` in one query, details folded in (see ``_with_details``)."""
    found = _ORGANIZATION_WITH_DETAILS.run(parse_id(pk))
    if not found or not can_see_record(user, found[0]):
        raise NotFound()
    return found[0]


def person_trash_get(*, user: Any, pk: Any) -> Person:
    """A trashed person, for admins restoring from the trash."""
    return record_trash_get(Person, user=user, pk=pk)


def organization_trash_get(*, user: Any, pk: Any) -> Organization:
    return record_trash_get(Organization, user=user, pk=pk)


# --- likely duplicates (stored by ``data_quality.duplicate_scan_run``) -------------------


def duplicate_scan_latest(*, kind: str) -> DuplicateScan | None:
    """The newest scan of ``kind`` (whatever its status), for the page's status line."""
    return DuplicateScan.objects.filter(kind=kind).order_by("-created_at", "-id").first()


def duplicate_pair_list(*, user: Any, kind: str, min_score: float = 0.0) -> QuerySet[DuplicatePair]:
    """The pairs of the latest finished scan of ``kind`` with ``score >= min_score``,
    best first, of which ``user`` may see *both* records (and not dismissed since)."""
    model: type[Person] | type[Organization] = (
        Person if kind == DuplicateKind.PERSON else Organization
    )
    scan = (
        DuplicateScan.objects.filter(kind=kind, status=DuplicateScanStatus.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    if scan is None:
        return DuplicatePair.objects.none()
    visible: QuerySet[Any] = model.objects.alive().visible_to(user)
    ids = visible.order_by().values("pk")
    dismissed = DuplicateDismissal.objects.filter(
        kind=kind, a_id=OuterRef("a_id"), b_id=OuterRef("b_id")
    )
    return (
        DuplicatePair.objects.filter(scan=scan, score__gte=min_score, a_id__in=ids, b_id__in=ids)
        .exclude(Exists(dismissed))
        .order_by("-score", "a_id", "b_id")
    )


def duplicate_records(*, user: Any, kind: str, ids: Iterable[int]) -> dict[int, Any]:
    """The visible records among ``ids`` by id, with owner (a page of pairs shows them
    side by side)."""
    model: type[Person] | type[Organization] = (
        Person if kind == DuplicateKind.PERSON else Organization
    )
    visible = model.objects.alive().visible_to(user)
    return {r.pk: r for r in visible.filter(pk__in=list(ids)).select_related("owner")}


# --- what an import matches its rows against (``integrations.imports.matching``) --------

#: Most values in one ``IN`` list, well under every database's limit.
MATCH_BATCH = 500

Contact = type[Person] | type[Organization]


def _batches(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), MATCH_BATCH):
        yield items[start : start + MATCH_BATCH]


def _visible_ids(user: Any, model: Contact, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for batch in _batches(set(ids)):
        visible: QuerySet[Any] = model.objects.filter(pk__in=batch).alive().visible_to(user)
        found |= set(visible.values_list("pk", flat=True))
    return found


def match_candidates(
    *,
    user: Any,
    model: Contact,
    external_ids: Iterable[str] = (),
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> list[tuple[str, str, int]]:
    """``(key, value, id)`` of the visible live records of ``model`` with one of these
    external ids (key "x"), normalized e-mails ("e") or E.164 phones ("p"), by id. The
    lookups read the detail tables' indexes alone; visibility is then checked once for
    all the ids found (per ``MATCH_BATCH``), not joined into each lookup."""
    owner = "person" if model is Person else "organization"
    found: list[tuple[str, str, int]] = []
    for batch in _batches(external_ids):
        live = model.objects.alive().filter(external_id__in=batch)
        found += [("x", v, pk) for v, pk in live.values_list("external_id", "pk")]
    for batch in _batches(emails):
        addresses = EmailAddress.objects.filter(address__in=batch, **{f"{owner}__isnull": False})
        found += [("e", v, pk) for v, pk in addresses.values_list("address", f"{owner}_id")]
    for batch in _batches(phones):
        numbers = PhoneNumber.objects.filter(number__in=batch, **{f"{owner}__isnull": False})
        found += [("p", v, pk) for v, pk in numbers.values_list("number", f"{owner}_id")]
    visible = _visible_ids(user, model, (pk for _key, _value, pk in found))
    return sorted((c for c in found if c[2] in visible), key=lambda c: c[2])


#: (id, first name, last name, city) of a person an import row may be.
PersonRow = tuple[int, str, str, str]


def people_in_cities(*, user: Any, last_names: dict[str, set[str]]) -> list[PersonRow]:
    """The visible people living in a city (a key of ``last_names``) with one of its last
    names. One query per city, ``city = ? AND last_name IN (…)``: each name is one
    probe of the (city, last_name) index. (A row-value ``(city, last_name) IN (VALUES
    …)`` reads the same, but SQLite's planner scans the whole table for it, so the
    import slowed down as the base grew.)"""
    people = Person.objects.alive().visible_to(user)
    found: list[PersonRow] = []
    for city, names in sorted(last_names.items()):
        for batch in _batches(sorted(names)):
            qs = people.filter(city=city, last_name__in=batch)
            found += list(qs.values_list("pk", "first_name", "last_name", "city"))
    return found


def people_named(*, user: Any, last_names: Iterable[str]) -> list[PersonRow]:
    """The visible live people with one of ``last_names`` (as written): the order
    import finds a customer given by name alone among them."""
    people = Person.objects.alive().visible_to(user)
    found: list[PersonRow] = []
    for batch in _batches(sorted(set(last_names))):
        qs = people.filter(last_name__in=batch)
        found += list(qs.values_list("pk", "first_name", "last_name", "city"))
    return found


def people_in_organizations(
    *, user: Any, last_names: Iterable[str], organizations: Iterable[str]
) -> tuple[list[PersonRow], dict[int, set[str]]]:
    """The visible people with one of ``last_names`` who belong to an organization named
    one of ``organizations`` (as written), and the names of those organizations per
    person."""
    org_names = sorted(organizations)
    by_person: dict[int, set[str]] = {}
    for batch in _batches(sorted(last_names)):
        members = Membership.objects.filter(
            person__last_name__in=batch,
            person__deleted_at__isnull=True,
            organization__name__in=org_names,
        ).values_list("person_id", "organization__name")
        for pk, org_name in members:
            by_person.setdefault(pk, set()).add(org_name)
    if not by_person:
        return [], {}
    visible = Person.objects.filter(pk__in=_visible_ids(user, Person, by_person))
    return list(visible.values_list("pk", "first_name", "last_name", "city")), by_person


def organization_rows(*, user: Any) -> Iterator[tuple[int, str, str]]:
    """(id, name, city) of every visible live organization, streamed."""
    qs = Organization.objects.alive().visible_to(user).values_list("pk", "name", "city")
    return qs.iterator(chunk_size=5000)


# --- merges (``contacts.merge``) ---------------------------------------------------------

#: Rows that belong to a record's own details: a merge applies the chosen values to
#: them (picks) instead of moving them.
DETAIL_MODELS: tuple[type[models.Model], ...] = (EmailAddress, PhoneNumber, Address, Relationship)

#: How many merges a redirect follows at most (a guard, chains are short in practice).
MAX_CHAIN = 50


def merged_into(kind: str, pk: Any) -> int | None:
    """The id a merged-away record now lives on (``kind`` "person"/"organization"),
    following chains A→B→C while the merges stand; None when ``pk`` was never merged.
    Not scoped: callers load the survivor through ``*_get``, which is."""
    try:
        current = parse_id(pk)
    except NotFound:
        return None
    target: int | None = None
    seen = {current}
    for _step in range(MAX_CHAIN):
        found = (
            Merge.objects.filter(kind=kind, merged_id=current, undone_at__isnull=True)
            .order_by("-created_at", "-id")
            .values_list("survivor_id", flat=True)
            .first()
        )
        if found is None or found in seen:
            break
        seen.add(found)
        target = current = found
    return target


def merged_ids(kind: str) -> QuerySet[Merge, Any]:
    """The ids merged away by standing merges (a subquery: ``pk__in=merged_ids(k)``)."""
    return Merge.objects.filter(kind=kind, undone_at__isnull=True).values("merged_id")


def merge_get(*, user: Any, pk: Any) -> Merge:
    """A merge whose kept record the user may see, else ``NotFound``."""
    merge = Merge.objects.filter(pk=parse_id(pk)).first()
    if merge is None:
        raise NotFound()
    model: Any = Person if merge.kind == DuplicateKind.PERSON else Organization
    survivor = model._base_manager.filter(pk=merge.survivor_id).first()
    if survivor is None or not can_see_record(user, survivor):
        raise NotFound()
    return merge


def merges_into(*, kind: str, record: Any) -> QuerySet[Merge]:
    """The standing merges into a record (already read through a scoped selector),
    newest first: its page offers to undo them."""
    return Merge.objects.filter(kind=kind, survivor_id=record.pk, undone_at__isnull=True)


def merge_relations(model: type[models.Model]) -> list[tuple[type[models.Model], Any]]:
    """Every (model, foreign key field) pointing at ``model`` from another table, found
    by introspection so that contacts names none of the apps built on it: reverse
    foreign keys (memberships, quotes, orders, converted leads…) and the through
    tables of many-to-many fields (people on interactions, tasks, deals…). The
    record's own details are left out (``DETAIL_MODELS``), and so are many-to-many
    fields with an explicit through model, whose foreign key is listed itself."""
    found: list[tuple[type[models.Model], Any]] = []
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            through: Any = getattr(rel, "through", None)
            if through is None or not through._meta.auto_created:
                continue
            field = next(
                f
                for f in through._meta.concrete_fields
                if f.is_relation and f.related_model is model
            )
            found.append((through, field))
        elif rel.related_model not in DETAIL_MODELS:
            found.append((rel.related_model, rel.field))
    return found


def merge_counts(record: Person | Organization) -> list[tuple[int, str]]:
    """What a merge would move away from ``record`` (already read through a scoped
    selector): (count, name) per kind of row, e.g. (3, "interactions"). Counts only,
    so rows the viewer may not see are counted but never shown."""
    counts: dict[str, tuple[int, Any, Any]] = {}
    for model, field in merge_relations(type(record)):
        n = model._base_manager.filter(**{field.attname: record.pk}).count()
        if not n:
            continue
        target = model if not model._meta.auto_created else _m2m_owner(model, field)
        meta = target._meta
        key = meta.label
        old = counts.get(key, (0, meta.verbose_name, meta.verbose_name_plural))
        counts[key] = (old[0] + n, old[1], old[2])
    return [(n, str(one if n == 1 else many)) for n, one, many in counts.values()]


def _m2m_owner(through: type[models.Model], field: Any) -> type[models.Model]:
    """The model on the other side of an auto-created through table (the interaction
    of an interaction-person row)."""
    other = next(f for f in through._meta.concrete_fields if f.is_relation and f.name != field.name)
    return cast(type[models.Model], other.related_model)


# --- what the importer reads (``integrations.imports``) ---------------------------------


def organization_names(*, user: Any, names: Iterable[str]) -> list[tuple[int, str]]:
    """(id, name) of each visible organization whose name is exactly one of ``names``,
    ``MATCH_BATCH`` names a query, each query's rows in name order."""
    qs = Organization.objects.alive().visible_to(user)
    found: list[tuple[int, str]] = []
    for batch in _batches(names):
        found += qs.filter(name__in=batch).values_list("pk", "name")
    return found


def record_details(record: Person | Organization) -> dict[str, list[Any]]:
    """What an update of a record read through ``person_get`` / ``organization_get``
    starts from: its ``emails``, ``phones``, ``addresses`` and ``relationships`` as the
    services' input objects (``details.current_details``), its ``tags`` (names, sorted)
    and a person's ``memberships`` (the rows ``person_get`` prefetched: organizations
    not in the trash)."""
    current = current_details(record)
    current["tags"] = sorted(t.name for t in record.tags.all())
    current["memberships"] = list(record.memberships.all()) if isinstance(record, Person) else []
    return current
