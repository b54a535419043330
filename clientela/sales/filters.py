"""The filters and sorts of the sales lists (leads, deals, orders, products, quotes),
declared on ``core.filters``; the selectors apply them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from clientela.core.filters import (
    ChoiceParam,
    DateParam,
    Errors,
    IdParam,
    ListFilters,
    Sorts,
    TextParam,
)
from clientela.sales.choices import DealStatus, LeadSource, LeadStatus, OrderStatus, QuoteStatus


@dataclass
class LeadFilters(ListFilters):
    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "status": ChoiceParam(LeadStatus.choices, message=_("Unknown status “%(value)s”.")),
        "source": ChoiceParam(LeadSource.choices, message=_("Unknown source “%(value)s”.")),
        "owner": IdParam(),
    }
    SORTS: ClassVar[Sorts] = {
        "created": ("created_at", "id"),
        "name": ("last_name", "first_name", "id"),
        "company": ("company", "id"),
        "email": ("email", "id"),
        "status": ("status", "id"),
        "source": ("source", "id"),
        "score": ("score", "id"),
        "owner": ("owner__username", "id"),
    }
    DEFAULT_SORT = "-created"

    q: str = ""
    status: str = ""
    source: str = ""
    owner: int | None = None
    sort: str = "created"
    descending: bool = True


def parse_month(value: str) -> tuple[int, int] | None:
    """ "2031-03" as (2031, 3); None if it is not a month."""
    try:
        year_s, month_s = value.split("-")
        year, month = int(year_s), int(month_s)
    except ValueError:
        return None
    if not 1 <= year <= 9999 or not 1 <= month <= 12 or len(year_s) != 4:
        return None
    return year, month


class MonthParam(forms.Field):
    """A month as YYYY-MM, cleaned to (year, month)."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "invalid": _("Give the month as YYYY-MM.")
    }

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> tuple[int, int] | None:
        text = str(value or "").strip()
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


@dataclass
class DealFilters(ListFilters):
    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "pipeline": IdParam(),
        "stage": IdParam(),
        "owner": IdParam(),
        "team": IdParam(),
        "organization": IdParam(),
        "person": IdParam(),
        "status": ChoiceParam(DealStatus.choices, message=_("Choose open, won or lost.")),
        "close_month": MonthParam(),
    }
    SORTS: ClassVar[Sorts] = {
        "title": ("title", "id"),
        "stage": ("stage__position", "id"),
        "status": ("status", "id"),
        "amount": ("amount", "id"),
        "probability": ("probability", "id"),
        "close_date": ("close_date", "id"),
        "owner": ("owner__username", "id"),
        "organization": ("organization__name", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
    }
    DEFAULT_SORT = "-updated"

    pipeline: int | None = None
    stage: int | None = None
    status: str = ""
    owner: int | None = None
    team: int | None = None
    organization: int | None = None
    person: int | None = None
    #: (year, month) of the expected close date.
    close_month: tuple[int, int] | None = None
    q: str = ""
    sort: str = "updated"
    descending: bool = True


@dataclass
class OrderFilters(ListFilters):
    """The order list's filters and sort, parsed once from a query string (pages) or
    from typed parameters (the API)."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "status": ChoiceParam(
            OrderStatus.choices, message=_("Choose open, fulfilled or cancelled.")
        ),
        "person_id": IdParam(),
        "organization_id": IdParam(),
        "owner": IdParam(),
        "date_from": DateParam(message=_("Enter a date as YYYY-MM-DD.")),
        "date_to": DateParam(message=_("Enter a date as YYYY-MM-DD.")),
        "q": TextParam(limit=100),
    }
    SORTS: ClassVar[Sorts] = {
        "ordered": ("ordered_at", "id"),
        "number": ("number", "id"),
        "total": ("total", "id"),
        "status": ("status", "ordered_at", "id"),
        "currency": ("currency", "total", "id"),
    }
    DEFAULT_SORT = "-ordered"

    status: str = ""
    person_id: int | None = None
    organization_id: int | None = None
    owner: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""
    sort: str = "ordered"
    descending: bool = True

    def clean(self, params: Mapping[str, Any], errors: Errors, **context: Any) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            errors["date_to"] = [str(_("The end date is before the start date."))]
            self.date_to = None


#: Sort keys of the product and quote lists and their columns (a ``-`` prefix
#: reverses); an unknown one falls back to the default without a word.
PRODUCT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "sku": ("sku", "id"),
    "price": ("currency", "unit_price", "id"),
    "kind": ("kind", "name", "id"),
    "updated": ("updated_at", "id"),
}
DEFAULT_PRODUCT_SORT = "name"
QUOTE_SORTS: dict[str, tuple[str, ...]] = {
    "date": ("issue_date", "id"),
    "number": ("number", "revision", "id"),
    "total": ("total", "id"),
    "valid": ("valid_until", "id"),
    "status": ("status", "id"),
}
DEFAULT_QUOTE_SORT = "-date"


@dataclass
class QuoteFilters(ListFilters):
    """The quote list's status tab and order, as an export reads them (the page itself
    ignores an unknown value without a word)."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "status": ChoiceParam(QuoteStatus.choices, message=_("Unknown status “%(value)s”.")),
    }
    SORTS = QUOTE_SORTS
    DEFAULT_SORT = DEFAULT_QUOTE_SORT

    status: str = ""
    sort: str = "date"
    descending: bool = True


#: The product list's ``show`` tabs: active products (none given), inactive, all.
PRODUCT_SHOW: dict[str, bool | None] = {"": True, "inactive": False, "all": None}


@dataclass
class ProductFilters(ListFilters):
    """The product list's tab, search and order, as an export reads them."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "show": ChoiceParam(
            [("inactive", _("Inactive")), ("all", _("All"))],
            message=_("Unknown value “%(value)s”."),
        ),
        "q": TextParam(limit=100),
    }
    SORTS = PRODUCT_SORTS
    DEFAULT_SORT = DEFAULT_PRODUCT_SORT

    show: str = ""
    q: str = ""
    sort: str = "name"
    descending: bool = False

    @property
    def active(self) -> bool | None:
        """``product_list``'s ``active``: True (the default tab), False or None (all)."""
        return PRODUCT_SHOW[self.show]
