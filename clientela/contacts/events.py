"""The domain events of people and organizations (``core.events``): created, updated
(with the changed fields), deleted and restored, each carrying the record as
``GET /api/v1/people/{id}`` shows it. The importer's new records emit them too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clientela.contacts.models import Organization, Person
from clientela.core.events.records import (
    SYSTEM_READER,
    RecordEvents,
    emit_records,
    register_record_events,
)


def register() -> None:
    register_record_events(RecordEvents(resource=Person.RESOURCE, prefix="person"))
    register_record_events(RecordEvents(resource=Organization.RESOURCE, prefix="organization"))


def _people(ids: Sequence[int]) -> Mapping[int, Any]:
    from clientela.contacts import schemas, selectors  # noqa: PLC0415

    found = selectors.person_list_with_details(user=SYSTEM_READER).filter(pk__in=ids)
    return {p.pk: schemas.person_data(p) for p in found}


def _organizations(ids: Sequence[int]) -> Mapping[int, Any]:
    from clientela.contacts import schemas, selectors  # noqa: PLC0415

    found = selectors.organization_list_with_details(user=SYSTEM_READER).filter(pk__in=ids)
    return {o.pk: schemas.organization_data(o) for o in found}


def emit_created_many(*, actor: Any, model: type[Any], ids: Sequence[int]) -> int:
    """The ``person.created`` / ``organization.created`` of the importer's new records,
    rendered a batch at a time (one query) and written in one statement."""
    render = _people if model is Person else _organizations
    return emit_records(
        actor=actor, resource=model.RESOURCE, action="created", ids=ids, render_many=render
    )
