"""The condition fields of people and organizations (``core.conditions``), named as in
the API's schemas (``city``, ``tags``, ``relationships``, ``custom.<key>``…), for
marketing's segments and later automation's rules. Every test reads the record's own
columns and indexes, or its id in a subquery on an indexed column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.contacts.choices import Channel, RelationshipKind
from clientela.contacts.models import Membership, Organization, Person, Relationship, tagged
from clientela.core.choices import Language
from clientela.core.conditions import (
    ConditionField,
    FieldType,
    register_condition_field,
    register_field_source,
)
from clientela.core.conditions.build import (
    NOTHING,
    Carrying,
    column_q,
    custom_field_source,
    record_fields,
    tag_choices,
    tags_q,
)

PERSON, ORGANIZATION = Person.RESOURCE, Organization.RESOURCE
TEXT_OPS = ("eq", "ne", "in", "contains", "exists")


def tag_keys(prefix: str = "") -> Carrying:
    """How people and organizations hold their tags, for ``build.tags_q``: the ids in
    the record's ``tag_key`` (its list indexes hold it), or in that of the person or
    organization a record reaches through ``prefix`` ("organization__")."""

    def carrying(ids: list[int] | None) -> Q:
        if ids is None:
            return Q(**{f"{prefix}tag_key__gt": ""})
        found = NOTHING
        for pk in ids:
            found |= tagged(pk, prefix)
        return found

    return carrying


def _relationships_q(owner: str) -> Callable[[Any, str, Any], Q]:
    def q(user: Any, op: str, value: Any) -> Q:
        rows = Relationship.objects.filter(**{f"{owner}__isnull": False})
        if op != "exists":
            rows = rows.filter(kind__in=value if op == "in" else [value])
        found = Q(pk__in=rows.values(owner))
        return ~found if op == "ne" or (op == "exists" and not value) else found

    return q


def _organization_q(column: str) -> Callable[[Any, str, Any], Q]:
    """A person belonging to a live organization that meets the test; ``ne`` and
    "not filled in" are the people belonging to none that has the value."""
    inner = column_q(column)

    def members(test: Q) -> Q:
        orgs = Organization.objects.alive().filter(test).values("pk")
        return Q(pk__in=Membership.objects.filter(organization__in=orgs).values("person_id"))

    def q(user: Any, op: str, value: Any) -> Q:
        if op == "ne":
            return ~members(inner(user, "eq", value))
        if op == "exists" and not value:
            return ~members(inner(user, "exists", True))
        return members(inner(user, op, value))

    return q


def _common(resource: str, group: Any) -> list[ConditionField]:
    """What both kinds have: contact columns, tags, owner, team, relationships."""

    def f(key: str, label: Any, kind: str, q: Any, **extra: Any) -> ConditionField:
        return ConditionField(
            key=key, label=label, resource=resource, type=kind, q=q, group=group, **extra
        )

    owner = "person" if resource == PERSON else "organization"
    return [
        f("email", _("E-mail"), FieldType.TEXT, column_q("email"), order=10),
        f("phone", _("Phone"), FieldType.TEXT, column_q("phone"), order=10),
        f("city", _("City"), FieldType.TEXT, column_q("city"), order=10),
        f(
            "country",
            _("Country"),
            FieldType.TEXT,
            column_q("country"),
            help=_("ISO 3166 code, e.g. ES"),
            order=10,
        ),
        f(
            "tags",
            _("Tags"),
            FieldType.TAGS,
            tags_q(tag_keys()),
            choices=tag_choices,
            order=10,
        ),
        f(
            "relationships",
            _("Relationship"),
            FieldType.CHOICE,
            _relationships_q(owner),
            ops=("eq", "ne", "in", "exists"),
            choices=lambda: list(RelationshipKind.choices),
            help=_("“is” means the record has this role among others."),
            order=10,
        ),
        *record_fields(resource, group),
    ]


def person_fields() -> list[ConditionField]:
    group, org = _("Person"), _("Organization")

    def f(key: str, label: Any, kind: str, q: Any, **extra: Any) -> ConditionField:
        return ConditionField(key=key, label=label, resource=PERSON, type=kind, q=q, **extra)

    return [
        f("first_name", _("First name"), FieldType.TEXT, column_q("first_name"), group=group),
        f("last_name", _("Last name"), FieldType.TEXT, column_q("last_name"), group=group),
        f(
            "preferred_language",
            _("Language"),
            FieldType.CHOICE,
            column_q("preferred_language"),
            choices=lambda: list(Language.choices),
            group=group,
        ),
        f(
            "preferred_channel",
            _("Preferred channel"),
            FieldType.CHOICE,
            column_q("preferred_channel"),
            choices=lambda: list(Channel.choices),
            group=group,
        ),
        f(
            "birthday",
            _("Birthday"),
            FieldType.BOOL,
            lambda user, op, value: Q(birthday_md__isnull=not value),
            ops=("exists",),
            group=group,
        ),
        *_common(PERSON, group),
        *[
            f(
                f"organization.{name}",
                label,
                FieldType.TEXT,
                _organization_q(name),
                ops=TEXT_OPS,
                group=org,
                order=30,
            )
            for name, label in (
                ("name", _("Organization's name")),
                ("city", _("Organization's city")),
                ("country", _("Organization's country")),
                ("industry", _("Organization's industry")),
            )
        ],
    ]


def organization_fields() -> list[ConditionField]:
    group = _("Organization")

    def f(key: str, label: Any, q: Any) -> ConditionField:
        return ConditionField(
            key=key, label=label, resource=ORGANIZATION, type=FieldType.TEXT, q=q, group=group
        )

    return [
        f("name", _("Name"), column_q("name")),
        f("industry", _("Industry"), column_q("industry")),
        f("website", _("Website"), column_q("website")),
        *_common(ORGANIZATION, group),
    ]


def register() -> None:
    for condition_field in [*person_fields(), *organization_fields()]:
        register_condition_field(condition_field)
    register_field_source(custom_field_source(PERSON))
    register_field_source(custom_field_source(ORGANIZATION))
