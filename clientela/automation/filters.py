"""The webhook list's filters (``core.filters``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from django import forms

from clientela.core.filters import ListFilters, Sorts, TextParam


@dataclass
class WebhookFilters(ListFilters):
    """Words of the URL or description; by URL or date."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {"q": TextParam(limit=200)}
    SORTS: ClassVar[Sorts] = {
        "url": ("url", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
    }
    DEFAULT_SORT = "url"

    q: str = ""
    sort: str = "url"
    descending: bool = False


@dataclass
class RuleFilters(ListFilters):
    """Words of the name or description, the kind of record, enabled or not; by name,
    date or last change."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "resource": TextParam(limit=50),
        "enabled": TextParam(limit=5),
    }
    SORTS: ClassVar[Sorts] = {
        "name": ("name", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
    }
    DEFAULT_SORT = "name"

    q: str = ""
    resource: str = ""
    enabled: str = ""
    sort: str = "name"
    descending: bool = False
