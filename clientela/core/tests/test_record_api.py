"""Every registered kind of record that names API scopes gets its REST operations from
``core.api.records`` (list, create, get, change, and delete when it has a trash), with
the scopes, answers and names the hand-written endpoints had: a new kind is checked
here by registering, with no test of its own."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema

from clientela.api import api
from clientela.core.api.records import api_kinds
from clientela.core.kinds import RecordKind, record_kinds


@cache
def openapi() -> dict[str, Any]:
    """The document as a client reads it (status codes as text)."""
    document: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    return document


def _operations(kind: RecordKind) -> dict[str, dict[str, Any]]:
    id_name = kind.api_id_name or f"{kind.url_prefix}_id"
    collection = openapi()["paths"][f"/api/v1/{kind.api_route}"]
    item = openapi()["paths"][f"/api/v1/{kind.api_route}/{{{id_name}}}"]
    found = {
        "list": collection.get("get"),
        "create": collection.get("post"),
        "get": item.get("get"),
        "update": item.get("patch"),
        "delete": item.get("delete"),
    }
    return {verb: operation for verb, operation in found.items() if operation is not None}


def test_every_kind_of_record_has_an_api() -> None:
    assert {k.resource for k in api_kinds()} == {k.resource for k in record_kinds()}


@pytest.mark.parametrize("kind", api_kinds(), ids=lambda kind: kind.resource)
def test_a_kind_with_api_scopes_exposes_its_operations(kind: RecordKind) -> None:
    operations = _operations(kind)
    expected = {"list", "create", "get", "update"} | ({"delete"} if kind.trash else set())
    assert set(operations) == expected

    read, write = kind.api_scopes
    for verb, operation in operations.items():
        assert operation["x-scopes"] == [read if verb in {"list", "get"} else write]
        assert operation["tags"] == [kind.api_tag or kind.path]
        name = kind.path if verb == "list" else kind.arg
        assert operation["operationId"].endswith(f"_{verb}_{name}")
        assert {"401", "403", "422"} <= set(operation["responses"])
    assert "404" in operations["get"]["responses"]
    assert "201" in operations["create"]["responses"]
    page = operations["list"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert kind.api_out_schema is not None
    assert page["$ref"].endswith(f"/CursorPage_{kind.api_out_schema.__name__}_")
    create_parameters = operations["create"].get("parameters", [])
    assert any(p["name"] == "Idempotency-Key" for p in create_parameters)


@pytest.mark.parametrize("kind", api_kinds(), ids=lambda kind: kind.resource)
def test_changes_of_a_versioned_kind_may_be_stale(kind: RecordKind) -> None:
    """412 on a stale ``If-Match``/``version`` wherever the record has a version."""
    versioned = any(f.name == "version" for f in kind.model._meta.get_fields())
    operations = _operations(kind)
    assert ("412" in operations["update"]["responses"]) is versioned
    if "delete" in operations:
        assert "412" in operations["delete"]["responses"]
        assert operations["delete"]["responses"]["204"]


def test_no_two_schemas_share_a_component_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document keys its schemas by class name and keeps the last one added under a
    name, so two different schemas named alike would document one operation wrongly."""
    added: dict[str, list[Any]] = defaultdict(list)
    add = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, schema in definitions.items():
            added[name].append(schema)
        add(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    api.get_openapi_schema()
    assert {"ConvertDealIn", "DealIn", "OrderOut", "QuoteOut"} <= set(added)
    assert "AcceptedOrderOut" not in added  # accepting a quote answers the full order
    shared = sorted(name for name, schemas in added.items() if len(set(map(repr, schemas))) > 1)
    assert shared == []
