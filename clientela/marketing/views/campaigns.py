"""The campaign pages: core's generic record pages, with the campaign's own parts —
the form's choices (purposes, the user's segments, lists and templates), the results on
the detail page (funnel, variants, links, what it brought, a chart), the actions
(send, pause, resume, cancel), a test send to oneself, a preview and the results'
CSV."""

from __future__ import annotations

import json
from typing import Any, cast

from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.core import sms
from clientela.core.downloads import csv_response
from clientela.core.errors import NotFound
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
from clientela.marketing.choices import CampaignStatus
from clientela.marketing.forms.campaigns import TestSendForm
from clientela.marketing.kinds import CAMPAIGNS
from clientela.marketing.selectors import campaigns as selectors
from clientela.marketing.selectors import consent as consent_selectors
from clientela.marketing.selectors import segments as segment_selectors
from clientela.marketing.selectors import templates as template_selectors
from clientela.marketing.services import campaign_tests
from clientela.marketing.services import campaigns as services
from clientela.marketing.views.templates import PREVIEW_POLICY, preview_response

#: Which actions each status offers, in the order of the buttons.
ACTIONS = {
    CampaignStatus.DRAFT: ("send",),
    CampaignStatus.SCHEDULED: ("pause", "cancel"),
    CampaignStatus.SENDING: ("pause", "cancel"),
    CampaignStatus.TESTING: ("pause", "cancel"),
    CampaignStatus.PAUSED: ("resume", "cancel"),
}
SERVICES = {
    "send": services.campaign_send,
    "pause": services.campaign_pause,
    "resume": services.campaign_resume,
    "cancel": services.campaign_cancel,
}


def _funnel_chart(results: selectors.Results) -> dict[str, Any]:
    total = results.total
    labels = [_("Sent"), _("Delivered"), _("Opened"), _("Clicked"), _("Unsubscribed"), _("Bounced")]
    values = [
        total.sent,
        total.delivered,
        total.opened,
        total.clicked,
        total.unsubscribed,
        total.bounced,
    ]
    return {"labels": labels, "series": [{"label": _("People"), "values": values}], "unit": ""}


class CampaignDetailView(RecordDetailView):
    """A campaign: its settings, its results and the buttons its status allows."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        results = selectors.campaign_stats(user=self.user, campaign=record)
        variants = list(record.variants.all())
        return {
            "campaign": record,
            "results": results,
            "chart_json": json.dumps(_funnel_chart(results)),
            "actions": ACTIONS.get(record.status, ()) if self.may("update") else (),
            "previews": [v.key for v in variants if v.html or record.template_id],
            "test_form": TestSendForm(initial={"to": self.user.email}),
            "variants": variants,
            "sms_lengths": {v.key: sms.segments(v.body) for v in variants if v.body},
        }


class CampaignFormView(RecordFormView):
    """The campaign form with what the user may choose from."""

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        user = self.user
        purposes = consent_selectors.purpose_list(user=user, active_only=True)
        return {
            "choices": {
                "purpose": [(p.key, p.name) for p in purposes],
                "segments": [(s.pk, s.name) for s in segment_selectors.segment_list(user=user)],
                "lists": [(s.pk, s.name) for s in segment_selectors.list_list(user=user)],
                "template": [
                    (t.pk, t.name) for t in template_selectors.email_template_list(user=user)
                ],
            }
        }

    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {"purpose": "newsletter", "ab_share": 0, "ab_wait_minutes": 240}
        return super().initial(record)

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {"campaign": record}


@login_required
@not_found_as_404
@require_POST
def campaign_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    act = SERVICES.get(action)
    if act is None:
        return redirect(CAMPAIGNS.url("detail"), pk=pk)
    try:
        act(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        done = {
            "send": _("The campaign is on its way."),
            "pause": _("The campaign is paused."),
            "resume": _("The campaign goes on."),
            "cancel": _("The campaign is cancelled: nobody else gets it."),
        }
        messages.success(request, done[action])
    return redirect(CAMPAIGNS.url("detail"), pk=pk)


@login_required
@not_found_as_404
@require_POST
def campaign_test(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address to send the test to."))
        return redirect(CAMPAIGNS.url("detail"), pk=pk)
    try:
        sent = campaign_tests.campaign_test_send(
            actor=request.user, campaign=campaign, to=form.cleaned_data["to"]
        )
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        if sent:
            messages.success(request, _("Test sent to %(to)s.") % {"to": form.cleaned_data["to"]})
        else:
            messages.error(request, _("The test could not be sent: the mail server refused it."))
    return redirect(CAMPAIGNS.url("detail"), pk=pk)


@login_required
@not_found_as_404
@require_GET
def campaign_preview_html(request: AuthedRequest, pk: int) -> HttpResponse:
    """A variant's HTML filled in as the user, as a mail client gets it (framed by the
    campaign's page, under the preview's own policy)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    variant = request.GET.get("variant", "A")
    rendered = campaign_tests.campaign_render_sample(
        actor=request.user, campaign=campaign, variant=variant if variant in "ABCD" else "A"
    )
    if rendered is None:
        raise NotFound()
    return preview_response(rendered.html)


@login_required
@not_found_as_404
@require_GET
def campaign_results_csv(request: AuthedRequest, pk: int) -> HttpResponse:
    """The results as a CSV: one row per variant and the total."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    results = selectors.campaign_stats(user=request.user, campaign=campaign)
    header = [
        _("Variant"),
        _("Recipients"),
        _("Sent"),
        _("Delivered"),
        _("Failed"),
        _("Bounced"),
        _("Opened"),
        _("Opens"),
        _("Clicked"),
        _("Clicks"),
        _("Unsubscribed"),
        _("Complained"),
    ]
    rows = [
        [key, *(getattr(counts, f) for f in _COUNT_FIELDS)]
        for key, counts in [*results.variants.items(), (_("Total"), results.total)]
    ]
    return csv_response(f"campaign-{campaign.pk}-results.csv", header, rows)


_COUNT_FIELDS = (
    "recipients",
    "sent",
    "delivered",
    "failed",
    "bounced",
    "opened",
    "opens",
    "clicked",
    "clicks",
    "unsubscribed",
    "complained",
)


urlpatterns: list[URLPattern] = [
    *record_urls(
        CAMPAIGNS,
        list=RecordListView,
        create=CampaignFormView,
        detail=CampaignDetailView,
        edit=CampaignFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
        trash=TrashView,
    ),
    path("campaigns/<int:pk>/test/", campaign_test, name="campaign-test"),
    path(
        "campaigns/<int:pk>/preview/",
        csp(PREVIEW_POLICY)(cast(Any, campaign_preview_html)),
        name="campaign-preview",
    ),
    path("campaigns/<int:pk>/results.csv", campaign_results_csv, name="campaign-results-csv"),
    path("campaigns/<int:pk>/<str:action>/", campaign_action, name="campaign-action"),
]
