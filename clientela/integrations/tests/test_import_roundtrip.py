"""Round trip: any valid person, exported (CSV, vCard) and imported into an empty base,
comes back with the same data."""

from __future__ import annotations

import datetime
import string
from collections.abc import Iterator
from typing import Any, cast

import phonenumbers
import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from clientela.contacts import details as d
from clientela.contacts.birthdays import Birthday
from clientela.contacts.choices import AddressKind, EmailKind, PhoneKind
from clientela.contacts.models import Address, EmailAddress, Person, PhoneNumber
from clientela.contacts.services import PersonData, person_create
from clientela.core.models import Tag
from clientela.integrations import services
from clientela.integrations.exports import FORMATS, KINDS
from clientela.integrations.tests.test_import_services import _media

pytestmark = pytest.mark.django_db

__all__ = ["_media"]

REGIONS = ["ES", "US", "GB", "DE", "MX", "FR"]
LETTERS = string.ascii_letters + "áéíóúñÁÉÑüçøß"

word = st.text(alphabet=LETTERS + "'-\"", min_size=1, max_size=10).filter(lambda w: w[0] in LETTERS)
name = st.builds(
    lambda lead, words, sep: lead + sep.join(words),
    st.sampled_from(["", "", "="]),
    st.lists(word, min_size=1, max_size=3),
    st.sampled_from([" ", ", "]),
)


def _phone(region: str, kind: Any) -> str:
    number = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(
        region
    )
    assert number is not None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


PHONE_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
phone_numbers = st.builds(_phone, st.sampled_from(REGIONS), st.sampled_from(PHONE_TYPES))
emails = st.lists(
    st.tuples(
        st.from_regex(
            r"[a-z][a-z0-9]{0,4}(\.[a-z0-9]{1,4})?@[a-z]{2,8}\.(com|es|org)", fullmatch=True
        ),
        st.sampled_from(EmailKind.values),
    ),
    max_size=3,
    unique_by=lambda e: e[0],
)
phones = st.lists(
    st.tuples(phone_numbers, st.sampled_from(PhoneKind.values)),
    max_size=3,
    unique_by=lambda p: p[0],
)
addresses = st.lists(
    st.tuples(
        st.sampled_from(REGIONS),
        st.sampled_from(AddressKind.values),
        st.builds(lambda s, n: f"{s} {n}", name, st.integers(1, 200)),
        name,
        st.sampled_from(["", "Madrid", "CA"]),
        st.from_regex(r"[0-9]{5}", fullmatch=True),
    ),
    max_size=2,
)
tag_names = st.lists(
    st.builds(lambda a, b: a + b, word, st.sampled_from(["", ", plus", " & co"])),
    max_size=3,
    unique_by=lambda t: t.casefold(),
)
notes = st.lists(st.text(alphabet=LETTERS + " ,;\"'=", max_size=20), max_size=3).map(
    lambda lines: "\n".join(line.strip() for line in lines).strip()
)
people = st.fixed_dictionaries(
    {
        "first_name": name,
        "last_name": name,
        "emails": emails,
        "phones": phones,
        "addresses": addresses,
        # Up to today as each example is drawn (a bound taken at import goes stale).
        "birthday": st.none()
        | st.builds(timezone.localdate).flatmap(
            lambda today: st.dates(datetime.date(1900, 1, 1), today)
        )
        # Without a year (2000 is a leap year: 29 February too).
        | st.dates(datetime.date(2000, 1, 1), datetime.date(2000, 12, 31)).map(
            lambda day: Birthday(day.month, day.day)
        ),
        "tags": tag_names,
        "notes": notes,
        "preferred_language": st.sampled_from(["en", "es"]),
    }
)


def create(user: Any, raw: dict[str, Any]) -> Person:
    data: PersonData = {
        "first_name": raw["first_name"],
        "last_name": raw["last_name"],
        "birthday": raw["birthday"],
        "tags": raw["tags"],
        "notes": raw["notes"],
        "preferred_language": raw["preferred_language"],
        "emails": [d.EmailInput(a, k, i == 0) for i, (a, k) in enumerate(raw["emails"])],
        "phones": [d.PhoneInput(n, k, i == 0) for i, (n, k) in enumerate(raw["phones"])],
        "addresses": [
            d.AddressInput(c, k, s, city, region, postal, i == 0)
            for i, (c, k, s, city, region, postal) in enumerate(raw["addresses"])
        ],
    }
    return person_create(actor=user, data=data)


def snapshot(person: Person) -> dict[str, Any]:
    return {
        "names": (person.first_name, person.last_name),
        "emails": list(
            EmailAddress.objects.filter(person=person)
            .order_by("-is_primary", "id")
            .values_list("address", "kind")
        ),
        "phones": list(
            PhoneNumber.objects.filter(person=person)
            .order_by("-is_primary", "id")
            .values_list("number", "kind")
        ),
        "addresses": list(
            Address.objects.filter(person=person)
            .order_by("-is_primary", "id")
            .values_list("country", "kind", "street", "city", "region", "postal_code")
        ),
        "birthday": person.birthday,
        "tags": sorted(t.name for t in person.tags.all()),
        "notes": person.notes.replace("\r\n", "\n"),
        "language": person.preferred_language,
    }


def round_trip(user: Any, raw: dict[str, Any], fmt: str) -> None:
    with transaction.atomic():
        original = snapshot(create(user, raw))
        # CSV, JSON and vCard, the formats this test runs, write text.
        chunks = cast(Iterator[str], FORMATS[fmt].write(KINDS["people"], user=user))
        exported = "".join(chunks).encode("utf-8")
        # An empty base: the original and its tags are gone before the import.
        Person.objects.all().delete()
        Tag.objects.all().delete()
        job = services.import_upload(
            actor=user, upload=ContentFile(exported), filename=f"people.{fmt}"
        )
        job = services.import_configure(
            actor=user, job=job, kind="people", mapping=job.mapping, on_exact="create"
        )
        services.import_check(actor=user, job=job)
        job.refresh_from_db()
        assert job.preview["failed"] == 0, list(job.issues.values_list("column", "message"))
        services.import_start(actor=user, job=job)
        services.import_run(job=job)
        imported = snapshot(Person.objects.get())
        assert imported == original
        transaction.set_rollback(True)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Shrinking a failure through a whole import takes minutes; the failing example
    # is printed as generated.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(raw=people)
def test_csv_round_trip(rep_north: Any, raw: dict[str, Any]) -> None:
    round_trip(rep_north, raw, "csv")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Shrinking a failure through a whole import takes minutes; the failing example
    # is printed as generated.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(raw=people)
def test_vcard_round_trip(rep_north: Any, raw: dict[str, Any]) -> None:
    round_trip(rep_north, raw, "vcf")
