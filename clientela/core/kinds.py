"""A kind of record, declared once.

Each domain app describes every kind of record it owns (people, deals, tickets…) with
one ``register_record_kind(RecordKind(...))`` in its ``AppConfig.ready()``: the model,
its selectors and services, the form, the API schemas, the list's columns and filters,
the export columns and whether it is searchable, exportable, importable or mergeable.
The generic pieces in ``core`` work from the declaration alone:

* pages — ``core.views.kinds`` (list, detail, form, delete, restore, trash);
* REST — ``core.api.records.record_router`` (list, create, get, patch, delete);
* services — ``core.services.records`` (``record_create`` / ``record_update`` shells);
* export, import, the duplicate finder and the header search read the registry;
* tests — ``core.testing`` gives every registered kind its permission matrix, CRUD,
  bad-input and query-count tests.

An app writes a view or an endpoint of its own only for what is really its own (a
kanban move, a merge, a PDF), never a copy of a generic shell. The call conventions
below are the same for every kind, so the generic code never needs to know one:

* ``list_selector(*, user, filters)`` and ``get_selector(*, user, pk)`` (``NotFound``
  when missing, trashed or not visible); ``trash_get(*, user, pk)`` for a trashed one;
* ``create(*, actor, data)``; ``update(*, actor, <record_arg>, data, expected_version)``;
  ``trash(*, actor, <record_arg>, expected_version)``; ``restore(*, actor, <record_arg>)``,
  where ``record_arg`` is the entity's name in the service (``person``, ``deal``…).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import models

from clientela.core.errors import NotFound
from clientela.core.exports import ExportColumn, ExportRows
from clientela.core.permissions import register_resource

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse


#: The largest id a URL or body may name: a larger number is simply not found (and
#: would overflow the database driver).
MAX_ID = 2**63


def parse_id(value: Any) -> int:
    """An id from a URL or a request body; anything else is simply ``NotFound``."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < MAX_ID:
        raise NotFound()
    return pk


@dataclass(frozen=True)
class ListColumn:
    """A column of a kind's list table: ``sort`` is the sort key its filters accept
    (None: not sortable); ``css`` hides the less important ones on small screens."""

    label: Any
    sort: str | None = None
    css: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordKind:
    """Everything the generic pages, API, services, exports, search and tests need to
    know about one kind of record. Only ``resource``, ``model``, ``namespace``,
    ``url_prefix``, ``path``, the labels and the selectors are required; a kind that
    leaves out a service or a page simply does not get the generic piece for it."""

    # --- identity -----------------------------------------------------------------
    #: The permission key roles grant rights on, as on the model's ``RESOURCE``.
    resource: str
    model: type[models.Model]
    #: URL namespace of the kind's pages ("sales") and the names' prefix ("deal"), so
    #: the pages are "sales:deal-list", "sales:deal-detail", …
    namespace: str
    url_prefix: str
    #: The path segment of the pages and of the API ("deals": ``/deals/``,
    #: ``/api/v1/deals``).
    path: str
    #: The API's path when it is not ``path``: a kind grouped under a prefix
    #: (``kb/articles``: ``/api/v1/kb/articles``) keeps ``path`` one segment for the
    #: pages, exports and operation names. Read it as ``api_route``.
    api_path: str = ""
    singular: Any
    plural: Any
    icon: str = "bi-card-text"
    #: The service's keyword for the record ("person" in ``person_update(person=…)``);
    #: defaults to ``url_prefix``.
    record_arg: str = ""
    #: Label of the empty list's button ("Create the first deal").
    create_first: Any = ""

    # --- reads (selectors) ---------------------------------------------------------
    list_selector: Callable[..., QuerySet[Any]]
    get_selector: Callable[..., Any]
    trash_get: Callable[..., Any] | None = None

    # --- writes (services) ---------------------------------------------------------
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    trash: Callable[..., Any] | None = None
    restore: Callable[..., Any] | None = None

    # --- pages ---------------------------------------------------------------------
    form_class: type | None = None
    columns: Sequence[ListColumn] = ()
    #: Parses a list's query string: ``filters.from_params(params) -> (filters, errors)``.
    filters: Any = None
    #: The row of the list table (``core/_table.html`` includes it per record); a kind
    #: with one has the generic list page.
    row_template: str = ""
    #: The page templates (the list's default is the generic one in core, which a kind
    #: may extend to add a button or tabs).
    list_template: str = "core/record_list.html"
    detail_template: str = ""
    form_template: str = ""
    delete_template: str = "core/record_confirm_delete.html"
    #: The list's filter panel: ``(user=…, initial=…, resource=…) -> Form`` (it only
    #: renders; the list's query string is parsed by ``filters``). None: no panel.
    filter_form: Callable[..., Any] | None = None
    #: Whether users may save a list's filters as named views (``<prefix>-view-save``).
    saved_views: bool = False
    #: Rows per list page (0: ``CLIENTELA_PAGE_SIZE``).
    page_size: int = 0
    #: The id of the list's results, which filter, sort and page changes replace (htmx).
    results_id: str = "list-results"
    #: What shows there (and what htmx gets back): the table of ``row_template`` rows,
    #: or a kind's own partial (the task list's items with their "done" buttons).
    results_template: str = "core/_results.html"
    #: The list's "New …" button ("" : "New <singular>"), the text of an empty list and
    #: that of filters matching nothing ("": the generic ones).
    new_label: Any = ""
    empty_message: Any = ""
    no_match_message: Any = ""
    #: The URL name of the page a delete goes back to ("": the kind's list).
    after_delete: str = ""
    #: The pages' messages where a kind words them its own way, by key (the keys and
    #: the generic texts are ``core.views.kinds.MESSAGES``).
    page_messages: Mapping[str, Any] = field(default_factory=dict)

    # --- API -----------------------------------------------------------------------
    #: The token scopes of reads and writes ("sales:read", "sales:write").
    api_scopes: tuple[str, str] = ("", "")
    #: Request bodies of create and change (the latter with an optional ``version``) and
    #: the response body of a record, for ``core.api.records.record_router``.
    api_in: type | None = None
    api_patch: type | None = None
    api_out_schema: type | None = None
    #: The list's query parameters (a ``PageParams``) and the records it pages through:
    #: ``api_list(request, params) -> QuerySet`` (visible, ordered, with what ``api_out``
    #: reads prefetched); parse errors are raised as ``ValidationError``.
    api_list_params: type | None = None
    api_list: Callable[[HttpRequest, Any], QuerySet[Any]] | None = None
    #: A request body as the create and update services' data: ``api_data(payload)``.
    api_data: Callable[[Any], Any] | None = None
    #: The response body of a record: ``api_out(record)``; or, when rendering needs the
    #: request (links, the user) or a page at once saves a query per record,
    #: ``api_out_page(request, records) -> bodies``.
    api_out: Callable[[Any], Any] | None = None
    api_out_page: Callable[[HttpRequest, list[Any]], list[Any]] | None = None
    #: The API's read of one record, when it is not ``get_selector`` (e.g. with every
    #: detail the response shows in one query): ``get_for_api(*, user, pk)``.
    get_for_api: Callable[..., Any] | None = None
    #: Writes whose shape is not ``create``/``update``'s: ``api_create(*, actor, data) ->
    #: (record, created)`` for a create that may find the record instead (answered 200);
    #: ``api_update(*, actor, record, payload, expected_version)``.
    api_create: Callable[..., tuple[Any, bool]] | None = None
    api_update: Callable[..., Any] | None = None
    #: What a read or change of an id that is not found answers instead of 404 (a merged
    #: person's 308 to the record kept): ``api_missing(request, pk) -> HttpResponse``.
    api_missing: Callable[[HttpRequest, int], HttpResponse] | None = None
    #: The services' names of fields the API calls otherwise, so errors use the API's.
    api_field_names: dict[str, str] = field(default_factory=dict)
    #: How the OpenAPI document names the operations (defaults: the ``path`` as tag,
    #: ``<url_prefix>_id``, ``clientela.<app>.api``); operation ids are
    #: ``<module>_<verb>_<name>``, which clients generated from the document rely on.
    api_tag: str = ""
    api_id_name: str = ""
    api_module: str = ""
    #: Descriptions of the operations by verb: list, create, get, update, delete.
    api_docs: dict[str, str] = field(default_factory=dict)

    # --- export, import, search, merge ---------------------------------------------
    #: Columns of the tabular exports (``integrations.exports``), or None.
    export_columns: Sequence[ExportColumn] | None = None
    #: How an export reads the records, as the API shows them (``core.exports``).
    export_rows: ExportRows | None = None
    #: Whether the header search finds the kind (only a kind with a detail page is
    #: searched: a hit links to that page).
    searchable: bool = False
    importable: bool = False
    mergeable: bool = False
    #: Whether the kind's services, forms and API carry admin-defined custom fields.
    custom_fields: bool = False
    #: Labels of audited keys that are not model fields (the history shows them).
    history_labels: dict[str, Any] = field(default_factory=dict)
    #: Whether roles grant rights on the kind (products, managed by admins alone and
    #: readable by everyone signed in, have no rights of their own; nor have personal
    #: kinds such as dashboards, each user's own whatever their role, whose selectors
    #: and services alone say who reads and changes what).
    rights: bool = True
    #: Built-in roles whose rights on this kind differ from their usual ones (role key
    #: -> ``Rights``), given when a role's rights are first set.
    default_rights: Mapping[str, Any] = field(default_factory=dict)
    #: Whether the kind has a page of its own (``<url_prefix>-detail``) to link to.
    has_detail_page: bool = True
    #: Where a record without a page of its own is shown, ``show_url(record) -> URL``
    #: (an interaction: on its person's or organization's timeline); None: its list.
    show_url: Callable[[Any], str] | None = None

    # --- trash ---------------------------------------------------------------------
    #: The fields a record's name is made of, which the trash's search looks in.
    name_fields: tuple[str, ...] = ()
    #: Narrows the kind's trash list (contacts leave out records merged away, which
    #: come back by undoing the merge): ``trash_filter(queryset) -> queryset``.
    trash_filter: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    #: A line the trash shows under each of the kind's records (numbered documents:
    #: "voided, its number stays taken").
    trash_note: Any = ""
    #: For a kind outside the roles' rights (``rights`` False: products), what a user
    #: who is not an admin finds of it in the trash and may bring back:
    #: ``trash_scope(user, queryset) -> queryset`` (the catalogue: a manager's own
    #: deletions). None: their own deletions they may still see and edit.
    trash_scope: Callable[[Any, QuerySet[Any]], QuerySet[Any]] | None = None

    # --- derived -------------------------------------------------------------------

    @property
    def exportable(self) -> bool:
        rows = self.export_rows
        return (
            self.export_columns is not None
            and rows is not None
            and (self.api_out is not None or rows.body is not None)
        )

    @property
    def api_route(self) -> str:
        """The kind's collection under ``/api/v1/`` ("deals", "kb/articles")."""
        return self.api_path or self.path

    @property
    def arg(self) -> str:
        return self.record_arg or self.url_prefix

    def url(self, action: str) -> str:
        """The URL name of one of the kind's pages ("list", "detail", "edit"…)."""
        return f"{self.namespace}:{self.url_prefix}-{action}"

    @cached_property
    def urls(self) -> dict[str, str]:
        """URL names by action, for templates (``{% url kind.urls.detail pk=… %}``);
        worked out once per kind (a list page asks on every row)."""
        actions = ("list", "create", "detail", "edit", "delete", "restore")
        names = {a: self.url(a) for a in actions}
        names["view_save"], names["view_delete"] = self.url("view-save"), self.url("view-delete")
        return names

    # --- calls with the same shape for every kind ----------------------------------

    def get(self, *, user: Any, pk: Any) -> Any:
        return self.get_selector(user=user, pk=pk)

    def create_record(self, *, actor: Any, data: Any) -> Any:
        assert self.create is not None, f"{self.resource} has no create service"
        return self.create(actor=actor, data=data)

    def update_record(
        self, *, actor: Any, record: Any, data: Any, expected_version: int | None = None
    ) -> Any:
        assert self.update is not None, f"{self.resource} has no update service"
        return self.update(
            actor=actor, data=data, expected_version=expected_version, **{self.arg: record}
        )

    def trash_record(self, *, actor: Any, record: Any, expected_version: int | None = None) -> None:
        assert self.trash is not None, f"{self.resource} has no trash service"
        self.trash(actor=actor, expected_version=expected_version, **{self.arg: record})

    def restore_record(self, *, actor: Any, record: Any) -> None:
        assert self.restore is not None, f"{self.resource} has no restore service"
        self.restore(actor=actor, **{self.arg: record})


RECORD_KINDS: dict[str, RecordKind] = {}


def register_record_kind(kind: RecordKind) -> RecordKind:
    """Called by a domain app's ``AppConfig.ready()`` for each kind of record it owns;
    also registers the kind as a permission resource (roles get rights on it)."""
    model_resource = getattr(kind.model, "RESOURCE", kind.resource)
    assert model_resource == kind.resource, (
        f"{kind.model.__name__}.RESOURCE is {model_resource!r}, not {kind.resource!r}"
    )
    RECORD_KINDS[kind.resource] = kind
    if kind.rights:
        register_resource(
            kind.resource,
            kind.plural,
            detail_url_name=kind.url("detail") if kind.has_detail_page else "",
            icon=kind.icon,
            custom_fields=kind.custom_fields,
            default_rights=kind.default_rights,
        )
    return kind


def record_kind(resource: str) -> RecordKind:
    """The registered kind of ``resource`` ("sales.deal"); ``KeyError`` if none."""
    return RECORD_KINDS[resource]


def record_kinds() -> list[RecordKind]:
    """Every registered kind, in the order the apps registered them."""
    return list(RECORD_KINDS.values())


def kind_of(model: type[models.Model]) -> RecordKind | None:
    """The kind whose model is ``model`` (or a parent of it), if any."""
    for kind in RECORD_KINDS.values():
        if issubclass(model, kind.model):
            return kind
    return None
