"""One record's pages: detail, create/edit, delete with confirmation, restore, and the
admins' trash. Each view parses input, calls one selector or service and renders."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.contacts import selectors
from clientela.contacts.forms import (
    ERROR_TARGETS,
    RecordForm,
    details_initial,
    make_formset,
)
from clientela.contacts.models import Organization, Person
from clientela.contacts.views.common import HISTORY_LABELS
from clientela.contacts.views.kinds import KINDS, ORGANIZATIONS, PEOPLE, Kind
from clientela.contacts.views.merge import merge_notes
from clientela.core import selectors as core_selectors
from clientela.core.custom_fields import display_value
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.forms import add_service_errors
from clientela.core.permissions import can, require
from clientela.core.views.records import (
    AuthedRequest,
    history_rows,
    not_found_as_404,
    rendered_panels,
)


def redirect_merged(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer the id of a record merged away with a permanent redirect to the record
    it was merged into (when the user may see that one), so old links keep working."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            pk, kind = kwargs.get("pk"), kwargs["kind"]
            target = selectors.merged_into(kind.url_prefix, pk) if pk is not None else None
            if target is None:
                raise
            kind.get_selector(user=request.user, pk=target)
            assert request.resolver_match is not None
            url = reverse(request.resolver_match.view_name, kwargs={"pk": target})
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))

    return wrapper


@login_required
@require_GET
@not_found_as_404
@redirect_merged
def record_detail(request: AuthedRequest, pk: int, *, kind: Kind) -> HttpResponse:
    user = request.user
    record = kind.get_selector(user=user, pk=pk)
    custom = [
        (field, display_value(field, record.custom.get(field.key)))
        for field in core_selectors.custom_field_list(resource=kind.resource)
    ]
    if isinstance(record, Organization):
        members = list(selectors.organization_people(user=user, organization=record))
    else:
        members = list(record.memberships.all())
    return render(
        request,
        "contacts/record_detail.html",
        {
            "kind": kind,
            "record": record,
            "facts": _facts(record),
            "members": members,
            "custom": [(f, v) for f, v in custom if v != ""],
            "panels": rendered_panels(request, kind.resource, record),
            "history": history_rows(record, labels=HISTORY_LABELS),
            "merge_notes": merge_notes(request, kind, record),
            "can_edit": can(user, "update", kind.resource),
            "can_delete": can(user, "delete", kind.resource),
        },
    )


def _facts(record: Person | Organization) -> list[tuple[str, Any]]:
    """The record's plain fields as (label, display value), formatted for the locale."""
    facts: list[tuple[str, Any]] = []
    if isinstance(record, Person):
        facts += [
            (_("Birthday"), date_format(record.birthday) if record.birthday else ""),
            (_("Preferred language"), record.get_preferred_language_display()),
            (_("Preferred channel"), record.get_preferred_channel_display()),
        ]
    else:
        facts += [(_("Industry"), record.industry)]
    facts += [
        (_("Owner"), record.owner),
        (_("Team"), record.team),
        (_("External id"), record.external_id),
        (_("Created"), date_format(localtime(record.created_at), "SHORT_DATETIME_FORMAT")),
        (_("Last changed"), date_format(localtime(record.updated_at), "SHORT_DATETIME_FORMAT")),
    ]
    return facts


def _organization_options(
    request: AuthedRequest, record: Any, submitted: list[str]
) -> list[tuple[int, str]]:
    """The person form's organization choices: a first batch of visible ones, plus the
    person's current ones and whatever the user picked (so a re-shown form keeps it)."""
    user = request.user
    options = {o.pk: o.name for o in selectors.organization_choices(user=user, limit=100)}
    if isinstance(record, Person):
        for membership in record.memberships.all():
            options.setdefault(membership.organization_id, membership.organization.name)
    for raw in submitted:
        if raw.isdigit() and int(raw) not in options:
            try:
                options[int(raw)] = selectors.organization_get(user=user, pk=raw).name
            except Exception:  # noqa: BLE001, S112 - an unknown id is reported by the service
                continue
    return sorted(options.items(), key=lambda item: item[1].casefold())


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
@redirect_merged
def record_form(request: AuthedRequest, pk: int | None = None, *, kind: Kind) -> HttpResponse:
    user = request.user
    record = kind.get_selector(user=user, pk=pk) if pk is not None else None
    require(user, "update" if record else "create", kind.resource)
    users = list(core_selectors.user_choices())
    if record is not None and record.owner_id not in {u.pk for u in users}:
        users.append(record.owner)
    form_kwargs: dict[str, Any] = {
        "users": users,
        "custom_fields": list(core_selectors.custom_field_list(resource=kind.resource)),
    }
    data = request.POST if request.method == "POST" else None
    if data is not None:
        form: RecordForm = kind.form_class(data, **form_kwargs)
        initial_rows: dict[str, Any] = {}
    elif record is not None:
        form = kind.form_class(initial=kind.form_class.initial_for(record), **form_kwargs)
        initial_rows = details_initial(record)
    else:
        form = kind.form_class(initial={"owner": user.pk}, **form_kwargs)
        initial_rows = {}
    formsets = {}
    for name in form.FORMSETS:
        row_kwargs = None
        if name == "memberships":
            submitted = [str(v) for k, v in (data or {}).items() if k.endswith("-organization")]
            row_kwargs = {"organizations": _organization_options(request, record, submitted)}
        formsets[name] = make_formset(
            name, data=data, initial=initial_rows.get(name), form_kwargs=row_kwargs
        )
    conflict = False
    if data is not None:
        valid = [form.is_valid(), *[fs.is_valid() for fs in formsets.values()]]
        if all(valid):
            payload = form.to_data(record, formsets)
            try:
                if record is None:
                    saved = kind.create(actor=user, data=payload)
                else:
                    saved = kind.update(user, record, payload, form.cleaned_data.get("version"))
            except ValidationError as exc:
                add_service_errors(form, exc, formsets=formsets, targets=ERROR_TARGETS)
            except VersionConflict:
                conflict = True
            else:
                text = _("“%(name)s” saved.") if record else _("“%(name)s” created.")
                messages.success(request, text % {"name": saved})
                return redirect(kind.url("detail"), pk=saved.pk)
    return render(
        request,
        "contacts/record_form.html",
        {
            "kind": kind,
            "record": record,
            "form": form,
            "formsets": list(formsets.values()),
            "conflict": conflict,
            "cancel_url": (
                reverse(kind.url("detail"), kwargs={"pk": record.pk})
                if record
                else reverse(kind.url("list"))
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def record_delete(request: AuthedRequest, pk: int, *, kind: Kind) -> HttpResponse:
    user = request.user
    record = kind.get_selector(user=user, pk=pk)
    require(user, "delete", kind.resource)
    error = ""
    if request.method == "POST":
        raw_version = request.POST.get("version", "")
        version = int(raw_version) if raw_version.isdigit() else None
        try:
            kind.trash(user, record, version)
        except VersionConflict:
            error = _(
                "Someone changed this record after you opened this page. "
                "Check the changes before deleting it."
            )
        else:
            text = _("“%(name)s” was moved to the trash, where it stays for %(days)s days.") % {
                "name": record,
                "days": settings.CLIENTELA_TRASH_DAYS,
            }
            # Only admins may restore, so only they get the undo button.
            tags = ""
            if user.is_admin:
                tags = "undo:" + reverse(kind.url("restore"), kwargs={"pk": record.pk})
            messages.success(request, text, extra_tags=tags)
            return redirect(kind.url("list"))
    return render(
        request,
        "contacts/record_confirm_delete.html",
        {
            "kind": kind,
            "record": record,
            "error": error,
            "trash_days": settings.CLIENTELA_TRASH_DAYS,
            "cancel_url": reverse(kind.url("detail"), kwargs={"pk": record.pk}),
        },
    )


@login_required
@require_POST
@not_found_as_404
def record_restore(request: AuthedRequest, pk: int, *, kind: Kind) -> HttpResponse:
    record = kind.trash_get(user=request.user, pk=pk)
    if selectors.merged_into(kind.url_prefix, record.pk) is not None:
        messages.error(
            request,
            _(
                "“%(name)s” was merged into another record; undo the merge on that "
                "record's page instead of restoring it."
            )
            % {"name": record},
        )
        return redirect("contacts:trash")
    kind.restore(request.user, record)
    messages.success(request, _("“%(name)s” is back from the trash.") % {"name": record})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect(kind.url("detail"), pk=record.pk)


TRASH_LIMIT = 200


@login_required
@require_GET
def trash(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise Http404()
    sections = []
    for kind in (PEOPLE, ORGANIZATIONS):
        # Records merged away wait in the trash to be purged, but restoring one alone
        # would make the duplicate again: it comes back by undoing the merge.
        records = (
            core_selectors.trash_list(user=request.user, model=kind.model)
            .exclude(pk__in=selectors.merged_ids(kind.url_prefix))
            .select_related("owner")
        )
        sections.append({"kind": kind, "records": records[:TRASH_LIMIT], "count": records.count()})
    return render(
        request,
        "contacts/trash.html",
        {"sections": sections, "days": settings.CLIENTELA_TRASH_DAYS, "kinds": KINDS},
    )
