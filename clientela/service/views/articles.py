"""The knowledge base's staff pages: core's generic record pages for articles, the
"Searches with no answer" page, and the ticket page's "Insert link in reply" (htmx:
the reply box again, the article's public link added after what was typed)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

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
from clientela.service.choices import ArticleStatus
from clientela.service.kb_render import render_markdown
from clientela.service.kinds import ARTICLES
from clientela.service.models import Article
from clientela.service.selectors.articles import (
    article_get,
    kb_search_misses,
)
from clientela.service.selectors.tickets import may_work_on, ticket_get

ERROR_TARGETS = {"category_id": "category", "translation_of_id": "translation_of"}


class ArticleDetailView(RecordDetailView):
    """An article as the help centre shows it, with its status, votes and history."""

    def detail_context(self, record: Any) -> dict[str, Any]:
        article = cast(Article, record)
        return {"article": article, "body_html": render_markdown(article.body)}


class ArticleFormView(RecordFormView):
    error_targets = ERROR_TARGETS

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        return {**super().form_kwargs(record), "user": self.user, "record": record}


def public_url(request: Any, article: Article) -> str:
    return str(request.build_absolute_uri(reverse("service:help-article", args=[article.slug])))


@login_required
@not_found_as_404
@require_GET
def search_misses(request: AuthedRequest) -> HttpResponse:
    """What visitors of the help centre searched for without finding an article."""
    misses = kb_search_misses(user=request.user)[:200]
    return render(request, "service/kb/misses.html", {"misses": misses, "kind": ARTICLES})


@login_required
@not_found_as_404
@require_GET
def insert_article_link(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reply box with the article's public link added after what was typed."""
    ticket = ticket_get(user=request.user, pk=pk)
    if not may_work_on(request.user, ticket):
        raise NotFound()
    article = article_get(user=request.user, pk=request.GET.get("article"))
    if article.status != ArticleStatus.PUBLISHED:
        raise NotFound()
    typed = request.GET.get("body", "")[:100000]
    link = f"{article.title}: {public_url(request, article)}"
    text = f"{typed.rstrip()}\n\n{link}" if typed.strip() else link
    return render(request, "service/canned/_reply_body.html", {"text": text})


urlpatterns: list[URLPattern] = [
    path("articles/searches-with-no-answer/", search_misses, name="kb-misses"),
    *record_urls(
        ARTICLES,
        list=RecordListView,
        create=ArticleFormView,
        trash=TrashView,
        detail=ArticleDetailView,
        edit=ArticleFormView,
        delete=RecordDeleteView,
        restore=RecordRestoreView,
    ),
    path("tickets/<int:pk>/kb-link/", insert_article_link, name="ticket-kb-link"),
]
