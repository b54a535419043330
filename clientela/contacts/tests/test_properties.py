"""Property tests: any valid person data survives ``person_create`` and comes back from
``person_get`` exactly as given, only normalized (names trimmed, e-mails lower-cased,
phones in E.164), and can be found by name."""

from __future__ import annotations

import datetime
from typing import Any

import phonenumbers
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientela.contacts.birthdays import Birthday
from clientela.contacts.selectors import person_get
from clientela.contacts.services import AddressInput, EmailInput, PhoneInput, person_create
from clientela.core import search
from clientela.core.models import User
from clientela.core.normalize import fold

pytestmark = pytest.mark.django_db

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóúñüçàèìòùâêôãõøåæœßÁÉÍÓÚÑÜÇØ"
REGIONS = ["US", "ES", "MX", "GB", "AR", "CO", "CL", "PE", "DE", "FR", "CA", "AU"]
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]
NUMBER_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]

word = st.text(alphabet=LETTERS, min_size=1, max_size=12)
name = st.builds(
    lambda parts, sep: sep.join(parts),
    st.lists(word, min_size=1, max_size=3),
    st.sampled_from([" ", "-", "'"]),
).filter(lambda n: len(n) <= 100)
padding = st.sampled_from(["", " ", "  ", "\t"])

atom = st.from_regex(r"[A-Za-z0-9_+-]{1,10}", fullmatch=True)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
email = st.builds(
    lambda local, labels, tld: ".".join(local) + "@" + ".".join([*labels, tld]),
    st.lists(atom, min_size=1, max_size=3),
    st.lists(label, min_size=1, max_size=2),
    st.from_regex(r"[A-Za-z]{2,6}", fullmatch=True),
)


@st.composite
def phone(draw: st.DrawFn) -> tuple[str, str, str]:
    """(region, the number as a person might type it, its E.164 form)."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from(NUMBER_TYPES)))
    assert example is not None
    typed = phonenumbers.format_number(example, draw(st.sampled_from(FORMATS)))
    return region, typed, phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


person_data = st.fixed_dictionaries(
    {
        "first_name": name,
        "last_name": name,
        "pad": padding,
        "emails": st.lists(email, min_size=0, max_size=3, unique_by=str.lower),
        "phone": phone(),
        "city": name,
        # Up to the site's today as each example is drawn, not the machine's at import.
        "birthday": st.none()
        | st.builds(timezone.localdate).flatmap(
            lambda today: st.dates(datetime.date(1900, 1, 1), today)
        ),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=person_data)
def test_valid_person_round_trips_normalized(admin: User, data: dict[str, Any]) -> None:
    region, typed_phone, e164 = data["phone"]
    pad = data["pad"]
    with transaction.atomic():
        created = person_create(
            actor=admin,
            data={
                "first_name": pad + data["first_name"] + pad,
                "last_name": data["last_name"] + pad,
                "emails": [EmailInput(pad + e) for e in data["emails"]],
                "phones": [PhoneInput(typed_phone)],
                "addresses": [AddressInput(country=region.lower(), city=data["city"])],
                "birthday": data["birthday"],
            },
        )
        got = person_get(user=admin, pk=created.pk)
        assert (got.first_name, got.last_name) == (data["first_name"], data["last_name"])
        expected_emails = [e.lower() for e in data["emails"]]
        assert [e.address for e in got.emailaddresss.all()] == expected_emails
        assert got.email == (expected_emails[0] if expected_emails else "")
        assert [p.number for p in got.phonenumbers.all()] == [e164]
        assert got.phone == e164
        assert (got.city, got.country) == (data["city"], region)
        assert got.birthday == Birthday.of(data["birthday"])
        assert got.version == 1
        hits = search.search(
            user=admin, query=fold(data["last_name"]), resources=["contacts.person"], limit=50
        )
        assert created.pk in [h.object_id for h in hits]
        transaction.set_rollback(True)
