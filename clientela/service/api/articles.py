"""What ``core.api.records`` needs to serve ``/kb/articles`` (list with ``q``, create,
retrieve, patch, delete) from the kind's declaration in ``service.kinds``. An article
the token's user may not read is a 404."""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field

from clientela.core.api import PageParams, api_user
from clientela.core.api.schemas import InputSchema, OutputSchema, RecordId, omissible
from clientela.core.choices import Language
from clientela.service.choices import ArticleStatus
from clientela.service.filters import ArticleFilters
from clientela.service.models import Article
from clientela.service.selectors import articles as selectors
from clientela.service.services import articles as services


class ArticleIn(InputSchema):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=50000, description="Markdown.")
    slug: str | None = Field(
        None,
        max_length=120,
        pattern=r"^([a-z0-9]+(-[a-z0-9]+)*)?$",
        description="The public address (lower-case letters, digits, hyphens); made from "
        "the title when left out or empty.",
    )
    language: Language = omissible("en or es.")
    status: ArticleStatus = omissible("draft or published (only published ones are public).")
    category_id: RecordId | None = None
    translation_of_id: RecordId | None = Field(
        None, description="The same article in the other language."
    )
    tags: list[str] | None = Field(None, max_length=50)


class ArticlePatch(ArticleIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class ArticleOut(OutputSchema):
    id: int
    title: str
    slug: str
    body: str
    language: str
    status: str
    category_id: int | None
    translation_of_id: int | None
    author_id: int
    helpful_count: int
    not_helpful_count: int
    published_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ArticleListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the title or text.")
    status: ArticleStatus | None = None
    language: Language | None = None
    category_id: RecordId | None = None
    sort: str = Field(
        "title",
        max_length=20,
        pattern=r"^-?(title|updated|created|helpful)$",
        description="Sort by `title`, `updated`, `created` or `helpful` (`-key` descends).",
    )


def article_out(article: Article) -> ArticleOut:
    return ArticleOut(
        id=article.pk,
        title=article.title,
        slug=article.slug,
        body=article.body,
        language=article.language,
        status=article.status,
        category_id=article.category_id,
        translation_of_id=article.translation_of_id,
        author_id=article.owner_id,
        helpful_count=article.helpful_count,
        not_helpful_count=article.not_helpful_count,
        published_at=article.published_at,
        version=article.version,
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


def article_data(payload: ArticleIn) -> services.ArticleData:
    raw = payload.model_dump(exclude_unset=True, exclude={"version"})
    data = {k: getattr(v, "value", v) for k, v in raw.items()}
    return cast(services.ArticleData, data)


def articles_query(request: HttpRequest, params: ArticleListParams) -> QuerySet[Article]:
    filters, errors = ArticleFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.article_list(user=api_user(request), filters=filters)


ARTICLE_DOCS = {
    "list": "Filters: `q` (words of the title, text, category or tags), `status`, "
    "`language`, `category_id`. By title by default.",
    "create": "A title and a text (Markdown) are required; a draft unless `status` says published.",
    "update": "Send only the fields to change.",
}
