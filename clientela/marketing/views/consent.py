"""Consent pages: the "Consents" panel of the person page with its small form (htmx:
the panel is swapped in place), the public double opt-in confirmation page (no login,
in the person's language; a broken, expired or voided link is a clear 404 page), and
the admins' settings pages "Consent purposes" and "Suppression list"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clientela.contacts.models import Person
from clientela.core.client_ip import client_ip
from clientela.core.company import company_name
from clientela.core.forms import add_service_errors
from clientela.core.permissions import can
from clientela.core.views.records import AuthedRequest, not_found_as_404, require_admin
from clientela.marketing import kinds
from clientela.marketing.forms.consent import (
    ConsentRecordForm,
    PurposeForm,
    SuppressionForm,
    SuppressionSearchForm,
)
from clientela.marketing.selectors import consent as selectors
from clientela.marketing.services import consent as services
from clientela.marketing.services import suppression as suppression_services

PANEL = "marketing/consent/_panel.html"
SUPPRESSION_PAGE = 50


# --- the person page's panel ------------------------------------------------------------


def consent_panel(
    request: Any, record: Person, form: ConsentRecordForm | None = None
) -> dict[str, Any]:
    """The panel's context: the current consents, the history and, for users who may
    change the person, the form."""
    user = request.user
    purposes = list(selectors.purpose_list(user=user, active_only=True))
    may_record = can(user, "update", Person.RESOURCE)
    if form is None and may_record:
        form = ConsentRecordForm(purposes=purposes)
    return {
        "person": record,
        "states": list(selectors.consent_current(user=user, person=record)),
        "history": list(selectors.consent_history(user=user, person=record, limit=50)),
        "form": form if may_record else None,
        "record_url": reverse("marketing:consent-record", args=[record.pk]),
    }


@login_required
@require_POST
@not_found_as_404
def consent_record(request: AuthedRequest, pk: int) -> HttpResponse:
    """The panel's form: record a grant or withdrawal, then the panel again (htmx) or
    the person page."""
    person = selectors.consent_person(user=request.user, pk=pk)
    purposes = list(selectors.purpose_list(user=request.user, active_only=True))
    form = ConsentRecordForm(request.POST, purposes=purposes)
    status = 200
    if form.is_valid():
        try:
            services.consent_record(actor=request.user, person=person, **form.to_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc, targets={"wording": "wording"})
            status = 422
        else:
            form = ConsentRecordForm(purposes=purposes)
            if not request.htmx:
                messages.success(request, _("Consent recorded."))
                return redirect("contacts:person-detail", pk=person.pk)
    else:
        status = 422
    if not request.htmx:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("contacts:person-detail", pk=person.pk)
    return render(request, PANEL, consent_panel(request, person, form), status=status)


# --- the public confirmation page -------------------------------------------------------


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(
        request,
        f"marketing/consent/{template}",
        {"company": company_name(), **context},
        status=status,
    )
    response["Content-Language"] = translation.get_language()
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def consent_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A double opt-in link: GET asks for the click on "Confirm" (so a mail scanner
    that opens links confirms nothing), POST confirms."""
    with translation.override(services.link_language(token) or translation.get_language()):
        return _confirm(request, token)


def _confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        grant = services.confirm_link(token)
    except services.ConsentLinkError as error:
        return _public(request, "problem.html", {"message": error.message}, error.status)
    if request.method == "GET":
        return _public(request, "confirm.html", {"grant": grant, "token": token})
    try:
        outcome = services.consent_confirm(
            token=token,
            ip=client_ip(request) or "",
            user_agent=request.headers.get("User-Agent", ""),
        )
    except services.ConsentLinkError as error:
        return _public(request, "problem.html", {"message": error.message}, error.status)
    return _public(request, "confirmed.html", {"grant": grant, "created": outcome.created})


# --- settings: purposes ----------------------------------------------------------------


def _purposes_page(
    request: AuthedRequest, *, edited: tuple[int, PurposeForm] | None = None, new: Any = None
) -> HttpResponse:
    rows = []
    for purpose in selectors.purpose_list(user=request.user):
        form = edited[1] if edited and edited[0] == purpose.pk else PurposeForm(record=purpose)
        rows.append((purpose, form))
    context = {"rows": rows, "new_form": new or PurposeForm(), "kind": kinds.CONSENT_PURPOSES}
    status = 422 if edited or new else 200
    return render(request, "marketing/consent/purposes.html", context, status=status)


@login_required
@not_found_as_404
def purposes(request: AuthedRequest) -> HttpResponse:
    """The purposes, each an inline form, and a form for a new one (POST: create)."""
    require_admin(request)
    if request.method != "POST":
        return _purposes_page(request)
    form = PurposeForm(request.POST)
    if form.is_valid():
        try:
            kinds.CONSENT_PURPOSES.create_record(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Purpose added."))
            return redirect("marketing:consent-purposes")
    return _purposes_page(request, new=form)


@login_required
@require_POST
@not_found_as_404
def purpose_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    purpose = selectors.purpose_get(user=request.user, pk=pk)
    form = PurposeForm(request.POST, record=purpose)
    if form.is_valid():
        try:
            kinds.CONSENT_PURPOSES.update_record(
                actor=request.user, record=purpose, data=form.to_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("marketing:consent-purposes")
    return _purposes_page(request, edited=(purpose.pk, form))


# --- settings: suppression list ---------------------------------------------------------


@login_required
@not_found_as_404
def suppressions(request: AuthedRequest) -> HttpResponse:
    """The suppression list with its search, and a form to add an address by hand."""
    require_admin(request)
    purposes = list(selectors.purpose_list(user=request.user))
    search = SuppressionSearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    form = SuppressionForm(request.POST or None, purposes=purposes)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                suppression_services.suppression_add(
                    actor=request.user,
                    channel=form.cleaned_data["channel"],
                    address=form.cleaned_data["address"],
                    purpose=form.purpose_of(purposes),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Address added to the suppression list."))
                return redirect("marketing:suppressions")
    entries = selectors.suppression_list(user=request.user, q=q)
    context = {
        "entries": list(entries[: SUPPRESSION_PAGE + 1]),
        "limit": SUPPRESSION_PAGE,
        "search": search,
        "form": form,
    }
    return render(request, "marketing/consent/suppressions.html", context, status=status)


@login_required
@require_POST
@not_found_as_404
def suppression_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    entry = selectors.suppression_get(user=request.user, pk=pk)
    try:
        suppression_services.suppression_remove(actor=request.user, suppression=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(address)s” removed from the list.") % {"address": entry})
    return redirect("marketing:suppressions")


urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/consents/", consent_record, name="consent-record"),
    path("consent/confirm/<str:token>/", consent_confirm, name="consent-confirm"),
    path("settings/consent-purposes/", purposes, name="consent-purposes"),
    path("settings/consent-purposes/<int:pk>/", purpose_edit, name="consent-purpose-edit"),
    path("settings/suppression/", suppressions, name="suppressions"),
    path("settings/suppression/<int:pk>/remove/", suppression_remove, name="suppression-remove"),
]
