"""The domain events of people and organizations (``core.events``): created, updated
(with the changed fields), deleted and restored, each carrying the record as
``GET /api/v1/people/{id}`` shows it. The importer's new records emit them too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clientela.contacts.models import Organization, Person
from clientela.core.events.records import (
    SYSTEM_READER,
    RecordEvents,
    api_names,
    emit_records,
    record_events,
    register_record_events,
)


def register() -> None:
    register_record_events(
        RecordEvents(resource=Person.RESOURCE, prefix="person", render_many=_people)
    )
    register_record_events(
        RecordEvents(
            resource=Organization.RESOURCE, prefix="organization", render_many=_organizations
        )
    )


def _people(ids: Sequence[int]) -> Mapping[int, Any]:
    from clientela.contacts import schemas, selectors  # noqa: PLC0415

    found = selectors.person_list_with_details(user=SYSTEM_READER).filter(pk__in=ids)
    return {p.pk: schemas.person_data(p) for p in found}


def _organizations(ids: Sequence[int]) -> Mapping[int, Any]:
    from clientela.contacts import schemas, selectors  # noqa: PLC0415

    found = selectors.organization_list_with_details(user=SYSTEM_READER).filter(pk__in=ids)
    return {o.pk: schemas.organization_data(o) for o in found}


def emit_many(
    *,
    actor: Any,
    model: type[Any],
    action: str,
    ids: Sequence[int],
    changes: Mapping[int, Iterable[str]] | None = None,
) -> int:
    """The events of the bulk writes (the importer's new and changed records, the undo
    of an import): one per record, written in one statement; ``changes`` gives an
    update's changed keys by id. New records are rendered by the worker
    (``emit_records(deferred=True)``), the others a batch at a time here."""
    spec = record_events(model.RESOURCE)
    adds = (
        {pk: {"changed_fields": api_names(spec, keys)} for pk, keys in changes.items()}
        if changes is not None and spec is not None
        else None
    )
    return emit_records(
        actor=actor,
        resource=model.RESOURCE,
        action=action,
        ids=ids,
        adds=adds,
        deferred=action == "created",
    )
