"""The leads pages: the list (filters, sorting, pages; htmx swaps the results), a
lead's page with its status buttons and history, create/edit, delete with Undo, the
admins' trash, and the conversion page with its match suggestions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.core import selectors as core_selectors
from clientela.core.errors import VersionConflict
from clientela.core.forms import add_service_errors
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can, require
from clientela.core.views.records import AuthedRequest, history_rows, not_found_as_404
from clientela.sales.choices import LeadStatus
from clientela.sales.forms.leads import (
    CONVERT_ERROR_TARGETS,
    LEAD_ERROR_TARGETS,
    ConvertForm,
    LeadFilterForm,
    LeadForm,
    LeadStatusForm,
)
from clientela.sales.models import Lead
from clientela.sales.selectors import leads as selectors
from clientela.sales.selectors.rates import base_currency
from clientela.sales.services import leads as services

RESULTS_ID = "lead-results"
HISTORY_LABELS: dict[str, Any] = {
    "owner": gettext_lazy("Owner"),
    "team": gettext_lazy("Team"),
    "converted_person": gettext_lazy("Converted to person"),
    "converted_organization": gettext_lazy("Converted to organization"),
    "converted_deal": gettext_lazy("Converted to deal"),
}
TRASH_LIMIT = 200


def _columns() -> list[dict[str, Any]]:
    return [
        {"label": gettext_lazy("Name"), "sort": "name", "css": ""},
        {"label": gettext_lazy("Company"), "sort": "company", "css": "d-none d-sm-table-cell"},
        {"label": gettext_lazy("E-mail"), "sort": "email", "css": "d-none d-lg-table-cell"},
        {"label": gettext_lazy("Status"), "sort": "status", "css": ""},
        {"label": gettext_lazy("Source"), "sort": "source", "css": "d-none d-md-table-cell"},
        {"label": gettext_lazy("Owner"), "sort": "owner", "css": "d-none d-xl-table-cell"},
        {"label": gettext_lazy("Created"), "sort": "created", "css": "d-none d-md-table-cell"},
    ]


@login_required
@require_GET
def lead_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    filters, errors = selectors.LeadFilters.from_params(request.GET)
    leads = selectors.lead_list(user=user, filters=filters)
    page = WindowPaginator(leads, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    filtering = any(
        v for k, v in request.GET.items() if k not in {"page", "sort"} and k not in errors
    )
    context: dict[str, Any] = {
        "page_obj": page,
        "records": page.object_list,
        "columns": _columns(),
        "filter_errors": [m for messages_ in errors.values() for m in messages_],
        "filtering": filtering,
        "results_id": RESULTS_ID,
        "list_url": reverse("sales:lead-list"),
        "current_sort": filters.sort_param,
        "can_create": can(user, "create", Lead.RESOURCE),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "sales/leads/_results.html", context)
    context["filter_form"] = LeadFilterForm(
        initial=request.GET.dict(), users=core_selectors.user_choices()
    )
    return render(request, "sales/leads/list.html", context)


def _facts(lead: Lead) -> list[tuple[str, Any]]:
    return [
        (_("Job title"), lead.job_title),
        (_("Source"), lead.get_source_display()),
        (_("Score"), "" if lead.score is None else str(lead.score)),
        (_("Owner"), lead.owner),
        (_("Team"), lead.team),
        (_("Created"), date_format(localtime(lead.created_at), "SHORT_DATETIME_FORMAT")),
        (_("Last changed"), date_format(localtime(lead.updated_at), "SHORT_DATETIME_FORMAT")),
        (
            _("Converted"),
            date_format(localtime(lead.converted_at), "SHORT_DATETIME_FORMAT")
            if lead.converted_at
            else "",
        ),
    ]


def _status_actions(lead: Lead) -> list[dict[str, Any]]:
    """The status buttons of the lead page (the disqualify one asks for a reason)."""
    if lead.status == LeadStatus.CONVERTED:
        return []
    if lead.status == LeadStatus.DISQUALIFIED:
        return [{"status": LeadStatus.NEW, "label": _("Reopen"), "icon": "bi-arrow-repeat"}]
    buttons = [
        (LeadStatus.CONTACTED, _("Mark contacted"), "bi-telephone-outbound"),
        (LeadStatus.QUALIFIED, _("Mark qualified"), "bi-patch-check"),
    ]
    return [
        {"status": status, "label": label, "icon": icon}
        for status, label, icon in buttons
        if status != lead.status
    ]


def _detail_context(request: AuthedRequest, lead: Lead, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "lead": lead,
        "facts": _facts(lead),
        "history": history_rows(lead, labels=HISTORY_LABELS),
        "can_edit": can(user, "update", Lead.RESOURCE),
        "can_delete": can(user, "delete", Lead.RESOURCE),
        "can_convert": can(user, "update", Lead.RESOURCE)
        and lead.status not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED),
        "status_actions": _status_actions(lead),
        "converted": {
            "person": lead.converted_person
            if lead.converted_person and lead.converted_person.deleted_at is None
            else None,
            "organization": lead.converted_organization
            if lead.converted_organization and lead.converted_organization.deleted_at is None
            else None,
            "deal": lead.converted_deal
            if lead.converted_deal and lead.converted_deal.deleted_at is None
            else None,
        },
        **extra,
    }


@login_required
@require_GET
@not_found_as_404
def lead_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk)
    return render(request, "sales/leads/detail.html", _detail_context(request, lead))


@login_required
@require_POST
@not_found_as_404
def lead_status(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    lead = selectors.lead_get(user=user, pk=pk)
    require(user, "update", Lead.RESOURCE)
    form = LeadStatusForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose new, contacted, qualified or disqualified.")
    else:
        try:
            services.lead_set_status(
                actor=user,
                lead=lead,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except VersionConflict:
            error = _("Someone changed this lead after you opened this page; check it again.")
        else:
            lead = selectors.lead_get(user=user, pk=pk)
            messages.success(
                request,
                _("“%(name)s” is now %(status)s.")
                % {"name": lead, "status": lead.get_status_display().lower()},
            )
            return redirect("sales:lead-detail", pk=pk)
    lead = selectors.lead_get(user=user, pk=pk)
    context = _detail_context(request, lead, status_error=error, status_form=form)
    return render(request, "sales/leads/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def lead_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    lead = selectors.lead_get(user=user, pk=pk) if pk is not None else None
    require(user, "update" if lead else "create", Lead.RESOURCE)
    users = list(core_selectors.user_choices())
    if lead is not None and lead.owner_id not in {u.pk for u in users}:
        users.append(lead.owner)
    conflict = False
    if request.method == "POST":
        form = LeadForm(request.POST, users=users)
        if form.is_valid():
            data = form.to_data(lead)
            try:
                if lead is None:
                    saved = services.lead_create(actor=user, data=data)
                else:
                    saved = services.lead_update(
                        actor=user,
                        lead=lead,
                        data=data,
                        expected_version=form.cleaned_data.get("version"),
                    )
            except ValidationError as exc:
                add_service_errors(form, exc, targets=LEAD_ERROR_TARGETS)
            except VersionConflict:
                conflict = True
            else:
                text = _("“%(name)s” saved.") if lead else _("“%(name)s” created.")
                messages.success(request, text % {"name": saved})
                return redirect("sales:lead-detail", pk=saved.pk)
    elif lead is not None:
        form = LeadForm(initial=LeadForm.initial_for(lead), users=users)
    else:
        form = LeadForm(initial={"owner": user.pk}, users=users)
    cancel_url = (
        reverse("sales:lead-detail", kwargs={"pk": lead.pk}) if lead else reverse("sales:lead-list")
    )
    return render(
        request,
        "sales/leads/form.html",
        {"lead": lead, "form": form, "conflict": conflict, "cancel_url": cancel_url},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def lead_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    lead = selectors.lead_get(user=user, pk=pk)
    require(user, "delete", Lead.RESOURCE)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("version", "")
        try:
            services.lead_trash(
                actor=user, lead=lead, expected_version=int(raw) if raw.isdigit() else None
            )
        except VersionConflict:
            error = _(
                "Someone changed this record after you opened this page. "
                "Check the changes before deleting it."
            )
        else:
            text = _("“%(name)s” was moved to the trash, where it stays for %(days)s days.") % {
                "name": lead,
                "days": settings.CLIENTELA_TRASH_DAYS,
            }
            # Only admins may restore, so only they get the undo button.
            tags = ""
            if user.is_admin:
                tags = "undo:" + reverse("sales:lead-restore", kwargs={"pk": lead.pk})
            messages.success(request, text, extra_tags=tags)
            return redirect("sales:lead-list")
    return render(
        request,
        "sales/leads/confirm_delete.html",
        {
            "record": lead,
            "error": error,
            "trash_days": settings.CLIENTELA_TRASH_DAYS,
            "cancel_url": reverse("sales:lead-detail", kwargs={"pk": lead.pk}),
        },
    )


@login_required
@require_POST
@not_found_as_404
def lead_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_trash_get(user=request.user, pk=pk)
    services.lead_restore(actor=request.user, lead=lead)
    messages.success(request, _("“%(name)s” is back from the trash.") % {"name": lead})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("sales:lead-detail", pk=lead.pk)


@login_required
@require_GET
def lead_trash(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise Http404()
    records = core_selectors.trash_list(user=request.user, model=Lead).select_related("owner")
    return render(
        request,
        "sales/leads/trash.html",
        {
            "records": records[:TRASH_LIMIT],
            "count": records.count(),
            "days": settings.CLIENTELA_TRASH_DAYS,
        },
    )


def _after_conversion_url(result: services.ConversionResult, lead: Lead) -> str:
    if result.deal is not None:
        return reverse("sales:deal-detail", kwargs={"pk": result.deal.pk})
    if result.person is not None:
        return reverse("contacts:person-detail", kwargs={"pk": result.person.pk})
    if result.organization is not None:
        return reverse("contacts:organization-detail", kwargs={"pk": result.organization.pk})
    return reverse("sales:lead-detail", kwargs={"pk": lead.pk})


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def lead_convert(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    lead = selectors.lead_get(user=user, pk=pk)
    require(user, "update", Lead.RESOURCE)
    if lead.status == LeadStatus.CONVERTED:
        messages.info(request, _("This lead is already converted."))
        return redirect("sales:lead-detail", pk=lead.pk)
    matches = selectors.conversion_matches(user, lead)
    pipelines = list(selectors.active_pipelines())
    form_kwargs: dict[str, Any] = {"lead": lead, "matches": matches, "pipelines": pipelines}
    conflict = False
    if request.method == "POST":
        form = ConvertForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                result = services.lead_convert(
                    actor=user,
                    lead=lead,
                    expected_version=form.cleaned_data.get("version"),
                    **form.conversion_kwargs(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc, targets=CONVERT_ERROR_TARGETS)
            except VersionConflict:
                conflict = True
            else:
                messages.success(request, _("“%(name)s” was converted.") % {"name": lead})
                return redirect(_after_conversion_url(result, lead))
    else:
        form = ConvertForm(
            initial={
                "version": lead.version,
                "deal_title": lead.company or str(lead),
                "deal_currency": base_currency(),
                "deal_pipeline": pipelines[0].pk if pipelines else None,
            },
            **form_kwargs,
        )
    return render(
        request,
        "sales/leads/convert.html",
        {
            "lead": lead,
            "form": form,
            "matches": matches,
            "has_pipelines": bool(pipelines),
            "conflict": conflict,
            "cancel_url": reverse("sales:lead-detail", kwargs={"pk": lead.pk}),
        },
    )


urlpatterns: list[URLPattern] = [
    path("leads/", lead_list, name="lead-list"),
    path("leads/new/", lead_form, name="lead-create"),
    path("leads/trash/", lead_trash, name="lead-trash"),
    path("leads/<int:pk>/", lead_detail, name="lead-detail"),
    path("leads/<int:pk>/edit/", lead_form, name="lead-edit"),
    path("leads/<int:pk>/status/", lead_status, name="lead-status"),
    path("leads/<int:pk>/convert/", lead_convert, name="lead-convert"),
    path("leads/<int:pk>/delete/", lead_delete, name="lead-delete"),
    path("leads/<int:pk>/restore/", lead_restore, name="lead-restore"),
]
