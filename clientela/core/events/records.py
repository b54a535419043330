"""The events of a kind of record, declared once (``register_record_events``).

A domain app names, in its ``events.py`` (called from ``AppConfig.ready()``), the event
prefix of each kind it owns ("deal") and what its changes mean beyond created /
updated / deleted / restored (``derive``: a deal whose stage changed, a task done).
The shells of ``core.services.records`` then emit them for every service built on
them, and the importer's bulk writes through ``emit_records``, so no service repeats
the ceremony.

``data`` is the record as the API shows it (``GET /api/v1/<kind>/{id}``): the kind's
API read and rendering (``RecordKind.get_for_api`` / ``api_out``) run as a reader who
sees every record (``SYSTEM_READER``), inside the writing transaction, so the event
holds the record as that change left it. Its JSON schema is the kind's API output
schema (``api_out_schema.model_json_schema()``) plus what the event type adds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from clientela.core.audit import changes_between
from clientela.core.events import EventType, event_type, register_event_type
from clientela.core.events.outbox import Pending, emit_many
from clientela.core.kinds import RecordKind, record_kind

#: What an update adds to the record: the API names of the fields it changed.
CHANGED_FIELDS = {
    "changed_fields": {
        "type": "array",
        "items": {"type": "string"},
        "description": "The fields this change set, named as in the API.",
    },
    "previous": {
        "type": "object",
        "description": "The changed fields' values before the change, as the history shows "
        "them (a related record by its name).",
    },
}

#: A reference to a stage, status or other named value in an event's from/to.
NAMED_REF: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "properties": {"id": {"type": ["integer", "null"]}, "name": {"type": "string"}},
            "required": ["id", "name"],
        },
        {"type": "null"},
    ]
}

#: ``derive(before, after) -> [(event type, what it adds to data)]``: the events a
#: change means besides created/updated; ``before`` is ``{}`` for a new record. Both
#: are the kind's audit snapshots (``RecordWrites.snapshot``), model values unshown.
Derive = Callable[[Mapping[str, Any], Mapping[str, Any]], list[tuple[str, dict[str, Any]]]]


class _SystemReader:
    """A reader who may see every record: the events' own read of the record they
    carry, which must not depend on who made the change."""

    pk = id = team_id = role_id = None
    is_authenticated = is_active = is_superuser = is_admin = is_staff = True
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM_READER: Any = _SystemReader()


@dataclass(frozen=True)
class RecordEvents:
    """The events of one kind: ``<prefix>.created``, ``.updated``, and with
    ``trash`` ``.deleted`` and ``.restored``; ``names`` renames one of these (an
    interaction is ``interaction.logged``), ``extra`` adds the types ``derive`` emits.
    ``data(record)`` replaces the API's rendering where that needs a request."""

    resource: str
    prefix: str
    trash: bool = True
    names: Mapping[str, str] = field(default_factory=dict)
    derive: Derive | None = None
    extra: Sequence[EventType] = ()
    data: Callable[[Any], Any] | None = None
    #: Snapshot keys whose API name is not the key or ``<key>_id`` (deal's "people").
    field_names: Mapping[str, str] = field(default_factory=dict)
    #: ``render_many(ids) -> {id: API output}`` in a few queries (the bulk writes'
    #: events); without it they are rendered one by one.
    render_many: Callable[[Sequence[int]], Mapping[int, Any]] | None = None

    def name(self, action: str) -> str:
        return self.names.get(action) or f"{self.prefix}.{action}"

    @property
    def kind(self) -> RecordKind:
        return record_kind(self.resource)


_by_resource: dict[str, RecordEvents] = {}

_DESCRIPTIONS = {
    "created": _("A record of the kind “%(kind)s” was created."),
    "updated": _("A record of the kind “%(kind)s” was changed; changed_fields names the fields."),
    "deleted": _(
        "A record of the kind “%(kind)s” was moved to the trash; data is the record as it was."
    ),
    "restored": _("A record of the kind “%(kind)s” was brought back from the trash."),
}


def record_schema(kind: RecordKind, adds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON schema of the kind's API output, plus the properties ``adds`` (all
    required)."""
    assert kind.api_out_schema is not None, f"{kind.resource} has no API output schema"
    schema = dict(cast_model(kind.api_out_schema).model_json_schema())
    if adds:
        schema["properties"] = {**schema.get("properties", {}), **adds}
        schema["required"] = [*schema.get("required", []), *adds]
    return schema


def cast_model(schema: Any) -> type[BaseModel]:
    assert isinstance(schema, type)
    assert issubclass(schema, BaseModel)
    return schema


def register_record_events(spec: RecordEvents) -> RecordEvents:
    """Register the kind's event types and let the shells emit them."""
    kind = spec.kind
    actions = ["created", "updated", *(["deleted", "restored"] if spec.trash else [])]
    for action in actions:
        adds = CHANGED_FIELDS if action == "updated" else None
        register_event_type(
            EventType(
                name=spec.name(action),
                description=_Described(action, kind.singular),
                schema=record_schema(kind, adds),
                resource=spec.resource,
            )
        )
    for extra in spec.extra:
        register_event_type(extra)
    _by_resource[spec.resource] = spec
    return spec


class _Described:
    """A description worded when read, in the language active then."""

    def __init__(self, action: str, singular: Any) -> None:
        self.action, self.singular = action, singular

    def __str__(self) -> str:
        return str(_DESCRIPTIONS[self.action]) % {"kind": self.singular}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Described) and (self.action, str(self.singular)) == (
            other.action,
            str(other.singular),
        )

    def __hash__(self) -> int:
        return hash((self.action, str(self.singular)))


def record_events(resource: str) -> RecordEvents | None:
    return _by_resource.get(resource)


def jsonable(value: Any) -> Any:
    """A rendering as plain JSON values, written as the API writes them (ninja's
    encoder: times to the millisecond, decimals as strings)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def render(spec: RecordEvents, pk: int) -> dict[str, Any]:
    """The record ``pk`` as the API shows it, as JSON values."""
    kind = spec.kind
    get = kind.get_for_api or kind.get_selector
    record = get(user=SYSTEM_READER, pk=pk)
    if spec.data is not None:
        return dict(jsonable(spec.data(record)))
    assert kind.api_out is not None, f"{kind.resource}: give RecordEvents.data"
    return dict(jsonable(kind.api_out(record)))


def api_names(spec: RecordEvents, keys: Iterable[str]) -> list[str]:
    """Snapshot keys as the API names them: the key, or ``<key>_id`` / ``<key>_ids``
    when that is what the output schema has, or the spec's own name for it."""
    kind = spec.kind
    props = set(cast_model(kind.api_out_schema).model_fields) if kind.api_out_schema else set()
    names = []
    for key in keys:
        if key in spec.field_names:
            names.append(spec.field_names[key])
        elif key in props:
            names.append(key)
        elif f"{key}_id" in props:
            names.append(f"{key}_id")
        elif f"{key}_ids" in props:
            names.append(f"{key}_ids")
        else:
            names.append(key)
    return sorted(set(names))


def _emit(
    spec: RecordEvents, record: Any, actor: Any, found: list[tuple[str, dict[str, Any]]]
) -> None:
    if not found:
        return
    data = render(spec, record.pk)
    emit_many(
        [Pending(name, spec.resource, record.pk, {**data, **adds}) for name, adds in found],
        actor=actor,
    )


def _derived(
    spec: RecordEvents, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    if spec.derive is None:
        return []
    found = spec.derive(before, after)
    for name, _adds in found:
        assert event_type(name) is not None, f"{name} is not registered"
    return found


# --- what the shells call ---------------------------------------------------------------


def record_created(actor: Any, record: Any, after: Mapping[str, Any]) -> None:
    spec = _by_resource.get(getattr(record, "RESOURCE", ""))
    if spec is not None:
        _emit(spec, record, actor, [(spec.name("created"), {}), *_derived(spec, {}, after)])


def record_updated(
    actor: Any,
    record: Any,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> None:
    spec = _by_resource.get(getattr(record, "RESOURCE", ""))
    if spec is not None:
        previous = {api_names(spec, [key])[0]: _plain(before.get(key)) for key in changes}
        adds = {"changed_fields": sorted(previous), "previous": previous}
        updated = (spec.name("updated"), adds)
        _emit(spec, record, actor, [updated, *_derived(spec, before, after)])


def record_changed(
    actor: Any, record: Any, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    """A change a service made without ``record_update`` (a worker's sweep, a
    customer's message, a merge): its events if the snapshots differ. Call it once the
    record is saved, inside the change's transaction."""
    changes = changes_between(before, after)
    if changes:
        record_updated(actor, record, before, after, changes)


def record_trashed(actor: Any, record: Any) -> None:
    """Called before the record goes to the trash: ``data`` is the record as it was."""
    spec = _by_resource.get(getattr(record, "RESOURCE", ""))
    if spec is not None and spec.trash:
        _emit(spec, record, actor, [(spec.name("deleted"), {})])


def record_restored(actor: Any, record: Any) -> None:
    spec = _by_resource.get(getattr(record, "RESOURCE", ""))
    if spec is not None and spec.trash:
        _emit(spec, record, actor, [(spec.name("restored"), {})])


def emit_records(
    *,
    actor: Any,
    resource: str,
    action: str,
    ids: Sequence[int],
    adds: Mapping[int, dict[str, Any]] | None = None,
    deferred: bool = False,
) -> int:
    """The bulk writes' events (an import's new records): one ``<prefix>.<action>``
    per id, rendered a batch at a time (``RecordEvents.render_many``).

    ``deferred``: written without ``data``, which the worker renders when it first
    hands the events out (``fill_deferred``), so an import of 100,000 people does not
    render each of them in its own transaction (it made the import a quarter slower,
    ``bench/README.md``). For new records the rendering is then the record as it is at
    dispatch, normally as the import left it; a later change has its own event."""
    spec = _by_resource.get(resource)
    if spec is None or not ids:
        return 0
    name = spec.name(action)
    adds = adds or {}
    if deferred:
        assert not adds, "a deferred event carries only the record"
        pending = [Pending(name, resource, pk, None) for pk in ids]
    else:
        rendered = _render_ids(spec, ids)
        pending = [
            Pending(name, resource, pk, {**rendered.get(pk, {"id": pk}), **adds.get(pk, {})})
            for pk in ids
        ]
    return emit_many(pending, actor=actor)


def _render_ids(spec: RecordEvents, ids: Sequence[int]) -> dict[int, Any]:
    if spec.render_many is not None:
        return {pk: jsonable(out) for pk, out in spec.render_many(ids).items()}
    return {pk: render(spec, pk) for pk in ids}


def fill_deferred(rows: Sequence[Any]) -> None:
    """Render the ``data`` of the outbox rows written without it (``deferred``), a
    resource at a time, and store it, so every subscriber and every retry gets the
    same. A record no longer readable (in the trash) is ``{"id": …}``."""
    missing: dict[str, list[Any]] = {}
    for row in rows:
        if row.render_later:
            missing.setdefault(row.resource, []).append(row)
    for resource, waiting in missing.items():
        spec = _by_resource.get(resource)
        ids = [r.record_id for r in waiting if r.record_id is not None]
        rendered = _render_ids(spec, ids) if spec is not None and ids else {}
        for row in waiting:
            row.data = rendered.get(row.record_id, {"id": row.record_id})
            row.render_later = False
        type(waiting[0]).objects.bulk_update(waiting, ["data", "render_later"], batch_size=500)


def _plain(value: Any) -> Any:
    """A snapshot's value as JSON: a related record by ``named``, lists item by item,
    anything else as the API writes it (or its text)."""
    if isinstance(value, Model):
        return named(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    try:
        return jsonable(value)
    except TypeError:
        return str(value)


def named(value: Any) -> dict[str, Any] | None:
    """A model value of a snapshot (a stage) as ``{"id", "name"}`` for from/to."""
    if value is None:
        return None
    return {"id": getattr(value, "pk", None), "name": str(value)}


__all__ = [
    "CHANGED_FIELDS",
    "NAMED_REF",
    "SYSTEM_READER",
    "RecordEvents",
    "emit_records",
    "fill_deferred",
    "jsonable",
    "named",
    "record_changed",
    "record_created",
    "record_events",
    "record_restored",
    "record_schema",
    "record_trashed",
    "record_updated",
    "register_record_events",
    "render",
]
