"""The Company section of the settings: the company profile (name, legal name,
address, tax id, contact, logo, default country, language and time zone) with what
other modules keep about the company (the base currency), and the logo itself."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientela.core import company
from clientela.core.forms import add_service_errors
from clientela.core.registry import company_facts_in_order
from clientela.core.services.company import (
    company_profile_get,
    company_profile_update,
    profile_snapshot,
)
from clientela.core.settings_forms import CompanyProfileForm
from clientela.core.views import request_user
from clientela.core.views.records import require_admin


@login_required
@require_http_methods(["GET", "POST"])
def company_profile(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    profile = company_profile_get()
    initial = {k: v for k, v in profile_snapshot(profile).items() if k != "logo"}
    if request.method == "POST":
        form = CompanyProfileForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                company_profile_update(
                    actor=request_user(request),
                    data=form.data_for_service(),  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Company profile saved."))
                return redirect("core:company-profile")
    else:
        form = CompanyProfileForm(initial=initial)
    facts = [(fact, fact.value()) for fact in company_facts_in_order()]
    context = {
        "form": form,
        "profile": profile,
        "facts": facts,
        "company_name": company.company_name(),
        "footer": company.email_footer(),
    }
    return render(request, "core/settings/company.html", context)


@login_required
def company_logo(request: HttpRequest) -> HttpResponse:
    """The stored logo (PNG or JPEG, as the service re-encoded it)."""
    require_admin(request)
    data = company.logo_bytes()
    if data is None:
        raise Http404()
    kind = mimetypes.guess_type(company.profile().logo)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, max-age=60"
    return response
