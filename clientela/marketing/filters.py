"""The marketing lists' filters (``core.filters``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from django import forms

from clientela.core.filters import ListFilters, Sorts, TextParam
from clientela.marketing.choices import CampaignStatus


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
