"""List filters and sorting for people and organizations, shared by the pages, the API
and exports: parse a query string once (``ContactFilters.from_params``), apply it after
the visibility scope (``apply_filters``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from clientela.contacts.choices import RelationshipKind
from clientela.contacts.models import tagged
from clientela.core import search
from clientela.core.custom_fields import clean_value, definitions, filter_q

#: sort key -> ORDER BY columns; every order ends in "id" so pages are stable.
SORTS: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts.person": {
        "name": ("last_name", "first_name", "id"),
        "first_name": ("first_name", "last_name", "id"),
        "email": ("email", "id"),
        "phone": ("phone", "id"),
        "city": ("city", "last_name", "first_name", "id"),
        "country": ("country", "city", "last_name", "id"),
        "birthday": ("birthday", "id"),
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


@dataclass
class ContactFilters:
    q: str = ""
    tag: int | None = None
    role: str = ""
    owner: int | None = None
    team: int | None = None
    country: str = ""
    city: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], *, resource: str
    ) -> tuple[ContactFilters, dict[str, list[str]]]:
        """Parse list parameters; bad values are reported (and left out), never fatal."""
        errors: dict[str, list[str]] = {}
        result = cls()
        result.q = str(params.get("q") or "").strip()[:200]
        for name in ("tag", "owner", "team"):
            raw = params.get(name)
            if raw in (None, ""):
                continue
            try:
                value = int(raw)
            except (TypeError, ValueError):
                errors[name] = [_("Enter a whole number.")]
                continue
            # Ids are 64-bit: a larger number would overflow the database driver.
            if not 0 < value < 2**63:
                errors[name] = [_("Enter a whole number.")]
                continue
            setattr(result, name, value)
        role = str(params.get("role") or "")
        if role and role not in RelationshipKind.values:
            errors["role"] = [_("Unknown relationship “%(value)s”.") % {"value": role}]
        else:
            result.role = role
        country = str(params.get("country") or "").strip().upper()
        if country and country not in countries:
            errors["country"] = [
                _("“%(value)s” is not a country code (use e.g. ES, US, MX).") % {"value": country}
            ]
        else:
            result.country = country
        result.city = str(params.get("city") or "").strip()[:100]
        result.custom = _parse_custom(params, resource, errors)
        sort = str(params.get("sort") or "name")
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key not in SORTS[resource]:
            errors["sort"] = [
                _("Cannot sort by “%(value)s”; choose one of: %(choices)s.")
                % {"value": sort, "choices": ", ".join(SORTS[resource])}
            ]
        else:
            result.sort, result.descending = key, descending
        return result, errors


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


def order_columns(resource: str, filters: ContactFilters) -> list[str]:
    columns = SORTS[resource][filters.sort]
    return [f"-{c}" if filters.descending else c for c in columns]


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
    return qs.order_by(*order_columns(resource, filters))
