"""The public help centre at ``/help/``: no login, published articles only, in the
visitor's language (``?lang=``, else the language ``LocaleMiddleware`` found in the
cookie or ``Accept-Language``). A search that finds nothing is noted for the authors;
"Was this helpful?" counts one vote per article per visitor session, rate-limited per
address. Nothing internal (drafts, authors, tags) is shown or told apart from a
missing page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.core.client_ip import client_ip_key
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.rate_limits import usage
from clientela.service.kb_render import render_markdown
from clientela.service.selectors import articles as selectors
from clientela.service.services.articles import article_vote, kb_search_miss_record

#: Votes one address may cast per hour (all articles together), and searches with no
#: result it may add to the authors' list (a robot cannot fill the table).
VOTE_RATE, MISS_RATE = "60/h", "30/h"
_VOTED = "kb_votes"
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def visitor_language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in _LANGUAGES:
        return asked
    found = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    return found.split("-")[0] if found.split("-")[0] in _LANGUAGES else "en"


def _within(request: HttpRequest, group: str, rate: str) -> bool:
    """Count one more for the visitor's address; False once over ``rate``."""
    counted = usage(group=group, key=client_ip_key(request), rate=rate)
    return counted is None or not counted.exceeded


def _render(
    request: HttpRequest, template: str, language: str, context: dict[str, Any]
) -> HttpResponse:
    with translation.override(language):
        others = [(code, name) for code, name in settings.LANGUAGES if code != language]
        context = {"language": language, "other_languages": others, **context}
        response = render(request, template, context)
    response["Content-Language"] = language
    return response


@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    """The categories and their articles, or the results of a search."""
    language = visitor_language(request)
    query = request.GET.get("q", "").strip()[:200]
    category_id = None
    if request.GET.get("category"):
        try:
            category_id = parse_id(request.GET["category"])
        except NotFound:
            category_id = None
    context: dict[str, Any] = {
        "query": query,
        "category_id": category_id,
        "per_section": selectors.PER_SECTION,
    }
    if query:
        results = selectors.public_search(query=query, language=language)
        if not results and _within(request, "kb-miss", MISS_RATE):
            kb_search_miss_record(query=query, language=language)
        context["results"] = results
    else:
        sections = selectors.public_sections(language=language, category_id=category_id)
        context["sections"] = [
            (c.name if c else _("Other questions"), c.pk if c else None, items)
            for c, items in sections
        ]
    categories = selectors.article_categories()
    context["categories"] = [(c.pk, c.name) for c in categories]
    return _render(request, "service/help/index.html", language, context)


def _article(slug: str) -> Any:
    try:
        return selectors.public_article_get(slug=slug)
    except NotFound:
        raise Http404() from None


@require_GET
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(slug)
    voted = article.pk in request.session.get(_VOTED, [])
    context = {
        "article": article,
        "body_html": render_markdown(article.body),
        "category": article.category.name if article.category else "",
        "other": selectors.public_other_version(article),
        "voted": voted or request.GET.get("voted") == "1",
    }
    return _render(request, "service/help/article.html", article.language, context)


@require_POST
def help_vote(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Was this helpful?": one vote per article per session; the page again."""
    article = _article(slug)
    done = request.session.get(_VOTED, [])
    answer = request.POST.get("helpful")
    if answer in ("yes", "no") and article.pk not in done:
        if _within(request, "kb-vote", VOTE_RATE):
            article_vote(article=article, helpful=answer == "yes")
        request.session[_VOTED] = [*done, article.pk][-200:]
    return redirect(reverse("service:help-article", args=[article.slug]) + "?voted=1")


urlpatterns: list[URLPattern] = [
    path("help/", help_index, name="help"),
    path("help/<slug:slug>/", help_article, name="help-article"),
    path("help/<slug:slug>/vote/", help_vote, name="help-vote"),
]
