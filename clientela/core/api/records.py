"""The five REST operations of a kind of record, from its declaration.

``record_router(kind)`` registers on a django-ninja ``Router``:

* ``GET /<path>``: the visible records, narrowed by the kind's list parameters, one
  cursor page at a time;
* ``POST /<path>``: create (201), honouring ``Idempotency-Key``;
* ``GET /<path>/{id}``: one record, its ``version`` sent as the ``ETag``;
* ``PATCH /<path>/{id}``: change the fields sent, with the version read in ``If-Match``
  or the body (412 when stale);
* ``DELETE /<path>/{id}``: move it to the trash (204), the version likewise.

Scopes, error answers and conventions are the same for every kind; what differs comes
from the API section of ``RecordKind``: the schemas, how a list's parameters become a
queryset, how a body becomes the services' data, how a record is rendered, and hooks
for the kinds whose shape differs (a create that may find the record instead, a change
that is not the update service, the 308 of a merged record). A kind without versions
(products) gets no ETag and no 412; one without a trash service no DELETE. Actions of
a kind's own (moving a deal, sending a quote) stay in its app's router.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Body, Query, Router, Status
from pydantic import BaseModel

from clientela.core.api.auth import api_user, require_scope
from clientela.core.api.concurrency import expected_version, set_etag
from clientela.core.api.errors import refuse_unknown_params, renamed_fields
from clientela.core.api.idempotency import idempotent
from clientela.core.api.pagination import paginate
from clientela.core.api.schemas import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    CursorPage,
    RecordId,
    VersionIn,
    error_responses,
    json_answer,
    with_sorts,
)
from clientela.core.errors import NotFound
from clientela.core.kinds import RecordKind, record_kinds

#: A change of a kind without versions cannot be stale: no 412.
UNVERSIONED_CHANGE_ERRORS = error_responses(400, 401, 403, 404, 413, 422)
#: A record that answers with a redirect (a merged one: to the record kept).
REDIRECT: dict[int, Any] = {308: None}

View = Callable[..., Any]


def api_kinds() -> list[RecordKind]:
    """The registered kinds with a REST API (those that name their token scopes)."""
    return [kind for kind in record_kinds() if all(kind.api_scopes)]


def record_routers() -> list[Router]:
    """One router per kind with a REST API, for ``clientela/api.py`` to mount."""
    return [record_router(kind) for kind in api_kinds()]


def record_router(kind: RecordKind, router: Router | None = None) -> Router:
    """``router`` (a new one by default) with the kind's list, create, get, change and
    delete operations."""
    router = router if router is not None else Router()
    _RecordApi(kind).register(router)
    return router


def _view(run: View, name: str, params: dict[str, tuple[Any, Any]]) -> View:
    """``run(request, **kwargs)`` as the endpoint ninja expects: a function named
    ``name`` (its summary and URL name) with the typed keyword parameters ``params``
    (name -> (annotation, default)), which depend on the kind (``person_id: RecordId``,
    ``payload: PersonIn``)."""

    def view(request: HttpRequest, **kwargs: Any) -> Any:
        return run(request, **kwargs)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = None
    # ``idempotent`` reads the annotations, ninja the signature: both must tell them.
    view.__annotations__ = {"request": HttpRequest, **{k: t for k, (t, _d) in params.items()}}
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            *(
                inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, annotation=t, default=d)
                for k, (t, d) in params.items()
            ),
        ]
    )
    return view


_REQUIRED = inspect.Parameter.empty


class _RecordApi:
    """The operations of one kind; each reads the kind's declaration at call time."""

    def __init__(self, kind: RecordKind) -> None:
        missing = [
            name
            for name in ("api_in", "api_patch", "api_out_schema", "api_list_params", "api_list")
            if getattr(kind, name) is None
        ]
        if kind.api_out is None and kind.api_out_page is None:
            missing.append("api_out")
        assert not missing, f"{kind.resource} lacks {missing}"
        self.kind = kind
        self.read_scope, self.write_scope = kind.api_scopes
        self.id_name = kind.api_id_name or f"{kind.url_prefix}_id"
        app_module = kind.model.__module__.rsplit(".", 1)[0]
        self.module = kind.api_module or f"{app_module}.api"
        self.versioned = any(f.name == "version" for f in kind.model._meta.get_fields())
        self.page_schema: Any = cast(Any, CursorPage)[kind.api_out_schema]

    # --- what every operation does the same way --------------------------------------

    def read(self, request: HttpRequest, pk: int) -> Any:
        get = self.kind.get_for_api or self.kind.get_selector
        return get(user=api_user(request), pk=pk)

    def read_or_redirect(self, request: HttpRequest, pk: int) -> Any:
        """The record, or the kind's answer for an id that is not found (if any)."""
        try:
            return self.read(request, pk)
        except NotFound:
            if self.kind.api_missing is None:
                raise
            return self.kind.api_missing(request, pk)

    def render(self, request: HttpRequest, records: list[Any]) -> list[Any]:
        if self.kind.api_out_page is not None:
            return self.kind.api_out_page(request, records)
        assert self.kind.api_out is not None
        return [self.kind.api_out(record) for record in records]

    def out(self, request: HttpRequest, record: Any) -> Any:
        return self.render(request, [record])[0]

    def data(self, payload: Any) -> Any:
        if self.kind.api_data is not None:
            return self.kind.api_data(payload)
        return payload.model_dump(exclude_unset=True, exclude={"version"})

    def renamed(self) -> AbstractContextManager[None]:
        names = self.kind.api_field_names
        return renamed_fields(names) if names else nullcontext()

    def operation_id(self, name: str) -> str:
        # As ninja names a hand-written endpoint: its module and function name.
        return f"{self.module}_{name}".replace(".", "_")

    def list_params(self) -> Any:
        """The kind's list parameters, with ``sort`` as the enum of its filters' sorts."""
        params: Any = self.kind.api_list_params
        if "sort" not in params.model_fields or self.kind.filters is None:
            return params
        sorts = self.kind.filters.sorts(resource=self.kind.resource)
        # A ``pattern`` on the parameters' own ``sort`` narrows it to what the API
        # takes (tickets page through columns, not the list page's priority order).
        metadata = params.model_fields["sort"].metadata
        pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
        if pattern:
            sorts = {key: value for key, value in sorts.items() if re.fullmatch(pattern, key)}
        return with_sorts(params, sorts, f"{self.kind.model.__name__}ListParams")

    # --- the operations ---------------------------------------------------------------

    def list_page(self, request: HttpRequest, *, params: Any) -> Any:
        kind = self.kind
        assert kind.api_list is not None
        assert kind.api_list_params is not None
        if not kind.custom_fields:
            # Kinds with custom fields take ``cf_<key>=`` parameters no schema lists:
            # their filters read the query string and check those (other unknown
            # parameters are ignored there, as they always were).
            refuse_unknown_params(request, kind.api_list_params)
        page = paginate(kind.api_list(request, params), limit=params.limit, cursor=params.cursor)
        items = self.render(request, page.items)
        if items and not isinstance(items[0], BaseModel):
            # Plain JSON values (``RecordKind.api_out`` may give them, e.g. contacts'
            # ``person_data``) go out as they are: checking a hundred records against
            # the schema was a third of the page's time. Their tests check them.
            return json_answer({"items": items, "next_cursor": page.next_cursor})
        # Else the page as the very model the operation declares, which ninja writes
        # out without checking each record again.
        return self.page_schema(items=items, next_cursor=page.next_cursor)

    def create(self, request: HttpRequest, *, payload: Any) -> Status[Any]:
        kind, actor = self.kind, api_user(request)
        created = True
        with self.renamed():
            if kind.api_create is not None:
                record, created = kind.api_create(actor=actor, data=self.data(payload))
            else:
                record = kind.create_record(actor=actor, data=self.data(payload))
        return Status(201 if created else 200, self.out(request, self.read(request, record.pk)))

    def get(self, request: HttpRequest, *, response: HttpResponse, **ids: int) -> Any:
        record = self.read_or_redirect(request, ids[self.id_name])
        if isinstance(record, HttpResponse):
            return record
        if self.versioned:
            set_etag(response, record.version)
        return self.out(request, record)

    def update(
        self, request: HttpRequest, *, payload: Any, response: HttpResponse, **ids: int
    ) -> Any:
        kind, pk = self.kind, ids[self.id_name]
        version = expected_version(request, payload.version) if self.versioned else None
        record = self.read_or_redirect(request, pk)
        if isinstance(record, HttpResponse):
            return record
        actor = api_user(request)
        with self.renamed():
            if kind.api_update is not None:
                kind.api_update(
                    actor=actor, record=record, payload=payload, expected_version=version
                )
            elif self.versioned:
                kind.update_record(
                    actor=actor, record=record, data=self.data(payload), expected_version=version
                )
            else:
                assert kind.update is not None
                kind.update(actor=actor, data=self.data(payload), **{kind.arg: record})
        fresh = self.read(request, pk)
        if self.versioned:
            set_etag(response, fresh.version)
        return self.out(request, fresh)

    def delete(
        self, request: HttpRequest, *, payload: VersionIn | None = None, **ids: int
    ) -> Status[None]:
        version = expected_version(request, payload.version if payload else None)
        record = self.kind.get(user=api_user(request), pk=ids[self.id_name])
        self.kind.trash_record(actor=api_user(request), record=record, expected_version=version)
        return Status(204, None)

    # --- registering them -------------------------------------------------------------

    def register(self, router: Router) -> None:
        kind, out = self.kind, self.kind.api_out_schema
        collection = f"/{kind.api_route}"
        item = f"{collection}/{{{self.id_name}}}"
        pk = {self.id_name: (RecordId, _REQUIRED)}
        response = {"response": (HttpResponse, _REQUIRED)}
        redirect = REDIRECT if kind.api_missing is not None else {}
        found = {200: out} if kind.api_create is not None else {}
        change_errors = CHANGE_ERRORS if self.versioned else UNVERSIONED_CHANGE_ERRORS
        list_params = cast(Any, Query)[self.list_params()]
        operations: list[tuple[str, str, str, View, dict[str, Any], dict[int, Any]]] = [
            (
                "GET",
                collection,
                f"list_{kind.path}",
                self.list_page,
                {"params": (list_params, _REQUIRED)},
                {200: self.page_schema, **LIST_ERRORS},
            ),
            (
                "POST",
                collection,
                f"create_{kind.arg}",
                self.create,
                {"payload": (kind.api_in, _REQUIRED)},
                {201: out, **found, **CREATE_ERRORS},
            ),
            (
                "GET",
                item,
                f"get_{kind.arg}",
                self.get,
                {**pk, **response},
                {200: out, **redirect, **DETAIL_ERRORS},
            ),
            (
                "PATCH",
                item,
                f"update_{kind.arg}",
                self.update,
                {**pk, "payload": (kind.api_patch, _REQUIRED), **response},
                {200: out, **redirect, **change_errors},
            ),
        ]
        if kind.trash is not None:
            body = cast(Any, Body)[VersionIn | None]
            operations.append(
                (
                    "DELETE",
                    item,
                    f"delete_{kind.arg}",
                    self.delete,
                    {**pk, "payload": (body, None)},
                    {204: None, **CHANGE_ERRORS},
                )
            )
        with translation.override(None):  # the OpenAPI document is in English
            docs = {"delete": f"Moves the {kind.singular} to the trash.", **kind.api_docs}
        for method, path, name, run, params, responses in operations:
            view = _view(run, name, params)
            if method == "POST":
                view = idempotent(view)
            router.add_api_operation(
                path,
                [method],
                require_scope(self.read_scope if method == "GET" else self.write_scope)(view),
                response=responses,
                operation_id=self.operation_id(name),
                description=docs.get(name.split("_", 1)[0]),
                tags=[kind.api_tag or kind.path],
                url_name=name,
            )
