"""Google's label columns (issue 12 item 4): ``Phone 1 - Label`` / ``E-mail 1 - Label``
give each phone and e-mail its kind (Mobile, Work, Home; a label of the user's own is
"other"), unless the column was mapped to a kind on purpose."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Address, EmailAddress, Person, PhoneNumber
from clientela.integrations.imports.labels import PHONE_LABELS, label_columns, label_kind
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
    assert addresses == [
        ("work", "Calle Mayor 1", "Madrid", "28013", "ES"),
        ("home", "Calle Ancha 5", "Toledo", "45001", "ES"),
        ("other", "Rua Augusta 10", "Lisboa", "", "PT"),
    ]
    assert (ana.city, ana.country) == ("Madrid", "ES")
    assert sorted(kinds(PhoneNumber, ana, "number")) == [
        ("+34612345678", "mobile"),
        ("+34915555123", "work"),
        ("+34925555321", "home"),
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
