"""Reads of the knowledge base: what staff may see (their role's right on articles),
what the public help centre shows (published articles only, never a draft, nothing
about their authors), the suggestions beside a ticket and the searches that found
nothing."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from clientela.core import search
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.core.normalize import fold
from clientela.core.permissions import visibility_q
from clientela.service.choices import ArticleStatus, CategoryKind
from clientela.service.filters import ArticleFilters
from clientela.service.models import Article, Category, KbSearchMiss, Ticket
from clientela.service.models.articles import public_search_resource

RESOURCE = Article.RESOURCE
#: How many suggestions the ticket page shows.
SUGGESTIONS = 5
#: Words too common to tell articles apart, in both languages.
_STOP = set(
    "about after again also because been before being could does doing from have having "
    "here into just more most only other over same should some such than that their them "
    "then there these they this those through under very what when where which while "
    "with would your hello thanks thank please como cuando donde esta este esto estos "
    "gracias hola para pero porque puede desde tengo tiene todo sobre entre hasta".split()
)
_WORD = re.compile(r"[^\W_]{4,}", re.UNICODE)


def articles_visible(user: Any) -> QuerySet[Article]:
    """The live articles ``user`` may read (their role's right and scope)."""
    q = visibility_q(user, RESOURCE)
    if q is None:
        return Article.objects.none()
    return Article.objects.filter(q, deleted_at__isnull=True)


def article_list(*, user: Any, filters: ArticleFilters | None = None) -> QuerySet[Article]:
    filters = filters or ArticleFilters()
    qs = articles_visible(user).select_related("category", "owner")
    if filters.q:
        ids = search.matching_object_ids(user=user, resource=RESOURCE, query=filters.q)
        qs = qs.filter(pk__in=ids)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    return qs.order_by(*filters.order_by())


def article_get(*, user: Any, pk: Any) -> Article:
    found = (
        articles_visible(user)
        .select_related("category", "owner", "translation_of", "translation")
        .filter(pk=parse_id(pk))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def translation_candidates(
    *, user: Any, article: Article | None, limit: int = 500
) -> list[Article]:
    """Articles ``user`` may link ``article`` to as its other-language version: those
    not linked yet, and its current link (for the form's choices)."""
    free = articles_visible(user).filter(translation_of__isnull=True, translation__isnull=True)
    if article is not None and article.pk:
        free = free.exclude(pk=article.pk)
    found = list(free.only("pk", "title", "language").order_by("title", "id")[:limit])
    current = article.other_version if article is not None else None
    if current is not None and current not in found:
        found.insert(0, current)
    return found


def article_trash_get(*, user: Any, pk: Any) -> Article:
    q = visibility_q(user, RESOURCE)
    found = None
    if q is not None:
        found = Article.objects.filter(q, pk=parse_id(pk), deleted_at__isnull=False).first()
    if found is None:
        raise NotFound()
    return found


def article_categories() -> QuerySet[Category]:
    """The knowledge base's categories (admins keep them with the ticket categories)."""
    return Category.objects.filter(kind=CategoryKind.ARTICLE, active=True).order_by("name")


def kb_search_misses(*, user: Any) -> QuerySet[KbSearchMiss]:
    """The help centre's searches that found nothing, most frequent first: for whoever
    may write articles."""
    if visibility_q(user, RESOURCE) is None:
        raise NotFound()
    return KbSearchMiss.objects.all()


# --- the public help centre ------------------------------------------------------------


def _published() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, deleted_at__isnull=True)


#: Articles per category on the help centre's front page (a category's own page shows
#: up to ``PER_CATEGORY_PAGE``): the page stays short at thousands of articles.
PER_SECTION, PER_CATEGORY_PAGE = 8, 200


def public_sections(
    *, language: str, category_id: int | None = None
) -> list[tuple[Category | None, list[Article]]]:
    """The help centre's sections: each category with its first published articles in
    ``language`` (then those without a category), or one category's articles."""
    categories: list[Category | None] = list(article_categories())
    if category_id:
        categories = [c for c in categories if c is not None and c.pk == category_id]
        limit = PER_CATEGORY_PAGE
    else:
        categories.append(None)
        limit = PER_SECTION
    sections = []
    for category in categories:
        articles = _published().filter(language=language, category=category)
        found = list(articles.order_by("title", "id")[:limit])
        if found:
            sections.append((category, found))
    return sections


def public_search(*, query: str, language: str, limit: int = 20) -> list[Article]:
    """Published articles in ``language`` matching every word of ``query``, best first
    (ranked among the help centre's entries of that language alone)."""
    resource = public_search_resource(language)
    ids = search.public_matching_ids(query=query, resource=resource, limit=limit)
    rank = {pk: n for n, pk in enumerate(ids)}
    found = _published().filter(pk__in=ids, language=language).only("title", "slug", "language")
    return sorted(found, key=lambda a: rank[a.pk])[:limit]


def public_article_get(*, slug: str) -> Article:
    """A published article by its address; a draft, trashed or unknown one is not
    found."""
    found = (
        _published()
        .select_related("category", "translation_of", "translation")
        .filter(slug=slug[:120])
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def public_other_version(article: Article) -> Article | None:
    """The article in the other language, if it is published too."""
    other = article.other_version
    if other is None or not other.is_published or other.deleted_at is not None:
        return None
    return other


# --- beside a ticket --------------------------------------------------------------------


def suggestion_query(text: str) -> str:
    """The telling words of a ticket's subject and description as alternatives ("a OR
    b"), longest first: an article needs only one of them to be suggested."""
    words = [w for w in _WORD.findall(fold(text)) if w not in _STOP and not w.isdigit()]
    unique = sorted(dict.fromkeys(words), key=len, reverse=True)[:8]
    return " OR ".join(unique)


def suggested_articles(*, user: Any, ticket: Ticket) -> list[Article]:
    """Up to five published articles ``user`` may read that match the ticket's subject
    and description, those in the ticket's language first."""
    query = suggestion_query(f"{ticket.subject} {ticket.subject} {ticket.description[:2000]}")
    if not query:
        return []
    hits = search.search(user=user, query=query, resources=[RESOURCE], limit=50)
    rank = {h.object_id: n for n, h in enumerate(hits)}
    found = articles_visible(user).filter(pk__in=rank, status=ArticleStatus.PUBLISHED)
    ordered = sorted(found, key=lambda a: (a.language != ticket.language, rank[a.pk]))
    return ordered[:SUGGESTIONS]
