"""The leads pages: core's generic record pages (list, create/edit, delete with Undo,
restore, the admins' trash) with what leads own: a lead's page with its status
buttons, and the conversion page with its match suggestions."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientela.core.errors import VersionConflict
from clientela.core.forms import add_service_errors
from clientela.core.permissions import require
from clientela.core.views.kinds import (
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    RecordRestoreView,
    TrashView,
    record_urls,
)
from clientela.core.views.records import AuthedRequest, not_found_as_404
from clientela.sales.choices import LeadStatus
from clientela.sales.forms.leads import (
    CONVERT_ERROR_TARGETS,
    LEAD_ERROR_TARGETS,
    ConvertForm,
    LeadStatusForm,
)
from clientela.sales.kinds import LEADS
from clientela.sales.models import Lead
from clientela.sales.selectors import leads as selectors
from clientela.sales.selectors.rates import base_currency
from clientela.sales.services import leads as services


def _facts(lead: Lead) -> list[tuple[str, Any]]:
    return [
        (_("Job title"), lead.job_title),
        (_("Source"), lead.get_source_display()),
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


class LeadDetailView(RecordDetailView):
    """A lead's page, with its status buttons and what it was converted to."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        lead = cast(Lead, record)
        return {
            "facts": _facts(lead),
            "can_convert": self.may("update")
            and lead.status not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED),
            "status_actions": _status_actions(lead),
            "converted": {
                name: linked if linked is not None and linked.deleted_at is None else None
                for name, linked in (
                    ("person", lead.converted_person),
                    ("organization", lead.converted_organization),
                    ("deal", lead.converted_deal),
                )
            },
        }


class LeadFormView(RecordFormView):
    error_targets = LEAD_ERROR_TARGETS


class LeadStatusView(LeadDetailView):
    """A status button (contacted, qualified, disqualified with a reason, reopen)."""

    http_method_names = ("post",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = self.get_record(pk)
        self.check("update")
        form = LeadStatusForm(request.POST)
        error = ""
        if not form.is_valid():
            error = _("Choose new, contacted, qualified or disqualified.")
        else:
            try:
                services.lead_set_status(
                    actor=self.user,
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
                lead = self.get_record(pk)
                messages.success(
                    request,
                    _("“%(name)s” is now %(status)s.")
                    % {"name": lead, "status": lead.get_status_display().lower()},
                )
                return redirect("sales:lead-detail", pk=pk)
        return self.render_detail(self.get_record(pk), status_error=error, status_form=form)


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
    *record_urls(
        LEADS,
        list=RecordListView,
        create=LeadFormView,
        trash=TrashView,
        detail=LeadDetailView,
        edit=LeadFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
    path("leads/<int:pk>/status/", LeadStatusView.as_view(kind=LEADS), name="lead-status"),
    path("leads/<int:pk>/convert/", lead_convert, name="lead-convert"),
]
