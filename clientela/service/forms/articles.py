"""The knowledge base's forms: an article, and the list's filter panel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.forms import BootstrapMixin, set_choices
from clientela.service.choices import ArticleStatus
from clientela.service.models import Article
from clientela.service.selectors.articles import article_categories, translation_candidates
from clientela.service.services.articles import ArticleData

BLANK: list[tuple[Any, Any]] = [("", "—")]


def _categories() -> list[tuple[Any, Any]]:
    return BLANK + [(c.pk, c.name) for c in article_categories()]


def translation_choices(user: Any, article: Article | None) -> list[tuple[Any, Any]]:
    """The articles this one may be linked to, as "Title (es)"."""
    if user is None:
        return []
    found = translation_candidates(user=user, article=article)
    return [(a.pk, f"{a.title} ({a.language})") for a in found]


class ArticleForm(BootstrapMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    slug = forms.CharField(
        label=_("Web address"),
        max_length=120,
        required=False,
        help_text=_("The end of the help centre's link; made from the title when empty."),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=50000,
        widget=forms.Textarea({"rows": 14}),
        help_text=_("Markdown: **bold**, *italic*, lists, [links](https://…), ## headings."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    translation_of = forms.TypedChoiceField(
        label=_("Same article in the other language"), required=False, coerce=int, empty_value=None
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, users: Any = (), user: Any = None, record: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", _categories())
        set_choices(self, "translation_of", BLANK + translation_choices(user, record))

    @classmethod
    def initial_for(cls, article: Article) -> dict[str, Any]:
        other = article.other_version
        return {
            "title": article.title,
            "slug": article.slug,
            "body": article.body,
            "language": article.language,
            "status": article.status,
            "category": article.category_id,
            "translation_of": other.pk if other else None,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "version": article.version,
        }

    def to_data(self, article: Article | None) -> ArticleData:
        c = self.cleaned_data
        data: ArticleData = {
            "title": c["title"],
            "body": c["body"],
            "language": c["language"],
            "status": c["status"],
            "category_id": c.get("category"),
            "tags": [t.strip() for t in c.get("tags", "").split(",") if t.strip()],
        }
        if c.get("slug") or article is None:
            data["slug"] = c.get("slug") or ""
        other = article.other_version if article is not None else None
        if article is None or other is None or c.get("translation_of") != other.pk:
            data["translation_of_id"] = c.get("translation_of")
        return data


class ArticleFilterForm(forms.Form):
    """Only renders the list's filter panel; ``ArticleFilters.from_params`` parses."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=BLANK + list(ArticleStatus.choices)
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=BLANK + list(Language.choices)
    )
    category_id = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category_id", _categories())


def article_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> ArticleFilterForm:
    return ArticleFilterForm(initial=initial)
