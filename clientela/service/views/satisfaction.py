"""Satisfaction pages: the customer's public rating pages (no login, in the customer's
language, a clear page for a link that is broken, expired or unknown) and the agents'
CSAT report per agent, queue or month with a chart and a CSV download."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clientela.core.company import company_name
from clientela.service.models.satisfaction import MAX_COMMENT, SCORE_LABELS
from clientela.service.services import satisfaction as services
from clientela.service.services.satisfaction import RatingLinkError

MAX_DAYS = 5 * 366

# --- the customer's pages ----------------------------------------------------------------


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        max_length=MAX_COMMENT,
        widget=forms.Textarea({"rows": 4, "class": "form-control"}),
    )


def _language(token: str) -> str | None:
    try:
        return services.rating_link(token).language
    except RatingLinkError:
        return None


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    context = {"company": company_name(), **context}
    response = render(request, f"service/rating/{template}", context, status=status)
    response["Content-Language"] = translation.get_language()
    response["X-Robots-Tag"] = "noindex"
    # The link carries the token: never sent to another site (and "no-referrer" would
    # make the browser send "Origin: null", which the CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def _failed(request: HttpRequest, error: RatingLinkError) -> HttpResponse:
    return _public(request, "problem.html", {"message": error.message}, status=error.status)


def _rated(
    request: HttpRequest, token: str, outcome: services.RatingOutcome, **extra: Any
) -> HttpResponse:
    rating = outcome.rating
    context = {
        "rating": rating,
        "ticket_label": rating.ticket.label,
        "score_label": SCORE_LABELS[rating.score],
        "token": token,
        "created": outcome.created,
        "form": CommentForm() if outcome.can_comment else None,
    }
    status = int(extra.pop("status", 200))
    return _public(request, "rated.html", context | extra, status=status)


@never_cache
@require_GET
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """A click on a rating link: records the score at once (the first time)."""
    with translation.override(_language(token) or translation.get_language()):
        try:
            outcome = services.rating_record(token=token)
        except RatingLinkError as error:
            return _failed(request, error)
        return _rated(request, token, outcome)


@never_cache
@require_POST
def rate_comment(request: HttpRequest, token: str) -> HttpResponse:
    """The comment under a rating (CSRF-checked like every form)."""
    with translation.override(_language(token) or translation.get_language()):
        form = CommentForm(request.POST)
        try:
            outcome = services.rating_record(token=token)
            if not form.is_valid():
                return _rated(request, token, outcome, form=form, status=400)
            services.rating_comment(token=token, comment=form.cleaned_data["comment"])
        except RatingLinkError as error:
            return _failed(request, error)
        except ValidationError as exc:
            form.add_error("comment", exc.message_dict.get("comment", exc.messages))
            return _rated(request, token, outcome, form=form, status=400)
        return _public(request, "thanks.html", {})


urlpatterns: list[URLPattern] = [
    path("rate/<str:token>/", rate, name="rate"),
    path("rate/<str:token>/comment/", rate_comment, name="rate-comment"),
]
