"""A kind's record pages, driven by its declaration (``core.kinds.RecordKind``): the
list (filters, sort and pages; htmx gets only the results partial back), a record's
page, create/edit, delete with confirmation and Undo, restore from the trash, and the
admins' trash. Each view parses input, calls one selector or service and renders.

A kind uses a view as it is (``record_urls(kind, list=RecordListView, …)``), or
subclasses it for what it really owns (a contact's facts and merge notes, a lead's
status buttons, a deal's stages…) through the hooks below; texts it words its own
way are ``RecordKind.page_messages``, never a copied view."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from clientela.core import selectors as core_selectors
from clientela.core import services as core_services
from clientela.core.custom_fields import display_value
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.forms import SavedViewForm, add_service_errors
from clientela.core.kinds import RecordKind
from clientela.core.models import User
from clientela.core.pagination import (
    COUNT_TARGET,
    WindowPaginator,
    counted,
    exact_count,
    page_number,
)
from clientela.core.permissions import can, require
from clientela.core.registry import list_actions_for
from clientela.core.trash import may_bring_back
from clientela.core.views.records import (
    AuthedRequest,
    history_rows,
    rendered_panels,
    safe_next_url,
)

#: The pages' texts; a kind words one its own way in ``RecordKind.page_messages``.
#: ``%(name)s`` (or any other name) is the record, ``%(days)s`` the trash's days.
MESSAGES: dict[str, Any] = {
    "created": _("“%(name)s” created."),
    "saved": _("“%(name)s” saved."),
    "deleted": _("“%(name)s” was moved to the trash, where it stays for %(days)s days."),
    "stale": _(
        "Someone changed this record after you opened this page. "
        "Check the changes before deleting it."
    ),
    "restored": _("“%(name)s” is back from the trash."),
}
#: Parameters that change which page of a list shows, not what it shows.
NOT_FILTERS = {"page", "sort"}


def trash_url(resource: str = "") -> str:
    """The trash page, showing one kind when ``resource`` is given."""
    url = reverse("core:trash")
    return f"{url}?kind={resource}" if resource else url


def trash_restore_url(kind: RecordKind, record: Any) -> str:
    """Where the Undo of a delete posts: the trash's restore of that one record."""
    return reverse("core:trash-restore-one", kwargs={"resource": kind.resource, "pk": record.pk})


class _RecordArgs(dict[str, Any]):
    """The arguments of a page message: the record under whatever name the message
    gives it (``%(name)s``, ``%(number)s``…), and the trash's days."""

    def __init__(self, record: Any) -> None:
        super().__init__(days=settings.CLIENTELA_TRASH_DAYS)
        self.record = record

    def __missing__(self, key: str) -> Any:
        return self.record


def view_query(params: QueryDict) -> str:
    """The query string of a list's filters and sort (not its page): what a saved view
    stores and what the list actions (exports) are given."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        values = [v for v in values if v.strip()]
        if key != "page" and values:
            kept.setlist(key, values)
    return kept.urlencode()


class KindView(LoginRequiredMixin, View):
    """What every page of a kind shares: the kind (``as_view(kind=…)``), the user,
    ``NotFound`` as a 404, the user's rights and the kind's messages."""

    kind: RecordKind = cast(RecordKind, None)
    request: AuthedRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None

    @property
    def user(self) -> User:
        return self.request.user

    def may(self, action: str) -> bool:
        """Whether the user may create/update/delete records of the kind."""
        return can(self.user, action, self.kind.resource)

    def check(self, action: str) -> None:
        """``may``, or ``PermissionDenied`` (a 403 page)."""
        require(self.user, action, self.kind.resource)

    def message(self, key: str, record: Any) -> str:
        text = self.kind.page_messages.get(key) or MESSAGES[key]
        return str(text) % _RecordArgs(record)

    def get_record(self, pk: Any) -> Any:
        return self.kind.get(user=self.user, pk=pk)

    def record_context(self, record: Any) -> dict[str, Any]:
        """The kind and the record, also under the kind's own name ("lead", "deal")."""
        return {"kind": self.kind, "record": record, self.kind.arg: record}

    def url(self, action: str, record: Any = None) -> str:
        kwargs = {"pk": record.pk} if record is not None else None
        return reverse(self.kind.url(action), kwargs=kwargs)

    def record_url(self, record: Any) -> str:
        """Where a record is shown: its page, or for a kind whose records have no page
        of their own, where the kind shows them (``show_url``) or its list (products)."""
        try:
            return self.url("detail", record)
        except NoReverseMatch:
            if self.kind.show_url is not None:
                return self.kind.show_url(record)
            return self.url("list")


# --- the list -------------------------------------------------------------------------


class RecordListView(KindView):
    http_method_names = ("get",)

    def parse_filters(self, params: QueryDict) -> tuple[Any, Mapping[str, list[str]]]:
        """The list's filters and the messages of the values left out, by parameter."""
        filters: tuple[Any, Mapping[str, list[str]]] = self.kind.filters.from_params(params)
        return filters

    def get_queryset(self, filters: Any) -> Any:
        return self.kind.list_selector(user=self.user, filters=filters)

    def current_sort(self, filters: Any) -> str:
        return f"{'-' if filters.descending else ''}{filters.sort}"

    def decorate(self, records: Sequence[Any]) -> None:
        """Prepare what the rows of one page show (formatted amounts…)."""

    def extra_context(self, filters: Any) -> dict[str, Any]:
        """More context for the page and its results partial."""
        return {}

    def page_context(self) -> dict[str, Any]:
        """More context for the whole page only (not the htmx partial)."""
        return {}

    def filter_form(self) -> Any:
        build, resource = self.kind.filter_form, self.kind.resource
        if build is None:
            return None
        return build(user=self.user, initial=self.request.GET.dict(), resource=resource)

    def get(self, request: HttpRequest) -> HttpResponse:
        kind, params = self.kind, self.request.GET
        filters, errors = self.parse_filters(params)
        # Not Django's Paginator: its COUNT(*) of every match would cost more than the
        # whole page at a million records (see core.pagination).
        size = kind.page_size or settings.CLIENTELA_PAGE_SIZE
        if self.request.htmx and self.request.htmx.target == COUNT_TARGET:
            return self.count_response(self.get_queryset(filters), size)
        page = WindowPaginator(self.get_queryset(filters), size).get_page(params.get("page"))
        self.decorate(page.object_list)
        query = view_query(params)
        context: dict[str, Any] = {
            "kind": kind,
            "page_obj": page,
            "records": page.object_list,
            "columns": kind.columns,
            "filter_errors": [m for found in errors.values() for m in found],
            "filtering": any(v for k, v in params.items() if k not in NOT_FILTERS | set(errors)),
            "results_id": kind.results_id,
            "list_url": self.url("list"),
            "count_target": COUNT_TARGET,
            "current_sort": self.current_sort(filters),
            "view_query": query,
            "can_create": self.may("create"),
            "empty_message": kind.empty_message
            or _("No %(kind)s yet.") % {"kind": str(kind.plural).lower()},
            "no_match_message": kind.no_match_message or _("Nothing matches these filters."),
            **self.extra_context(filters),
        }
        if kind.saved_views:
            context["save_view_form"] = SavedViewForm(initial={"query": query})
        if self.request.htmx and not self.request.htmx.boosted:
            return render(self.request, kind.results_template, context)
        context["filter_form"] = self.filter_form()
        if kind.saved_views:
            context["saved_views"] = core_selectors.saved_view_list(
                user=self.user, resource=kind.resource
            )
        # Links higher apps add (the export formats), each given the list's filters.
        context["list_actions"] = [
            a
            for a in list_actions_for(kind.resource)
            if not a.permission or can(self.user, a.permission, kind.resource)
        ]
        context["trash_url"] = self._trash_url()
        context.update(self.page_context())
        return render(self.request, kind.list_template, context)

    def count_response(self, queryset: Any, size: int) -> HttpResponse:
        """The exact total of the list, asked for after the page loaded (the summary
        that said "250+"): the summary again, and the page links' "page x of y" and
        last page (out of band)."""
        params = self.request.GET
        key = f"{self.kind.resource}|{self.user.pk}|{view_query(params)}"
        known = counted(exact_count(queryset, key=key), per_page=size)
        number = min(page_number(params.get("page")), known.num_pages)
        context = {
            "count": known.count,
            "num_pages": known.num_pages,
            "number": number,
            "first": (number - 1) * size + 1 if known.count else 0,
            "last": min(number * size, known.count),
            "list_url": self.url("list"),
            "results_id": self.kind.results_id,
        }
        return render(self.request, "core/_page_count.html", context)

    def _trash_url(self) -> str:
        """The trash showing this kind, when its deleted records can come back."""
        return trash_url(self.kind.resource) if self.kind.restore is not None else ""


class SavedViewSaveView(KindView):
    """Saves the list's current filters under a name (kinds with ``saved_views``)."""

    http_method_names = ("post",)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SavedViewForm(self.request.POST)
        list_url = self.url("list")
        if not form.is_valid():
            messages.error(request, _("Give the view a name (at most 100 characters)."))
            return redirect(list_url)
        # Stored as typed in the page's query string; it is parsed like any list URL.
        query = view_query(QueryDict(form.cleaned_data["query"]))
        try:
            view = core_services.saved_view_save(
                user=self.user,
                resource=self.kind.resource,
                name=form.cleaned_data["name"],
                query=query,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(list_url)
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(f"{list_url}?{view.query}" if view.query else list_url)


class SavedViewDeleteView(KindView):
    http_method_names = ("post",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        core_services.saved_view_delete(user=self.user, view_id=pk)
        messages.success(request, _("View deleted."))
        return redirect(self.url("list"))


# --- one record -----------------------------------------------------------------------


class RecordDetailView(KindView):
    http_method_names = ("get",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_detail(self.get_record(pk))

    def detail_context(self, record: Any) -> dict[str, Any]:
        """What the kind's page shows besides the record, its history and panels."""
        return {}

    def render_detail(self, record: Any, **extra: Any) -> HttpResponse:
        kind = self.kind
        context = {
            **self.record_context(record),
            "history": history_rows(record, labels=kind.history_labels),
            "panels": rendered_panels(self.request, kind.resource, record),
            "can_edit": self.may("update"),
            "can_delete": self.may("delete"),
            **self.detail_context(record),
            **extra,
        }
        if kind.custom_fields:
            values = (
                (f, display_value(f, record.custom.get(f.key)))
                for f in core_selectors.custom_field_list(resource=kind.resource)
            )
            context["custom"] = [(f, v) for f, v in values if v != ""]
        return render(self.request, kind.detail_template, context)


class RecordFormView(KindView):
    """Create (no ``pk``) or edit a record: the kind's form, the service's errors put
    back next to the right field, a version conflict told instead of overwriting."""

    http_method_names = ("get", "post")
    #: Service error keys that belong to another input of the page.
    error_targets: ClassVar[Mapping[str, str]] = {}

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return self.handle(pk)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return self.handle(pk)

    # hooks ----------------------------------------------------------------------------

    def refuse(self, record: Any) -> HttpResponse | None:
        """A response instead of the form (a record that may not be edited), or None."""
        return None

    def users(self, record: Any) -> list[Any]:
        """The owner choices: the active users, and the record's owner if not one."""
        users = list(core_selectors.user_choices())
        if record is not None and record.owner_id not in {u.pk for u in users}:
            users.append(record.owner)
        return users

    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {"owner": self.user.pk}
        form_class = cast(Any, self.kind.form_class)
        initial: dict[str, Any] = form_class.initial_for(record)
        return initial

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        return {"users": self.users(record)}

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        form_class = cast(Any, self.kind.form_class)
        if data is not None:
            return form_class(data, **self.form_kwargs(record))
        return form_class(initial=self.initial(record), **self.form_kwargs(record))

    def is_valid(self, form: Any) -> bool:
        return bool(form.is_valid())

    def payload(self, form: Any, record: Any) -> Any:
        return form.to_data(record)

    def save(self, form: Any, record: Any) -> Any:
        data = self.payload(form, record)
        if record is None:
            return self.kind.create_record(actor=self.user, data=data)
        version = form.cleaned_data.get("version")
        return self.kind.update_record(
            actor=self.user, record=record, data=data, expected_version=version
        )

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        add_service_errors(form, exc, targets=self.error_targets)

    def success_url(self, saved: Any) -> str:
        return safe_next_url(self.request) or self.record_url(saved)

    def cancel_url(self, record: Any) -> str:
        return self.record_url(record) if record is not None else self.url("list")

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {}

    def saved_response(self, saved: Any, key: str) -> HttpResponse:
        """The answer to a saved form ("saved"/"created"): by default the message and
        the record's page (an inline form answers with the record's fragment)."""
        messages.success(self.request, self.message(key, saved))
        return redirect(self.success_url(saved))

    def form_response(self, context: dict[str, Any]) -> HttpResponse:
        """The form again (new, with errors, or after a version ``conflict``)."""
        return render(self.request, self.kind.form_template, context)

    # ---------------------------------------------------------------------------------

    def handle(self, pk: int | None) -> HttpResponse:
        record = self.get_record(pk) if pk is not None else None
        self.check("update" if record is not None else "create")
        refused = self.refuse(record)
        if refused is not None:
            return refused
        data = self.request.POST if self.request.method == "POST" else None
        form = self.get_form(data, record)
        conflict = False
        if data is not None and self.is_valid(form):
            try:
                saved = self.save(form, record)
            except ValidationError as exc:
                self.service_errors(form, exc)
            except VersionConflict:
                conflict = True
            else:
                return self.saved_response(saved, "saved" if record is not None else "created")
        context = {
            **self.record_context(record),
            "form": form,
            "conflict": conflict,
            "next": self.request.GET.get("next", self.request.POST.get("next", "")),
            "cancel_url": self.cancel_url(record),
            **self.form_context(form, record),
        }
        return self.form_response(context)


class RecordDeleteView(KindView):
    """Confirm, then move the record to the trash; a kind whose trash can be undone
    (it has a restore service) gives whoever may bring it back the Undo button."""

    http_method_names: Sequence[str] = ("get", "post")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.handle(pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.handle(pk)

    def remove(self, record: Any, version: int | None) -> None:
        """Delete the record and say so: by default to the trash, with an Undo when
        the kind can restore it and the user may (the deleter, or an admin)."""
        kind = self.kind
        kind.trash_record(actor=self.user, record=record, expected_version=version)
        undo = may_bring_back(self.user, kind, record)
        tags = "undo:" + trash_restore_url(kind, record) if undo else ""
        messages.success(self.request, self.message("deleted", record), extra_tags=tags)

    def deleted_response(self, record: Any) -> HttpResponse:
        """Where a delete goes: the kind's ``after_delete`` page or its list."""
        return redirect(self.kind.after_delete or self.url("list"))

    def handle(self, pk: int) -> HttpResponse:
        kind = self.kind
        record = self.get_record(pk)
        self.check("delete")
        error = ""
        if self.request.method == "POST":
            raw = self.request.POST.get("version", "")
            try:
                self.remove(record, int(raw) if raw.isdigit() else None)
            except VersionConflict:
                error = self.message("stale", record)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return self.deleted_response(record)
        context = {
            **self.record_context(record),
            "error": error,
            "trash_days": settings.CLIENTELA_TRASH_DAYS if kind.restore is not None else None,
            "cancel_url": self.record_url(record),
        }
        return render(self.request, kind.delete_template, context)


class RecordRestoreView(KindView):
    """ "Restore" of a record of the kind by whoever may bring it back (its deleter, an
    admin); back to ``next`` when it is a local URL, else to the record."""

    http_method_names = ("post",)

    def refuse(self, record: Any) -> HttpResponse | None:
        """A response instead of restoring (a record that must come back otherwise)."""
        return None

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        kind = self.kind
        if kind.trash_get is not None:
            record = kind.trash_get(user=self.user, pk=pk)
        else:
            record = core_selectors.record_trash_get(cast(Any, kind.model), user=self.user, pk=pk)
        refused = self.refuse(record)
        if refused is not None:
            return refused
        kind.restore_record(actor=self.user, record=record)
        return self.restored_response(record)

    def restored_response(self, record: Any) -> HttpResponse:
        """The message, then ``next`` or the record (an inline Undo answers with the
        record's fragment)."""
        messages.success(self.request, self.message("restored", record))
        return redirect(safe_next_url(self.request) or self.record_url(record))


class TrashView(LoginRequiredMixin, View):
    """A kind's own trash page (``/<path>/trash/``): the one trash (``core:trash``)
    showing that kind."""

    http_method_names = ("get",)
    kinds: Sequence[RecordKind] = ()

    def get(self, request: HttpRequest) -> HttpResponse:
        resource = self.kinds[0].resource if len(self.kinds) == 1 else ""
        return redirect(trash_url(resource))


# --- URLs -----------------------------------------------------------------------------

#: The path of each page under the kind's ``path`` ("leads/<int:pk>/edit/").
PAGE_PATHS = {
    "list": "",
    "create": "new/",
    "trash": "trash/",
    "view-save": "views/",
    "view-delete": "views/<int:pk>/delete/",
    "detail": "<int:pk>/",
    "edit": "<int:pk>/edit/",
    "delete": "<int:pk>/delete/",
    "restore": "<int:pk>/restore/",
}


def record_urls(
    kind: RecordKind, **views: type[View] | Callable[..., HttpResponseBase]
) -> list[URLPattern]:
    """The URL patterns of a kind's pages, named ``<prefix>-<action>`` (the actions of
    ``PAGE_PATHS``; "trash" and "view-save" are written ``trash``/``view_save``): a
    ``KindView`` class is given the kind, anything else is used as it is."""
    patterns = []
    for name, view in views.items():
        action = name.replace("_", "-")
        if isinstance(view, type) and issubclass(view, KindView):
            handler: Callable[..., HttpResponseBase] = view.as_view(kind=kind)
        elif isinstance(view, type) and issubclass(view, TrashView):
            handler = view.as_view(kinds=[kind])
        else:
            handler = cast(Callable[..., HttpResponseBase], view)
        route = f"{kind.path}/{PAGE_PATHS[action]}"
        patterns.append(path(route, handler, name=f"{kind.url_prefix}-{action}"))
    return patterns
