"""List filters and sorting for people and organizations, shared by the pages, the API
and exports: parse a query string once (``ContactFilters.from_params``), apply it after
the visibility scope (``apply_filters``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from clientela.contacts.choices import RelationshipKind
from clientela.contacts.models import tagged
from clientela.core import search
from clientela.core.custom_fields import clean_value, definitions, filter_q
from clientela.core.filters import (
    ChoiceParam,
    Errors,
    IdParam,
    ListFilters,
    Sorts,
    TextParam,
)

#: sort key -> ORDER BY columns; every order ends in "id" so pages are stable.
SORTS: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts.person": {
        "name": ("last_name", "first_name", "id"),
        "first_name": ("first_name", "last_name", "id"),
        "email": ("email", "id"),
        "phone": ("phone", "id"),
        "city": ("city", "last_name", "first_name", "id"),
        "country": ("country", "city", "last_name", "id"),
        # In the calendar's order (January first), a birthday without a year included.
        "birthday": ("birthday_md", "id"),
        "owner": ("owner__username", "id"),
        "team": ("team__name", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
    },
    "contacts.organization": {
        "name": ("name", "id"),
        "email": ("email", "id"),
        "phone": ("phone", "id"),
        "city": ("city", "name", "id"),
        "country": ("country", "city", "name", "id"),
        "owner": ("owner__username", "id"),
        "team": ("team__name", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
    },
}


class CountryParam(ChoiceParam):
    """An ISO 3166 country code, in any letter case."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()

    def valid_value(self, value: Any) -> bool:
        return value in countries


@dataclass
class ContactFilters(ListFilters):
    """A people or organizations list's filters: ``from_params(params, resource=…)``
    (the kind's sorts and custom fields differ)."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "tag": IdParam(),
        "owner": IdParam(),
        "team": IdParam(),
        "role": ChoiceParam(
            RelationshipKind.choices, message=gettext_lazy("Unknown relationship “%(value)s”.")
        ),
        "country": CountryParam(
            (),
            message=gettext_lazy("“%(value)s” is not a country code (use e.g. ES, US, MX)."),
        ),
        "city": TextParam(limit=100),
    }
    DEFAULT_SORT = "name"

    q: str = ""
    tag: int | None = None
    role: str = ""
    owner: int | None = None
    team: int | None = None
    country: str = ""
    city: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    sort: str = "name"

    @classmethod
    def sorts(cls, **context: Any) -> Sorts:
        return SORTS[context["resource"]]

    def clean(self, params: Mapping[str, Any], errors: Errors, **context: Any) -> None:
        self.custom = _parse_custom(params, context["resource"], errors)


def _parse_custom(
    params: Mapping[str, Any], resource: str, errors: dict[str, list[str]]
) -> dict[str, str]:
    """The ``cf_<key>`` parameters whose field exists and whose value fits its type."""
    raw = {k: str(v) for k, v in params.items() if k.startswith("cf_") and v not in ("", None)}
    if not raw:
        return {}
    fields = {f.key: f for f in definitions(resource)}
    custom: dict[str, str] = {}
    for name, value in raw.items():
        field = fields.get(name[3:])
        if field is None:
            errors[name] = [_("There is no custom field “%(key)s”.") % {"key": name[3:]}]
            continue
        try:
            clean_value(field, value)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
            continue
        custom[name] = value
    return custom


def apply_filters(
    qs: QuerySet[Any], *, user: Any, resource: str, filters: ContactFilters | None
) -> QuerySet[Any]:
    filters = filters or ContactFilters()
    if filters.q:
        ids = search.matching_object_ids(user=user, resource=resource, query=filters.q)
        qs = qs.filter(pk__in=ids)
    if filters.tag is not None:
        qs = qs.filter(tagged(filters.tag))
    if filters.role:
        qs = qs.filter(relationships__kind=filters.role)
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.city:
        qs = qs.filter(city=filters.city)
    if filters.custom:
        qs = qs.filter(filter_q(resource, filters.custom))
    return qs.order_by(*filters.order_by(resource=resource))
