"""The service desk's settings pages (admins only; anyone else gets 404, as on the
other settings pages): the service settings, queues, categories, business calendars
and SLA policies, each a list and a form; and the agent's "I'm away / I'm back"
toggle. A refused change re-renders the form with the errors next to the fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clientela.contacts.views.pickers import organization_choices
from clientela.core import selectors as core_selectors
from clientela.core.forms import add_service_errors
from clientela.core.kinds import RecordKind
from clientela.core.models import Tag, Team
from clientela.core.views.records import (
    AuthedRequest,
    not_found_as_404,
    require_admin,
    safe_next_url,
)
from clientela.service import kinds
from clientela.service.forms.config import (
    ERROR_TARGETS,
    CalendarForm,
    CategoryForm,
    PolicyForm,
    QueueForm,
    SettingsForm,
)
from clientela.service.models import SlaPolicy
from clientela.service.selectors import config as selectors
from clientela.service.services import config as services


@dataclass(frozen=True)
class Part:
    """One kind of setting: how to list, read, build the form for, and write it."""

    key: str
    title: Any
    icon: str
    listing: Callable[[Any], Any]
    get: Callable[..., Any]
    form: Callable[[AuthedRequest, Any, Any], Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any] | None
    arg: str
    empty: Any

    @classmethod
    def of_kind(
        cls,
        kind: RecordKind,
        listing: Callable[[Any], Any],
        form: Callable[[AuthedRequest, Any, Any], Any],
        empty: Any,
    ) -> Part:
        """The settings page of a kind declared in ``service.kinds`` (queues, calendars,
        policies): its names, reads and writes come from the declaration; only the
        listing (with what the rows show) and the form are the page's own."""
        assert kind.create is not None
        assert kind.update is not None
        return cls(
            kind.path,
            kind.plural,
            kind.icon,
            listing,
            kind.get_selector,
            form,
            kind.create,
            kind.update,
            kind.trash,
            kind.arg,
            empty,
        )


def _queue_form(request: AuthedRequest, data: Any, record: Any) -> QueueForm:
    initial = (
        QueueForm.initial_for(record)
        if record
        else {"active": True, "max_open_per_agent": 0, "reassign_after_minutes": 0}
    )
    return QueueForm(
        data,
        initial=initial,
        teams=Team.objects.order_by("name"),
        users=core_selectors.user_choices(),
        policies=SlaPolicy.objects.all(),
    )


def _calendar_form(request: AuthedRequest, data: Any, record: Any) -> CalendarForm:
    initial = CalendarForm.initial_for(record) if record else {"time_zone": "Europe/Madrid"}
    return CalendarForm(data, initial=initial)


def _policy_form(request: AuthedRequest, data: Any, record: Any) -> PolicyForm:
    initial = PolicyForm.initial_for(record) if record else {"active": True, "position": 0}
    org_ids = [record.organization_id] if record and record.organization_id else []
    return PolicyForm(
        data,
        initial=initial,
        calendars=selectors.calendar_list(user=request.user),
        organizations=organization_choices(request.user, org_ids),
        tags=Tag.objects.all(),
    )


def _category_form(request: AuthedRequest, data: Any, record: Any) -> CategoryForm:
    initial = (
        {"kind": record.kind, "name": record.name, "active": record.active} if record else None
    )
    form = CategoryForm(data, initial=initial, prefix=f"c{record.pk}" if record else "new")
    if record:
        form.fields["kind"].disabled = True
    return form


PARTS = {
    p.key: p
    for p in (
        Part.of_kind(
            kinds.QUEUES,
            lambda user: selectors.queue_admin_list(user=user),
            _queue_form,
            gettext_lazy("No queues yet: add the first one."),
        ),
        Part(
            "categories",
            gettext_lazy("Categories"),
            "bi-bookmarks",
            lambda user: selectors.category_list(user=user),
            selectors.category_get,
            _category_form,
            services.category_create,
            services.category_update,
            None,
            "category",
            gettext_lazy("No categories yet."),
        ),
        Part.of_kind(
            kinds.CALENDARS,
            lambda user: selectors.calendar_list(user=user),
            _calendar_form,
            gettext_lazy("No business calendars yet: SLA policies count on one."),
        ),
        Part.of_kind(
            kinds.SLA_POLICIES,
            lambda user: selectors.sla_policy_list(user=user),
            _policy_form,
            gettext_lazy("No SLA policies yet: tickets get no due times."),
        ),
    )
}


def _part(key: str) -> Part:
    if key not in PARTS:
        raise Http404()
    return PARTS[key]


def _context(part: Part | None, **extra: Any) -> dict[str, Any]:
    return {"part": part, "parts": PARTS.values(), **extra}


@login_required
@not_found_as_404
def part_list(request: AuthedRequest, part: str) -> HttpResponse:
    require_admin(request)
    p = _part(part)
    rows = list(p.listing(request.user))
    if p.key == "categories":
        forms = [(row, _category_form(request, None, row)) for row in rows]
        new = _category_form(request, None, None)
        return render(
            request,
            "service/settings/categories.html",
            _context(p, forms=forms, new_form=new),
        )
    return render(request, "service/settings/list.html", _context(p, rows=rows))


@login_required
@not_found_as_404
def part_form(request: AuthedRequest, part: str, pk: int | None = None) -> HttpResponse:
    """A new (``pk`` None) or existing setting's form; on POST, the write."""
    require_admin(request)
    p = _part(part)
    record = p.get(user=request.user, pk=pk) if pk else None
    form = p.form(request, request.POST if request.method == "POST" else None, record)
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                p.create(actor=request.user, data=form.to_data())
            else:
                p.update(actor=request.user, data=form.to_data(), **{p.arg: record})
        except ValidationError as exc:
            targets = form.error_targets() if hasattr(form, "error_targets") else ERROR_TARGETS
            add_service_errors(form, exc, targets=targets)
        else:
            messages.success(request, _("Saved."))
            return redirect("service:settings-list", part=part)
    status = 422 if request.method == "POST" else 200
    template = (
        "service/settings/categories.html"
        if p.key == "categories"
        else "service/settings/form.html"
    )
    if p.key == "categories":
        rows = [(row, _category_form(request, None, row)) for row in p.listing(request.user)]
        rows = [(row, form if record and row.pk == record.pk else f) for row, f in rows]
        new = form if record is None else _category_form(request, None, None)
        return render(request, template, _context(p, forms=rows, new_form=new), status=status)
    return render(request, template, _context(p, form=form, record=record), status=status)


@login_required
@require_POST
@not_found_as_404
def part_delete(request: AuthedRequest, part: str, pk: int) -> HttpResponse:
    require_admin(request)
    p = _part(part)
    record = p.get(user=request.user, pk=pk)
    assert p.delete is not None
    try:
        p.delete(actor=request.user, **{p.arg: record})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” deleted.") % {"name": record})
    return redirect("service:settings-list", part=part)


@login_required
@not_found_as_404
def service_settings(request: AuthedRequest) -> HttpResponse:
    """The service settings, and the way to the other parts."""
    require_admin(request)
    current = selectors.service_settings(user=request.user)
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial=SettingsForm.initial_for(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.service_settings_update(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc, targets=ERROR_TARGETS)
        else:
            messages.success(request, _("Service settings saved."))
            return redirect("service:settings")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "service/settings/settings.html",
        _context(None, form=form),
        status=status,
    )


@login_required
@require_POST
def away_toggle(request: AuthedRequest) -> HttpResponse:
    """The agent's own "I'm away" / "I'm back"."""
    away = request.POST.get("away") == "1"
    services.agent_set_away(actor=request.user, user=request.user, away=away)
    messages.success(
        request,
        _("You are away: no new tickets are assigned to you.")
        if away
        else _("Welcome back: tickets are assigned to you again."),
    )
    return redirect(safe_next_url(request) or "service:my-tickets")


urlpatterns: list[URLPattern] = [
    path("settings/service/", service_settings, name="settings"),
    path("settings/service/<str:part>/", part_list, name="settings-list"),
    path("settings/service/<str:part>/new/", part_form, name="settings-new"),
    path("settings/service/<str:part>/<int:pk>/", part_form, name="settings-edit"),
    path("settings/service/<str:part>/<int:pk>/delete/", part_delete, name="settings-delete"),
    path("service/away/", away_toggle, name="away"),
]
