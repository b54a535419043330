"""Test data of the contacts kinds for the generic tests in ``core.testing``."""

from __future__ import annotations

from typing import Any

from clientela.contacts import services
from clientela.contacts.models import Organization, Person
from clientela.core.testing.kinds import KindFactory, register_kind_factory


def _person(owner: Any, label: str) -> Person:
    return services.person_create(actor=owner, data={"first_name": "Test", "last_name": label})


def _organization(owner: Any, label: str) -> Organization:
    return services.organization_create(actor=owner, data={"name": label})


PEOPLE = register_kind_factory(
    KindFactory(
        resource=Person.RESOURCE,
        make=_person,
        api_body=lambda actor, label: {"first_name": "Test", "last_name": label},
        change={"last_name": "Renamed"},
        required_field="last_name",
    )
)

ORGANIZATIONS = register_kind_factory(
    KindFactory(
        resource=Organization.RESOURCE,
        make=_organization,
        api_body=lambda actor, label: {"name": label},
        change={"name": "Renamed Ltd"},
        required_field="name",
    )
)
