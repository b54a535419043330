"""Fixtures of the export tests: a person with every kind of detail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from clientela.contacts.birthdays import Birthday
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    PhoneInput,
    RelationshipInput,
)
from clientela.core.services import custom_field_create

#: Long, with accents, a comma, a semicolon, a backslash and a line break: escaping and
#: folding at 75 octets (never inside a character) are both needed.
NOTES = (
    "Prefiere que la llamen por la mañana; habla español, inglés y portugués. "
    "Pidió el catálogo de otoño\\invierno.\nSegunda línea: ñandú, pingüino, ☕ café."
)


@pytest.fixture
def custom_fields(admin: Any) -> None:
    custom_field_create(
        actor=admin,
        resource="contacts.person",
        key="vip_level",
        label="VIP level",
        field_type="choice",
        choices=["gold", "silver"],
    )
    custom_field_create(
        actor=admin,
        resource="contacts.person",
        key="newsletter",
        label="Newsletter",
        field_type="boolean",
    )


@pytest.fixture
def rich_person(
    rep_north: Any, person_factory: Any, organization_factory: Any, custom_fields: None
) -> Any:
    acme = organization_factory(rep_north, name="Acme; Sons, Ltd")
    return person_factory(
        rep_north,
        first_name="Ana María",
        last_name="O'Neil; Núñez, Jr.",
        birthday=Birthday(4, 12, 1985),
        preferred_language="es",
        preferred_channel="email",
        notes=NOTES,
        external_id="crm-42",
        emails=[
            EmailInput("ana@example.com", "work", True),
            EmailInput("ana.home@example.org", "personal"),
        ],
        phones=[PhoneInput("+34612345678", "mobile", True), PhoneInput("+34911234567", "work")],
        addresses=[
            AddressInput("ES", "work", "Calle Mayor 1, 2º", "Madrid", "Madrid", "28013", True),
            AddressInput("ES", "billing", "Apartado 7", "Sevilla", "", "41001"),
        ],
        relationships=[RelationshipInput("customer", datetime.date(2020, 1, 15))],
        memberships=[MembershipInput(acme.pk, "Buyer", True)],
        tags=["VIP", "Gold, Plus"],
        custom={"vip_level": "gold", "newsletter": True},
    )
