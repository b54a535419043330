"""Knowledge-base articles: create, change, trash, restore; the help centre's votes and
its searches that found nothing.

Create and update take a partial mapping (``ArticleData``); every problem is reported
at once and nothing is saved. The author (the record's owner) is whoever wrote it.
An article may name its version in the other language (``translation_of_id``); the
link is one-to-one and only between languages.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clientela.core import search
from clientela.core.choices import Language
from clientela.core.models import User
from clientela.core.normalize import fold
from clientela.core.services import RecordWrites, record_restore, record_trash, tags_from_names
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.service.choices import ArticleStatus, CategoryKind
from clientela.service.models import Article, Category, KbSearchMiss
from clientela.service.models.articles import public_search_resource

TEXT = ("title", "body")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class ArticleData(TypedDict, total=False):
    title: str
    body: str
    slug: str
    language: str
    status: str
    category_id: int | None
    translation_of_id: int | None
    tags: list[str]


def article_snapshot(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "body": article.body,
        "slug": article.slug,
        "language": article.language,
        "status": article.status,
        "category": str(article.category) if article.category else None,
        "translation_of": str(article.translation_of) if article.translation_of else None,
    }


def article_entries(article: Article, *, tags: list[str], category: str) -> list[search.Entry]:
    """What the search holds of an article: its title, category, tags and text, for
    staff; a published one's again under the help centre of its language
    (``public_search_resource``)."""
    places: list[tuple[str, int | None, int | None]] = [
        (Article.RESOURCE, article.owner_id, article.team_id)
    ]
    if article.is_published and article.deleted_at is None:
        places.append((public_search_resource(article.language), None, None))
    return [
        search.entry(
            resource=resource,
            object_id=article.pk,
            owner_id=owner_id,
            team_id=team_id,
            title=article.title,
            subtitle=category,
            parts=[article.title, category, *tags, article.body],
        )
        for resource, owner_id, team_id in places
    ]


def article_reindex(article: Article) -> None:
    """The article in the search (``article_entries``), and out of the help centres it
    no longer belongs in."""
    tags = [t.name for t in article.tags.all()] if article.pk else []
    _remove_public(article)
    for new in article_entries(article, tags=tags, category=str(article.category or "")):
        search.save_entry(new)


def _remove_public(article: Article) -> None:
    for language in Language.values:
        search.remove_record(public_search_resource(language), article.pk)


# --- checks -----------------------------------------------------------------------------


def _clean_choices(article: Article, data: ArticleData, errors: Errors) -> None:
    if "language" in data:
        if data["language"] not in Language.values:
            add(errors, "language", _("Choose English or Spanish."))
        else:
            article.language = data["language"]
    if "status" in data:
        if data["status"] not in ArticleStatus.values:
            add(errors, "status", _("Choose draft or published."))
        else:
            article.status = data["status"]
    if "category_id" in data:
        pk = data["category_id"]
        categories = Category.objects.filter(kind=CategoryKind.ARTICLE)
        article.category = categories.filter(pk=pk).first() if pk else None
        if pk and article.category is None:
            add(errors, "category_id", _("There is no such category."))


def _clean_slug(article: Article, data: ArticleData, errors: Errors) -> None:
    raw = data.get("slug")
    if raw is None and article.slug:
        return
    if raw is not None and not isinstance(raw, str):
        add(errors, "slug", _("Enter text."))
        return
    slug = slugify((raw or "").strip() or article.title)[:120].strip("-")
    if raw and slug != raw.strip():
        add(errors, "slug", _("Use lower-case letters, digits and hyphens only."))
        return
    if not slug:
        if "title" not in errors:
            add(errors, "slug", _("Give the article a web address (slug)."))
        return
    taken = Article.objects.filter(slug=slug).exclude(pk=article.pk).exists()
    if taken and raw:
        add(errors, "slug", _("Another article already has this address."))
        return
    base, n = slug, 2
    while taken:  # a slug made from the title: number it
        slug = f"{base[:114]}-{n}"
        taken, n = Article.objects.filter(slug=slug).exclude(pk=article.pk).exists(), n + 1
    article.slug = slug


def _clean_translation(actor: User, article: Article, data: ArticleData, errors: Errors) -> None:
    if "translation_of_id" not in data:
        other = article.translation_of
        if other is not None and other.language == article.language:
            add(errors, "language", _("The linked version is in this language already."))
        return
    pk = data["translation_of_id"]
    if not pk:
        article.translation_of = None
        return
    from clientela.service.selectors.articles import articles_visible  # noqa: PLC0415

    other = articles_visible(actor).filter(pk=pk).first()
    if other is None or other.pk == article.pk:
        add(errors, "translation_of_id", _("There is no such article."))
    elif other.language == article.language:
        add(errors, "translation_of_id", _("Link an article in the other language."))
    elif Article.objects.filter(translation_of=other).exclude(pk=article.pk).exists() or (
        other.translation_of_id is not None and other.translation_of_id != article.pk
    ):
        add(errors, "translation_of_id", _("That article has a translation already."))
    else:
        article.translation_of = other


def _apply(actor: User, article: Article, data: ArticleData) -> None:
    errors: Errors = {}
    for name, value in clean_text(Article, data, TEXT, errors).items():
        setattr(article, name, value)
    if not article.title and "title" not in errors:
        add(errors, "title", _("Give the article a title."))
    if not article.body and "body" not in errors:
        add(errors, "body", _("Write the article."))
    _clean_choices(article, data, errors)
    _clean_slug(article, data, errors)
    _clean_translation(actor, article, data, errors)
    tags = None
    if "tags" in data:
        try:
            tags = tags_from_names(data["tags"] or [])  # null: no tags
        except Exception as exc:  # a ValidationError naming the field
            add(errors, "tags", " ".join(getattr(exc, "messages", [str(exc)])))
    raise_errors(errors)
    if article.pk is None:
        article.owner, article.team = actor, actor.team
    if article.is_published and article.published_at is None:
        article.published_at = timezone.now()
    article.full_clean(exclude=["owner", "team", "tags", "slug", "translation_of"])
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:  # a slug taken meanwhile
        raise_errors({"slug": [_("Another article already has this address.")]})
    if tags is not None:
        article.tags.set(tags)
    article_reindex(article)


_ARTICLES = RecordWrites(apply=_apply, snapshot=article_snapshot)


def article_create(*, actor: User, data: ArticleData) -> Article:
    return _ARTICLES.create(actor, Article(), data)


def article_update(
    *, actor: User, article: Article, data: ArticleData, expected_version: int | None = None
) -> Article:
    return _ARTICLES.update(actor, article, data, expected_version)


def article_trash(*, actor: User, article: Article, expected_version: int | None = None) -> None:
    with transaction.atomic():
        record_trash(actor=actor, record=article, expected_version=expected_version)
        _remove_public(article)


def article_restore(*, actor: User, article: Article) -> None:
    record_restore(actor=actor, record=article, reindex=article_reindex)


# --- the help centre --------------------------------------------------------------------


def article_vote(*, article: Article, helpful: bool) -> None:
    """Count a visitor's "Was this helpful?" (the view counts one per session)."""
    field = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


def kb_search_miss_record(*, query: str, language: str) -> KbSearchMiss | None:
    """Note a help-centre search that found nothing, once per folded query."""
    folded = " ".join(_WORD.findall(fold(query)))[:200]
    if not folded or language not in Language.values:
        return None
    now = timezone.now()
    with transaction.atomic():
        miss, created = KbSearchMiss.objects.get_or_create(
            query=folded, language=language, defaults={"last_seen_at": now}
        )
        if not created:
            KbSearchMiss.objects.filter(pk=miss.pk).update(times=F("times") + 1, last_seen_at=now)
    return miss
