"""Google's label columns (issue 12 item 4): ``Phone 1 - Label`` / ``E-mail 1 - Label`` /
``Address 1 - Label`` give each phone, e-mail and address its kind (Mobile, Work, Home; a
label of the user's own is "other", named in the report), unless the column was mapped
to a kind on purpose; ``Website 1 - Label`` goes with the web page into the notes.
Outlook's business, home and other addresses (streets on up to three lines), phones and
e-mails land as typed details."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Address, EmailAddress, Person, PhoneNumber
from clientela.integrations import selectors
from clientela.integrations.imports.labels import (
    PHONE_LABELS,
    address_groups,
    label_columns,
    label_kind,
    own_label,
)
from clientela.integrations.imports.mapping import guess_mapping
from clientela.integrations.models import RowIssueKind
from clientela.integrations.tests.test_import_services import DATA, _media, import_file

pytestmark = pytest.mark.django_db

__all__ = ["_media"]


def kinds(model: Any, person: Person, field: str) -> list[tuple[str, str]]:
    rows = model.objects.filter(person=person).order_by("-is_primary", "id")
    return list(rows.values_list(field, "kind"))


def test_google_labels_give_the_kinds(rep_north: Any) -> None:
    import_file(rep_north, DATA / "google_national.csv")
    lucia = Person.objects.get(last_name="Pérez")
    # "Mobile", then "Tienda" (her own label): other.
    assert kinds(PhoneNumber, lucia, "number") == [
        ("+34612345678", "mobile"),
        ("+34911234567", "other"),
    ]
    tom = Person.objects.get(last_name="Baker")
    assert kinds(PhoneNumber, tom, "number") == [("+442079460000", "work")]
    marie = Person.objects.get(last_name="Dupont")
    assert kinds(EmailAddress, marie, "address") == [("marie@exemple.fr", "personal")]
    shop = Person.objects.get(last_name="info@tienda.example")
    assert kinds(EmailAddress, shop, "address") == [("info@tienda.example", "work")]


def test_older_type_columns_and_spanish_headers() -> None:
    headers = ["Teléfono 1 - Tipo", "Teléfono 1 - Valor", "Phone 2 - Type", "Phone 2 - Value"]
    columns = label_columns(headers, ["", "phone", "", "phone"])
    assert columns == {1: 0, 3: 2}
    cells = ["Móvil", "612 345 678", "Work Fax", "+1 415 555 0100"]
    assert label_kind(cells, columns[1], PHONE_LABELS, "mobile") == "mobile"
    assert label_kind(cells, columns[3], PHONE_LABELS, "mobile") == "fax"
    assert label_kind(["", ""], 0, PHONE_LABELS, "mobile") == "mobile"


def addresses(person: Person) -> list[tuple[str, ...]]:
    rows = Address.objects.filter(person=person).order_by("-is_primary", "id")
    return list(rows.values_list("kind", "street", "city", "postal_code", "country"))


def test_google_address_and_website_labels_and_labels_of_ones_own(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "google_labels.csv")
    assert (job.created, job.failed) == (2, 0)
    lucia = Person.objects.get(last_name="Pérez")
    # "Casa de verano" is no kind of Clientela's: the address is "other".
    assert addresses(lucia) == [
        ("home", "Calle Ancha 5", "Madrid", "28013", "ES"),
        ("other", "Paseo Marítimo 3", "Cádiz", "11010", "ES"),
    ]
    assert kinds(PhoneNumber, lucia, "number") == [
        ("+34612345678", "mobile"),
        ("+34911234567", "work"),
        ("+34956123456", "other"),
    ]
    assert kinds(EmailAddress, lucia, "address") == [
        ("lucia@correo.example", "personal"),
        ("pedidos@tienda.example", "other"),
    ]
    # The web pages are kept in the notes, with Google's label when there is one.
    assert lucia.notes == "Blog: https://lucia.example/blog\nhttps://tienda.example"
    # The user's own labels stay visible: the report names each.
    own = [
        (i.row, i.column, i.value, i.message)
        for i in selectors.import_issues(job=job, dry_run=False).filter(kind=RowIssueKind.NOTE)
        if "of your own" in i.message
    ]
    assert own == [
        (
            2,
            "Address 2 - Label",
            "Casa de verano",
            "Label of your own “Casa de verano”: imported as Other.",
        ),
        (2, "E-mail 2 - Label", "Tienda", "Label of your own “Tienda”: imported as Other."),
        (
            2,
            "Phone 3 - Label",
            "Casa de verano",
            "Label of your own “Casa de verano”: imported as Other.",
        ),
    ]
    tom = Person.objects.get(last_name="Baker")
    assert [(k, c) for k, _s, c, _p, _c in addresses(tom)] == [("work", "London"), ("home", "Bath")]
    assert kinds(PhoneNumber, tom, "number") == [
        ("+442079460000", "work"),
        ("+442079460001", "fax"),
        ("+442079460002", "home"),
    ]
    assert kinds(EmailAddress, tom, "address") == [
        ("tom@baker.example", "work"),
        ("tom@old.example", "other"),
    ]
    assert tom.notes == "Work: https://baker.example"


def test_google_address_groups_by_number_with_their_label_columns() -> None:
    headers = [
        "Address 1 - Type",
        "Address 1 - City",
        "Dirección 2 - Etiqueta",
        "Dirección 2 - Ciudad",
    ]
    groups = address_groups(headers, ["", "city", "", "city"])
    assert [(g.kind, g.parts, g.label) for g in groups] == [
        ("", {"city": [1]}, 0),
        ("", {"city": [3]}, 2),
    ]
    assert own_label(["Casa de verano"], 0, PHONE_LABELS) == "Casa de verano"
    assert own_label(["* Home"], 0, PHONE_LABELS) == ""
    assert own_label([""], 0, PHONE_LABELS) == ""


def test_outlook_street_lines_and_more_emails_are_mapped() -> None:
    headers = ["Business Street", "Business Street 2", "Business Street 3", "Business City"]
    headers += ["E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Car Phone", "Pager"]
    assert guess_mapping(headers, "people") == [
        "street",
        "street",
        "street",
        "city",
        "email",
        "email_other",
        "email_other",
        "phone_other",
        "phone_other",
    ]
    # "City" and "Ciudad" are still one city.
    assert guess_mapping(["City", "Ciudad", "Last name"], "people") == ["city", "", "last_name"]


def test_a_column_mapped_to_a_kind_keeps_it() -> None:
    headers = ["Phone 1 - Label", "Phone 1 - Value"]
    assert label_columns(headers, ["", "phone_home"]) == {}


def test_outlook_business_home_and_other_addresses_and_phones(rep_north: Any) -> None:
    job = import_file(rep_north, DATA / "outlook_addresses.csv")
    assert (job.created, job.failed) == (2, 0)
    ana = Person.objects.get(last_name="Torres")
    addresses = list(
        Address.objects.filter(person=ana)
        .order_by("-is_primary", "id")
        .values_list("kind", "street", "city", "postal_code", "country")
    )
    # Outlook's second and third street lines join the street.
    assert addresses == [
        ("work", "Calle Mayor 1, Planta 3, Puerta B", "Madrid", "28013", "ES"),
        ("home", "Calle Ancha 5, 2º izquierda", "Toledo", "45001", "ES"),
        ("other", "Rua Augusta 10", "Lisboa", "", "PT"),
    ]
    assert (ana.city, ana.country) == ("Madrid", "ES")
    assert sorted(kinds(PhoneNumber, ana, "number")) == [
        ("+34600111222", "other"),
        ("+34600333444", "other"),
        ("+34612345678", "mobile"),
        ("+34915555123", "work"),
        ("+34915555124", "work"),
        ("+34925555321", "home"),
    ]
    # Outlook says nothing of its e-mails' kinds: the first is work, the others other.
    assert kinds(EmailAddress, ana, "address") == [
        ("ana@libreriasol.example", "work"),
        ("ana.torres@correo.example", "other"),
        ("ana@torres.example", "other"),
    ]
    # Only a home address: it is the primary, of its kind.
    ben = Person.objects.get(last_name="Hall")
    [home] = Address.objects.filter(person=ben)
    assert (home.kind, home.city, home.region, home.country, home.is_primary) == (
        "home",
        "Boston",
        "MA",
        "US",
        True,
    )
    assert kinds(PhoneNumber, ben, "number") == [("+16175550100", "other")]
