"""The marketing lists' filters (``core.filters``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy

from clientela.core.choices import Language
from clientela.core.filters import ChoiceParam, ListFilters, Sorts, TextParam
from clientela.marketing.choices import CampaignStatus


@dataclass
class NamedFilters(ListFilters):
    """Segments and static lists: words of the name, by name or date."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {"q": TextParam(limit=200)}
    SORTS: ClassVar[Sorts] = {
        "name": ("name", "id"),
        "updated": ("updated_at", "id"),
        "created": ("created_at", "id"),
    }
    DEFAULT_SORT = "name"

    q: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass
class TemplateFilters(NamedFilters):
    """E-mail templates: words of the name or description, a version's language."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "language": ChoiceParam(
            Language.choices, message=gettext_lazy("Unknown language “%(value)s”.")
        ),
    }

    language: str = ""


@dataclass
class MemberFilters(ListFilters):
    """A segment's or a list's members: by name, e-mail, city or date added."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {}
    SORTS: ClassVar[Sorts] = {
        "name": ("last_name", "first_name", "id"),
        "email": ("email", "id"),
        "city": ("city", "last_name", "id"),
    }
    DEFAULT_SORT = "name"

    sort: str = "name"
    descending: bool = False


@dataclass
class CampaignFilters(ListFilters):
    """Campaigns: words of the name, a status; newest first by default."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "status": forms.ChoiceField(choices=CampaignStatus.choices, required=False),
    }
    SORTS: ClassVar[Sorts] = {
        "name": ("name", "id"),
        "created": ("created_at", "id"),
        "send_at": ("send_at", "id"),
    }
    DEFAULT_SORT = "-created"

    q: str = ""
    status: str = ""
    sort: str = "created"
    descending: bool = True
