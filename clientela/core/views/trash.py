"""The trash (``/trash/``): every kind's deleted records in one list (``core.trash``).

Everyone has one: a user sees and restores what they deleted themselves; an admin sees
everyone's, filters by who deleted, and restores or purges many at once (purging asks
for confirmation first). The Undo of a delete's message posts to ``trash-restore``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from clientela.core import selectors as core_selectors
from clientela.core import trash
from clientela.core.errors import NotFound
from clientela.core.kinds import RecordKind
from clientela.core.services import record_purge
from clientela.core.views.kinds import trash_url
from clientela.core.views.records import AuthedRequest, require_admin, safe_next_url

PAGE_SIZE = 50
#: Most records one bulk restore or purge takes.
MAX_ITEMS = 500


def _filters(request: AuthedRequest) -> trash.TrashFilters:
    params = request.GET
    resource = params.get("kind", "")
    if resource not in {k.resource for k in trash.trash_kinds()}:
        resource = ""
    deleted_by = params.get("user", "")
    return trash.TrashFilters(
        query=params.get("q", "").strip()[:100],
        resource=resource,
        deleted_by=int(deleted_by) if deleted_by.isdigit() and len(deleted_by) < 12 else None,
    )


@login_required
@require_GET
def trash_page(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    rows = trash.trash_rows(user=request.user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    is_admin = request.user.is_admin
    kinds = trash.trash_kinds()
    context: dict[str, Any] = {
        "entries": trash.trash_entries(list(page.object_list)),
        "page_obj": page,
        "filters": filters,
        "kinds": kinds,
        "numbered": [k for k in kinds if k.resource in NUMBERED],
        "users": core_selectors.user_choices() if is_admin else [],
        "is_admin": is_admin,
        "days": settings.CLIENTELA_TRASH_DAYS,
        "filtering": bool(filters.query or filters.resource or filters.deleted_by),
    }
    return render(request, "core/trash.html", context)


#: Kinds whose records carry a gap-free number; the trash page says they keep it.
NUMBERED = {"sales.quote", "sales.order"}


def _record_url(kind: RecordKind, record: Any) -> str:
    if kind.has_detail_page:
        try:
            return reverse(kind.url("detail"), kwargs={"pk": record.pk})
        except NoReverseMatch:
            pass
    if kind.show_url is not None:
        return kind.show_url(record)
    try:
        return reverse(kind.url("list"))
    except NoReverseMatch:
        return trash_url()


def _restore(request: AuthedRequest, kind: RecordKind, record: Any) -> bool:
    try:
        kind.restore_record(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, f"{record}: {' '.join(exc.messages)}")
        return False
    except NotFound:
        return False
    return True


@login_required
@require_POST
def trash_restore_one(request: AuthedRequest, resource: str, pk: int) -> HttpResponse:
    """Restore one record (the trash's button, or the Undo of a delete's message)."""
    try:
        kind, record = trash.trash_item(user=request.user, resource=resource, pk=pk)
    except NotFound:
        raise Http404() from None
    if _restore(request, kind, record):
        messages.success(request, _("“%(name)s” is back from the trash.") % {"name": record})
        return redirect(safe_next_url(request) or _record_url(kind, record))
    return redirect(safe_next_url(request) or trash_url())


def _picked(request: AuthedRequest) -> list[tuple[RecordKind, Any]]:
    """The records ticked on the trash page ("<resource>:<id>"), those the user may
    touch; others are left out as if not there."""
    picked = []
    for item in request.POST.getlist("items")[:MAX_ITEMS]:
        resource, _sep, pk = item.partition(":")
        try:
            picked.append(trash.trash_item(user=request.user, resource=resource, pk=pk))
        except NotFound:
            continue
    return picked


@login_required
@require_POST
def trash_restore_many(request: AuthedRequest) -> HttpResponse:
    done = sum(_restore(request, kind, record) for kind, record in _picked(request))
    if done:
        text = ngettext(
            "%(n)d record is back from the trash.", "%(n)d records are back from the trash.", done
        )
        messages.success(request, text % {"n": done})
    else:
        messages.info(request, _("Nothing was restored: tick the records to restore."))
    return redirect(safe_next_url(request) or trash_url())


@login_required
@require_POST
def trash_purge_many(request: AuthedRequest) -> HttpResponse:
    """Admins only: asks first (a page listing the records), then deletes for good."""
    require_admin(request)
    picked = _picked(request)
    back = safe_next_url(request) or trash_url()
    if not picked:
        messages.info(request, _("Nothing was deleted: tick the records to delete for good."))
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        context = {"picked": picked, "next": back}
        return render(request, "core/trash_purge_confirm.html", context)
    purged, kept = record_purge(actor=request.user, records=[r for _k, r in picked])
    text = ngettext(
        "%(n)d record was deleted for good.", "%(n)d records were deleted for good.", purged
    )
    messages.success(request, text % {"n": purged})
    if kept:
        messages.warning(
            request,
            _("Still in use by other records, so kept in the trash: %(names)s.")
            % {"names": ", ".join(str(r) for r in kept)},
        )
    return redirect(back)
