"""Guessing the column mapping from the headers of real exports, English and Spanish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from clientela.contacts.exports import ORGANIZATION_COLUMNS, PERSON_COLUMNS
from clientela.core.services import custom_field_create
from clientela.integrations.imports.mapping import (
    ORGANIZATION_TARGETS,
    PEOPLE_TARGETS,
    TARGETS,
    guess_kind,
    guess_mapping,
    normalise,
    targets_for,
)
from clientela.integrations.imports.readers import VCARD_PEOPLE_HEADERS, open_table

DATA = Path(__file__).parent / "data" / "import"


def mapped(name: str) -> tuple[str, dict[str, str]]:
    headers = open_table(DATA / name).headers
    kind = guess_kind(headers)
    mapping = guess_mapping(headers, kind)
    assert len(mapping) == len(headers)
    return kind, {h: m for h, m in zip(headers, mapping, strict=True) if m}


def test_target_keys_and_multiple() -> None:
    keys = [t.key for t in PEOPLE_TARGETS]
    assert len(keys) == len(set(keys))
    for key in (
        "first_name",
        "full_name",
        "email_personal",
        "phone_fax",
        "organization",
        "website",
        "emails",
        "phones",
        "addresses",
        "relationships",
        "organizations",
    ):
        assert key in keys
    multiple = {t.key for t in PEOPLE_TARGETS if t.multiple}
    assert multiple == {
        "email",
        "email_personal",
        "email_other",
        "phone",
        "phone_mobile",
        "phone_work",
        "phone_home",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "phone_fax",
        "phone_other",
        "notes",
        "tags",
        # A person's web pages, all kept in the notes (Google's Website 1, 2…).
        "website",
    }
    org_keys = {t.key for t in ORGANIZATION_TARGETS}
    assert {"name", "website", "industry", "email", "street", "relationships"} <= org_keys
    assert "first_name" not in org_keys
    assert TARGETS["people"] == PEOPLE_TARGETS
    assert TARGETS["organizations"] == ORGANIZATION_TARGETS
    assert set(TARGETS) == {"people", "organizations", "orders"}


@pytest.mark.django_db
def test_targets_for_adds_custom_fields(admin: Any) -> None:
    custom_field_create(
        actor=admin,
        resource="contacts.person",
        key="vip_level",
        label="VIP level",
        field_type="text",
    )
    people = targets_for("people")
    assert people[-1].key == "cf:vip_level"
    assert people[-1].label == "VIP level"
    assert all(not t.key.startswith("cf:") for t in targets_for("organizations"))


def test_normalise() -> None:
    assert normalise("  Correo Electrónico 1 - Valor ") == "correo electronico valor"
    assert normalise("Business Country/Region") == "business country region"


def test_google_contacts() -> None:
    kind, found = mapped("google_contacts.csv")
    assert kind == "people"
    assert found["First Name"] == "first_name"
    assert found["Last Name"] == "last_name"
    assert found["E-mail 1 - Value"] == found["E-mail 2 - Value"] == "email"
    assert found["Phone 1 - Value"] == found["Phone 2 - Value"] == "phone"
    assert found["Organization Name"] == "organization"
    assert found["Organization Title"] == "job_title"
    assert (found["Address 1 - City"], found["Address 1 - Country"]) == ("city", "country")
    assert found["Birthday"] == "birthday"
    assert found["Labels"] == "tags"
    for ignored in ("E-mail 1 - Label", "Phone 1 - Label", "Address 1 - Formatted", "Middle Name"):
        assert ignored not in found


def test_google_contacts_old_format() -> None:
    headers = [
        "Name",
        "Given Name",
        "Additional Name",
        "Family Name",
        "Birthday",
        "Notes",
        "Group Membership",
        "E-mail 1 - Type",
        "E-mail 1 - Value",
        "Phone 1 - Type",
        "Phone 1 - Value",
        "Address 1 - City",
        "Address 1 - Country",
        "Organization 1 - Name",
        "Organization 1 - Title",
    ]
    assert guess_kind(headers) == "people"
    assert guess_mapping(headers, "people") == [
        "",
        "first_name",
        "",
        "last_name",
        "birthday",
        "notes",
        "tags",
        "",
        "email",
        "",
        "phone",
        "city",
        "country",
        "organization",
        "job_title",
    ]
    assert guess_mapping(["Name", "E-mail 1 - Value"], "people") == ["full_name", "email"]


def test_google_contacts_spanish() -> None:
    kind, found = mapped("google_contacts_es.csv")
    assert kind == "people"
    assert (found["Nombre"], found["Apellidos"]) == ("first_name", "last_name")
    assert found["Correo electrónico 1 - Valor"] == "email"
    assert found["Teléfono 1 - Valor"] == "phone"
    assert found["Nombre de la organización"] == "organization"
    assert found["Cargo en la organización"] == "job_title"
    assert (found["Dirección 1 - Ciudad"], found["Dirección 1 - País"]) == ("city", "country")
    assert found["Cumpleaños"] == "birthday"
    assert found["Etiquetas"] == "tags"
    assert "Correo electrónico 1 - Tipo" not in found
    assert "Segundo nombre" not in found


def test_outlook() -> None:
    kind, found = mapped("outlook.csv")
    assert kind == "people"
    assert "Title" not in found  # Outlook's Title is "Mr."; Job Title wins
    assert found["Job Title"] == "job_title"
    assert found["Company"] == "organization"
    assert found["E-mail Address"] == "email"
    # Outlook says no kind of its second and third e-mails: "other".
    assert found["E-mail 2 Address"] == found["E-mail 3 Address"] == "email_other"
    assert found["Mobile Phone"] == "phone_mobile"
    assert found["Business Phone"] == "phone_work"
    assert found["Home Phone"] == "phone_home"
    assert found["Business Fax"] == "phone_fax"
    assert (found["Business Street"], found["Business City"]) == ("street", "city")
    assert found["Business State"] == "region"
    assert found["Business Postal Code"] == "postal_code"
    assert found["Business Country/Region"] == "country"
    # Home and other addresses too, one column per part of each.
    assert (found["Home City"], found["Other Country/Region"]) == ("city", "country")
    # A street's second and third lines are joined to it.
    assert found["Business Street 2"] == found["Home Street 3"] == "street"
    assert found["Birthday"] == "birthday"
    assert found["Categories"] == "tags"
    assert found["Web Page"] == "website"
    assert found["Notes"] == "notes"
    assert "E-mail Display Name" not in found
    assert "Middle Name" not in found


def test_outlook_spanish() -> None:
    kind, found = mapped("outlook_es.csv")
    assert kind == "people"
    assert (found["Nombre"], found["Apellidos"]) == ("first_name", "last_name")
    assert found["Dirección de correo electrónico"] == "email"
    assert found["Dirección del correo electrónico 2"] == "email_other"
    assert found["Calle del trabajo 2"] == "street"  # the street's second line
    assert found["Teléfono móvil"] == "phone_mobile"
    assert found["Teléfono del trabajo"] == "phone_work"
    assert found["Teléfono particular"] == "phone_home"
    assert found["Organización"] == "organization"
    assert found["Puesto"] == "job_title"
    assert found["Calle del trabajo"] == "street"
    assert found["Ciudad de trabajo"] == "city"
    assert found["País o región del trabajo"] == "country"
    assert found["Código postal del trabajo"] == "postal_code"
    assert found["Cumpleaños"] == "birthday"
    assert found["Categorías"] == "tags"
    assert found["Página web"] == "website"
    assert "Tratamiento" not in found
    assert "Segundo nombre" not in found


def test_hubspot_contacts() -> None:
    kind, found = mapped("hubspot_contacts.csv")
    assert kind == "people"
    assert found["Record ID"] == "external_id"
    assert (found["First Name"], found["Last Name"], found["Email"]) == (
        "first_name",
        "last_name",
        "email",
    )
    assert found["Phone Number"] == "phone"
    assert found["Mobile Phone Number"] == "phone_mobile"
    assert found["Company Name"] == "organization"
    assert found["Job Title"] == "job_title"
    assert (found["City"], found["State/Region"], found["Country/Region"]) == (
        "city",
        "region",
        "country",
    )
    assert found["Contact owner"] == "owner"
    assert "Lifecycle Stage" not in found
    assert "Create Date" not in found


def test_hubspot_companies() -> None:
    kind, found = mapped("hubspot_companies.csv")
    assert kind == "organizations"
    assert found["Company name"] == "name"
    assert found["Record ID"] == "external_id"
    assert found["Website URL"] == "website"  # the full URL beats the bare domain
    assert "Company Domain Name" not in found
    assert found["Industry"] == "industry"
    assert found["Phone Number"] == "phone"
    assert (found["City"], found["Country/Region"]) == ("city", "country")


def test_salesforce_contacts() -> None:
    kind, found = mapped("salesforce_contacts.csv")
    assert kind == "people"
    assert found["Contact ID"] == "external_id"
    assert "Account ID" not in found
    assert (found["First Name"], found["Last Name"]) == ("first_name", "last_name")
    assert (found["Email"], found["Phone"], found["Mobile"]) == ("email", "phone", "phone_mobile")
    assert found["Account Name"] == "organization"
    assert found["Title"] == "job_title"
    assert (found["Mailing City"], found["Mailing Country"]) == ("city", "country")
    assert found["Mailing Zip/Postal Code"] == "postal_code"
    assert found["Mailing State/Province"] == "region"
    assert found["Birthdate"] == "birthday"
    assert found["Description"] == "notes"


def test_salesforce_accounts() -> None:
    headers = [
        "Account ID",
        "Account Name",
        "Website",
        "Industry",
        "Billing City",
        "Billing Country",
        "Phone",
    ]
    assert guess_kind(headers) == "organizations"
    assert guess_mapping(headers, "organizations") == [
        "external_id",
        "name",
        "website",
        "industry",
        "city",
        "country",
        "phone",
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_clientela_own_export_maps_every_column(language: str) -> None:
    with translation.override(language):
        people = [str(c.label) for c in PERSON_COLUMNS] + ["cf_vip_level"]
        organizations = [str(c.label) for c in ORGANIZATION_COLUMNS]
    people_keys = [c.key for c in PERSON_COLUMNS if c.key not in ("id", "team")]
    assert guess_kind(people) == "people"
    assert guess_kind(organizations) == "organizations"
    mapping = guess_mapping(people, "people")
    assert mapping[-1] == "cf:vip_level"
    assert [m for m in mapping[:-1] if m] == people_keys
    org_keys = [c.key for c in ORGANIZATION_COLUMNS if c.key not in ("id", "team")]
    assert [m for m in guess_mapping(organizations, "organizations") if m] == org_keys
    # Column keys, as in the vCard table, map to themselves.
    assert guess_mapping(VCARD_PEOPLE_HEADERS, "people") == [
        "" if h == "id" else h for h in VCARD_PEOPLE_HEADERS
    ]


def test_a_single_target_goes_to_the_first_column_only() -> None:
    assert guess_mapping(["City", "Ciudad", "Notes", "Notas"], "people") == [
        "city",
        "",
        "notes",
        "notes",
    ]


def test_fuzzy_match_of_misspelt_headers() -> None:
    assert guess_mapping(["Frist Name", "Emial Address", "Birthdays"], "people") == [
        "first_name",
        "email",
        "birthday",
    ]
    assert guess_mapping(["Favourite colour", ""], "people") == ["", ""]
