"""The lead scoring page: which method scores the leads (the model, or the rules and
why), how good the model is (ROC AUC on held-out leads), the labelled counts, the
factors that move scores most, and the reader's open leads best first."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from clientela.analytics import selectors
from clientela.analytics.choices import AnalysisKind, ScoringMethod
from clientela.analytics.leadscore import rules
from clientela.analytics.leadscore.features import describe
from clientela.analytics.views import _status
from clientela.core.views.records import AuthedRequest
from clientela.sales.choices import LeadSource


def _quality(auc: float | None) -> str:
    """The ROC AUC in a word."""
    if auc is None:
        return ""
    if auc >= 0.8:
        return _("good")
    if auc >= 0.7:
        return _("fair")
    if auc > 0.6:
        return _("weak")
    return _("no better than chance")


def _why_rules(why: str, parameters: dict[str, Any]) -> str:
    if why == "few_of_one":
        return _(
            "The model needs at least %(min)s converted and %(min)s disqualified leads to "
            "learn from; there are %(converted)s converted and %(disqualified)s disqualified."
        ) % {
            "min": rules.MIN_PER_CLASS,
            "converted": parameters.get("converted", 0),
            "disqualified": parameters.get("disqualified", 0),
        }
    return _(
        "The model needs at least %(min)s past leads that were converted or disqualified "
        "to learn from; there are %(labelled)s."
    ) % {"min": rules.MIN_LABELLED, "labelled": parameters.get("labelled", 0)}


def _factors(parameters: dict[str, Any]) -> list[dict[str, Any]]:
    found = [(str(name), float(weight)) for name, weight in parameters.get("top_factors", [])]
    strongest = max((abs(w) for _n, w in found), default=0.0) or 1.0
    return [
        {
            "label": describe(name),
            "raises": weight > 0,
            "width": f"{100 * abs(weight) / strongest:.0f}",
        }
        for name, weight in found
    ]


def _rule_lines() -> list[tuple[str, str]]:
    """The rules in words, with their points."""
    sources = ", ".join(
        f"{LeadSource(code).label} {points}" for code, points in rules.SOURCE_POINTS.items()
    )
    return [
        (_("Every lead starts with"), str(rules.BASE)),
        (_("Source (%(points)s)") % {"points": sources}, f"≤ {max(rules.SOURCE_POINTS.values())}"),
        (_("Corporate e-mail domain"), f"+{rules.CORPORATE_EMAIL}"),
        (
            _("Senior job title (owner, founder, director, head, manager…)"),
            f"+{rules.SENIOR_TITLE}",
        ),
        (_("Company given"), f"+{rules.COMPANY}"),
        (_("Phone number given"), f"+{rules.PHONE}"),
        (
            _("Each interaction logged on the lead (at most %(max)s)")
            % {"max": rules.MAX_INTERACTIONS},
            f"+{rules.PER_INTERACTION}",
        ),
    ]


@login_required
def lead_scores_page(request: AuthedRequest) -> HttpResponse:
    if not selectors.may_read_leads(request.user):
        raise Http404
    snapshot = selectors.current(AnalysisKind.LEAD_SCORES)
    parameters: dict[str, Any] = dict(snapshot.parameters) if snapshot is not None else {}
    method = parameters.get("method", "")
    auc = parameters.get("auc")
    context = {
        "status": _status(AnalysisKind.LEAD_SCORES),
        "snapshot": snapshot,
        "has_leads": selectors.has_leads(request.user),
        "method": method,
        "is_model": method == ScoringMethod.MODEL,
        "why_rules": _why_rules(parameters.get("why", ""), parameters)
        if method == ScoringMethod.RULES
        else "",
        "p": parameters,
        "auc": f"{auc:.2f}" if auc is not None else "",
        "auc_percent": f"{100 * auc:.0f}" if auc is not None else "",
        "quality": _quality(auc),
        "factors": _factors(parameters),
        "rules": _rule_lines(),
        "min_labelled": rules.MIN_LABELLED,
        "best": selectors.best_open_leads(request.user),
    }
    return render(request, "analytics/lead_scores.html", context)


urlpatterns: list[URLPattern] = [
    path("analytics/lead-scores/", lead_scores_page, name="lead-scores"),
]
