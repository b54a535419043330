"""The knowledge base: articles agents write in Markdown, in English and Spanish,
published on the public help centre, and the searches there that found nothing."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models import CRMRecord, TimeStampedModel
from clientela.service.choices import ArticleStatus, CategoryKind
from clientela.service.models.config import Category


class Article(CRMRecord):
    """A help article in one language. Its ``owner`` is its author. The English and
    the Spanish version of one article point at each other through
    ``translation_of`` (the newer one names the first), so the page offers "Read in
    Español". ``slug`` is the public URL (``/help/<slug>/``), unique over every
    article, trashed ones included (a link once shared never changes target)."""

    RESOURCE = "service.article"

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    body = models.TextField(_("text"), max_length=50000)
    #: A category of the service desk's (``Category``) of the kind "article", which
    #: admins keep with the ticket categories; the help centre groups by it.
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        limit_choices_to={"kind": CategoryKind.ARTICLE},
        verbose_name=_("category"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.EN)
    translation_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translation",
        verbose_name=_("translation of"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("not helpful"), default=0)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="articles")

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(
                fields=["language", "status", "category"],
                name="service_article_public",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["updated_at", "id"], name="service_article_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def other_version(self) -> Article | None:
        """The same article in the other language, whichever side names the other."""
        if self.translation_of_id is not None:
            return self.translation_of
        return getattr(self, "translation", None)


def public_search_resource(language: str) -> str:
    """The key of the help centre's search entries in ``language``: each published
    article is indexed a second time under it, so a visitor's search ranks only what
    they may read (and needs no user)."""
    return f"{Article.RESOURCE}@{language}"


class KbSearchMiss(TimeStampedModel):
    """A help-centre search that found nothing, once per folded query and language:
    what customers look for that no article answers yet."""

    query = models.CharField(_("search"), max_length=200)
    language = models.CharField(_("language"), max_length=5, choices=Language)
    times = models.PositiveIntegerField(_("times"), default=1)
    last_seen_at = models.DateTimeField(_("last searched"))

    class Meta:
        ordering = ["-times", "-last_seen_at", "id"]
        verbose_name = _("search with no answer")
        verbose_name_plural = _("searches with no answer")
        constraints = [
            models.UniqueConstraint(fields=["query", "language"], name="service_kb_miss_unique")
        ]

    def __str__(self) -> str:
        return self.query
