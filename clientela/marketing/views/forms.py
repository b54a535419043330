"""The web forms' pages: core's generic record pages for the kind, the fields editor on
the form page, and the detail page with the embed snippets (an iframe and a script)
and the submissions (paged, with a CSV export). The public pages a visitor fills in
are ``views.forms_public``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientela.core.downloads import csv_cell, csv_response
from clientela.core.pagination import WindowPaginator
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
from clientela.marketing.choices import ConsentChannel, FormFieldType
from clientela.marketing.forms.forms import LeadFormForm
from clientela.marketing.kinds import FORMS
from clientela.marketing.models import ConsentPurpose, LeadForm
from clientela.marketing.selectors import campaigns as campaign_selectors
from clientela.marketing.selectors import forms as selectors
from clientela.marketing.services.form_submit import UTM_KEYS
from clientela.marketing.services.lead_forms import LEAD_FIELDS, own_origin

PER_PAGE = 25
#: Service error keys -> this page's inputs.
ERROR_TARGETS = {"fields": "field_list", "campaign_id": "campaign", "lead_owner_id": "lead_owner"}
EXPORT_LIMIT = 100_000


def public_url(form: LeadForm) -> str:
    return own_origin() + reverse("marketing:form-public", args=[form.slug])


def embed_snippets(form: LeadForm) -> dict[str, str]:
    """The HTML a site pastes to show the form: an iframe, or a div and the script."""
    url = public_url(form)
    script = own_origin() + static("marketing/form-embed.js")
    return {
        "iframe": f'<iframe src="{url}?embed=1" title="{form.title or form.name}" '
        'style="width:100%;max-width:40rem;height:44rem;border:0" loading="lazy"></iframe>',
        "script": f'<div data-clientela-form="{url}"></div>\n'
        f'<script src="{script}" defer></script>',
    }


class FormDetailView(RecordDetailView):
    """The form: its addresses, snippets, fields and submissions (a page of them alone
    for htmx's page links)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.get_record(pk)
        htmx = getattr(request, "htmx", None)
        if htmx and htmx.target == "form-submissions":
            context = self.detail_context(record)
            return render(request, "marketing/forms/_submissions.html", context)
        return self.render_detail(record)

    def detail_context(self, record: Any) -> dict[str, Any]:
        submissions = selectors.submission_list(user=self.user, form=record)
        page = WindowPaginator(submissions, PER_PAGE).get_page(self.request.GET.get("page"))
        return {
            "lead_form": record,
            "public_url": public_url(record),
            "snippets": embed_snippets(record),
            "page_obj": page,
            "submissions": page.object_list,
            "list_url": self.request.path,
            "results_id": "form-submissions",
            "field_labels": [(f["key"], f["label"]) for f in record.fields][:4],
        }


class FormFormView(RecordFormView):
    """The form's settings with the fields editor; the service's errors about one field
    or checkbox come back beside the editor, naming it."""

    error_targets = ERROR_TARGETS

    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {**super().initial(record), **LeadFormForm.new_initial(self.user.language)}
        return super().initial(record)

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        campaigns = campaign_selectors.campaign_list(user=self.user)[:500]
        return {**super().form_kwargs(record), "campaigns": list(campaigns)}

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        purposes = ConsentPurpose.objects.filter(active=True).order_by("order", "pk")
        editor = {
            "types": [[v, str(label)] for v, label in FormFieldType.choices],
            "targets": [["", _("Notes (with its label)")], *[[t, t] for t in LEAD_FIELDS]],
            "channels": [[v, str(label)] for v, label in ConsentChannel.choices],
            "purposes": [[p.key, p.name] for p in purposes],
            "labels": {
                "key": _("Key"),
                "label": _("Label"),
                "type": _("Type"),
                "required": _("Required"),
                "maps_to": _("Fills in"),
                "choices": _("Choices (one a line)"),
                "add_field": _("Add a field"),
                "remove": _("Remove"),
                "up": _("Move up"),
                "down": _("Move down"),
                "field": _("Field %(n)s"),
                "checkbox": _("Checkbox %(n)s"),
                "purpose": _("Purpose"),
                "channel": _("Channel"),
                "text": _("Exact text shown"),
                "add_consent": _("Add a consent checkbox"),
                "custom": _("A custom value: custom.<key>"),
            },
        }
        return {"lead_form": record, "editor_json": json.dumps(editor, ensure_ascii=False)}

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for prefix in ("fields", "consents"):
                for key in [k for k in exc.error_dict if k.startswith(f"{prefix}.")]:
                    _prefix, index, *name = key.split(".")
                    where = (_("Field %(n)s") if prefix == "fields" else _("Checkbox %(n)s")) % {
                        "n": int(index) + 1
                    }
                    form.add_error(
                        "field_list" if prefix == "fields" else prefix,
                        [f"{where} ({'.'.join(name)}): {m}" for m in exc.message_dict[key]],
                    )
                    del exc.error_dict[key]
        super().service_errors(form, exc)


def _cell(value: Any) -> Any:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return csv_cell(value)


@login_required
@not_found_as_404
@require_GET
def submissions_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The form's submissions as CSV: when, each field, the lead, where from."""
    form = selectors.lead_form_get(user=request.user, pk=pk)
    keys = [f["key"] for f in form.fields]
    consents = [f"consent_{i}" for i in range(len(form.consents))]
    header = [
        _("Received"),
        *[f["label"] for f in form.fields],
        *[_("Consent: %(purpose)s") % {"purpose": c["purpose"]} for c in form.consents],
        _("Lead"),
        _("IP address"),
        _("Referrer"),
        *UTM_KEYS,
    ]
    submissions: Any = selectors.submission_list(user=request.user, form=form)
    rows = (
        [
            s.at.isoformat(),
            *[_cell(s.data.get(k, "")) for k in keys + consents],
            s.lead_id or "",
            s.ip or "",
            csv_cell(s.referrer),
            *[csv_cell(getattr(s, k)) for k in UTM_KEYS],
        ]
        for s in submissions.select_related(None)[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    return csv_response(f"form-{form.slug}-submissions.csv", header, rows)


urlpatterns: list[URLPattern] = [
    path("web_forms/<int:pk>/submissions.csv", submissions_export, name="lead_form-submissions"),
    *record_urls(
        FORMS,
        list=RecordListView,
        create=FormFormView,
        trash=TrashView,
        detail=FormDetailView,
        edit=FormFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
]
