"""Create and edit forms for people and organizations: the happy paths, every kind of
bad input (shown inline, nothing saved, what was typed kept), stale edits and the
multi-valued rows (e-mails, phones, addresses, relationships, organizations)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import EmailInput, MembershipInput, PhoneInput, person_update
from clientela.core.choices import Interface
from clientela.core.models import AuditEntry
from clientela.core.services import custom_field_create

pytestmark = pytest.mark.django_db

ROW_FIELDS = {
    "emails": ("address", "kind", "is_primary"),
    "phones": ("number", "kind", "is_primary"),
    "addresses": ("kind", "street", "postal_code", "city", "region", "country", "is_primary"),
    "relationships": ("kind", "since"),
    "memberships": ("organization", "job_title", "is_primary"),
}


def rows(prefix: str, items: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    """POST data of a formset as the browser sends it."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for i, item in enumerate(items):
        for key, value in item.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"{prefix}-{i}-{key}"] = value
    return data


def person_post(actor: Any, **overrides: Any) -> dict[str, Any]:
    lists = {
        "emails": overrides.pop("emails", [{"address": "ana@example.com", "kind": "work"}]),
        "phones": overrides.pop("phones", [{"number": "+34 612 345 678", "kind": "mobile"}]),
        "addresses": overrides.pop(
            "addresses", [{"kind": "home", "city": "Madrid", "country": "ES"}]
        ),
        "relationships": overrides.pop(
            "relationships", [{"kind": "customer", "since": "2021-03-01"}]
        ),
        "memberships": overrides.pop("memberships", []),
    }
    data: dict[str, Any] = {
        "first_name": "Ana",
        "last_name": "García",
        "birthday": "1990-05-17",
        "preferred_language": "es",
        "preferred_channel": "email",
        "tags": "VIP, newsletter",
        "owner": str(actor.pk),
        "notes": "Prefers mornings.",
        "version": "",
    }
    data.update(overrides)
    for prefix, items in lists.items():
        data.update(rows(prefix, items))
    return data


def org_post(actor: Any, **overrides: Any) -> dict[str, Any]:
    lists = {
        "emails": overrides.pop("emails", [{"address": "info@acme.test", "kind": "work"}]),
        "phones": overrides.pop("phones", []),
        "addresses": overrides.pop(
            "addresses", [{"kind": "work", "city": "Lima", "country": "PE"}]
        ),
        "relationships": overrides.pop("relationships", [{"kind": "supplier"}]),
    }
    data: dict[str, Any] = {
        "name": "Acme S.A.",
        "website": "acme.test",
        "industry": "Retail",
        "tags": "",
        "owner": str(actor.pk),
        "notes": "",
        "version": "",
    }
    data.update(overrides)
    for prefix, items in lists.items():
        data.update(rows(prefix, items))
    return data


CREATE_PERSON = reverse("contacts:person-create")
CREATE_ORG = reverse("contacts:organization-create")


def test_create_form_renders_every_input(client: Any, admin: Any, rep_north: Any) -> None:
    custom_field_create(
        actor=admin, resource=Person.RESOURCE, key="size", label="Shoe size", field_type="number"
    )
    client.force_login(rep_north)
    html = client.get(CREATE_PERSON).content.decode()
    assert 'name="first_name"' in html
    assert "autofocus" in html
    for prefix in ROW_FIELDS:
        assert f'name="{prefix}-TOTAL_FORMS"' in html
        assert f'data-formset-add="{prefix}"' in html
        assert f'<template data-formset-template="{prefix}">' in html
    assert 'name="cf_size"' in html
    assert 'type="number"' in html
    assert f'<option value="{rep_north.pk}" selected>' in html  # owner defaults to me
    assert 'type="date"' in html
    # The birthday: day, month and year apart, the year optional, the phone's number pad.
    assert 'name="birthday_day"' in html
    assert 'name="birthday_year"' in html
    assert 'autocomplete="bday-month"' in html
    assert 'inputmode="numeric"' in html


def test_birthday_without_a_year_from_the_form_and_back_into_it(
    client: Any, rep_north: Any
) -> None:
    client.force_login(rep_north)
    data = person_post(rep_north)
    del data["birthday"]
    data.update({"birthday_day": "21", "birthday_month": "5", "birthday_year": ""})
    response = client.post(CREATE_PERSON, data, follow=True)
    person = Person.objects.get()
    assert person.birthday == Birthday(5, 21)
    assert "May 21" in response.content.decode()  # the detail page, no year
    edit = client.get(edit_url(person)).content.decode()
    assert 'name="birthday_day" value="21"' in edit
    assert '<option value="5" selected>' in edit
    assert 'name="birthday_year"' in edit
    assert 'name="birthday_year" value=' not in edit


def test_birthday_parts_come_in_the_readers_order(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    english = client.get(CREATE_PERSON).content.decode()
    assert english.index('name="birthday_month"') < english.index('name="birthday_day"')
    rep_north.language = "es"
    rep_north.save()
    spanish = client.get(CREATE_PERSON).content.decode()
    assert spanish.index('name="birthday_day"') < spanish.index('name="birthday_month"')


def test_create_person_with_all_details(
    client: Any, rep_north: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north, name="Zeta Labs")
    client.force_login(rep_north)
    data = person_post(
        rep_north,
        emails=[
            {"address": "Ana@Example.com", "kind": "work"},
            {"address": "ana.home@example.com", "kind": "personal", "is_primary": True},
        ],
        memberships=[{"organization": str(org.pk), "job_title": "CTO"}],
    )
    response = client.post(CREATE_PERSON, data, follow=True)
    person = Person.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "contacts:person-detail", kwargs={"pk": person.pk}
    )
    assert "“Ana García” created." in response.content.decode()
    assert person.email == "ana.home@example.com"
    assert person.phone == "+34612345678"
    assert (person.city, person.country) == ("Madrid", "ES")
    assert person.birthday == Birthday(5, 17, 1990)
    assert sorted(t.name for t in person.tags.all()) == ["VIP", "newsletter"]
    assert person.relationships.get().since == datetime.date(2021, 3, 1)
    membership = person.memberships.get()
    assert (membership.organization, membership.job_title) == (org, "CTO")
    assert person.team == rep_north.team
    entry = AuditEntry.objects.get(object_id=person.pk, object_repr="Ana García")
    assert entry.interface == Interface.WEB
    assert entry.actor == rep_north


def test_blank_extra_rows_are_ignored(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    data = person_post(
        rep_north,
        emails=[{"address": "", "kind": "work"}],
        phones=[{"number": "", "kind": "mobile"}],
        addresses=[{"kind": "work", "country": ""}],
        relationships=[{"kind": ""}],
    )
    response = client.post(CREATE_PERSON, data)
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.email == ""
    assert not person.addresss.exists()


BAD_PERSON_INPUT = [
    ({"first_name": "", "last_name": ""}, "last_name", "Enter a first or a last name."),
    ({"emails": [{"address": "not-an-email", "kind": "work"}]}, "emails", "not a valid e-mail"),
    ({"phones": [{"number": "12", "kind": "mobile"}]}, "phones", "not a valid phone number"),
    ({"phones": [{"number": "call me maybe", "kind": "mobile"}]}, "phones", "phone number"),
    ({"birthday": "1200-01-01"}, "birthday", "between 1900 and today"),
    ({"birthday": "2999-01-01"}, "birthday", "between 1900 and today"),
    ({"birthday": "31/31/1990"}, "birthday", "YYYY-MM-DD"),
    ({"birthday_day": "31", "birthday_month": "4"}, "birthday", "does not exist in that month"),
    (
        {"birthday_day": "29", "birthday_month": "2", "birthday_year": "2023"},
        "birthday",
        "does not exist",
    ),
    (
        {"birthday_day": "5", "birthday_month": "", "birthday_year": ""},
        "birthday",
        "day and the month",
    ),
    ({"first_name": "x" * 101}, "first_name", "at most 100 characters"),
    ({"notes": "n" * 10001}, "notes", "at most 10000 characters"),
    ({"tags": "ok, " + "t" * 51}, "tags", "at most 50 characters"),
    (
        {"addresses": [{"kind": "home", "city": "Nowhere", "country": ""}]},
        "addresses",
        "needs a country",
    ),
    ({"addresses": [{"kind": "home", "country": "XX"}]}, "addresses", "Select a valid choice"),
    (
        {"addresses": [{"kind": "home", "country": "ES", "street": "s" * 201}]},
        "addresses",
        "at most 200",
    ),
    (
        {"relationships": [{"kind": "customer", "since": "2999-01-01"}]},
        "relationships",
        "past date",
    ),
    ({"relationships": [{"kind": "alien"}]}, "relationships", "Select a valid choice"),
    ({"memberships": [{"organization": "999999"}]}, "memberships", "Unknown organization"),
    ({"owner": "999999"}, "owner", "Select a valid choice"),
    ({"preferred_language": "xx"}, "preferred_language", "Select a valid choice"),
]


@pytest.mark.parametrize(("overrides", "where", "message"), BAD_PERSON_INPUT)
def test_bad_person_input_is_shown_inline_and_nothing_saved(
    client: Any, rep_north: Any, overrides: dict[str, Any], where: str, message: str
) -> None:
    client.force_login(rep_north)
    response = client.post(CREATE_PERSON, person_post(rep_north, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if where in ROW_FIELDS:
        errors_at = html.find(f'id="{where}-errors"')
        row_error = html.find(f'id="id_{where}-0-')
        assert errors_at != -1 or row_error != -1, where
    else:
        assert f'id="id_{where}-errors"' in html, where
        assert 'aria-invalid="true"' in html
    assert not Person.objects.exists()
    assert not AuditEntry.objects.exists()


def test_form_keeps_what_was_typed_after_an_error(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    data = person_post(
        rep_north,
        last_name="Keepme",
        emails=[{"address": "broken@", "kind": "personal"}],
        notes="Remember <this>",
    )
    html = client.post(CREATE_PERSON, data).content.decode()
    assert 'value="Keepme"' in html
    assert 'value="broken@"' in html
    assert "Remember &lt;this&gt;</textarea>" in html
    assert 'value="personal" selected' in html


def test_custom_fields_are_validated_per_type(client: Any, admin: Any, rep_north: Any) -> None:
    for key, kind, choices in [
        ("segment", "choice", ["Gold", "Silver"]),
        ("size", "number", None),
        ("since", "date", None),
        ("vip", "boolean", None),
    ]:
        custom_field_create(
            actor=admin,
            resource=Person.RESOURCE,
            key=key,
            label=key.title(),
            field_type=kind,
            choices=choices,
        )
    client.force_login(rep_north)
    bad = {"cf_segment": "Platinum", "cf_size": "huge", "cf_since": "yesterday", "cf_vip": "maybe"}
    html = client.post(CREATE_PERSON, person_post(rep_north, **bad)).content.decode()
    assert html.count("Select a valid choice") >= 2  # segment, vip
    assert "Enter a number." in html  # reported by the service, shown on the field
    assert 'id="id_cf_size-errors"' in html
    assert "Enter a valid date." in html
    assert not Person.objects.exists()
    good = {"cf_segment": "Gold", "cf_size": "42.5", "cf_since": "2020-02-02", "cf_vip": "true"}
    assert client.post(CREATE_PERSON, person_post(rep_north, **good)).status_code == 302
    assert Person.objects.get().custom == {
        "segment": "Gold",
        "size": "42.5",
        "since": "2020-02-02",
        "vip": True,
    }


def test_required_custom_field_is_required(client: Any, admin: Any, rep_north: Any) -> None:
    custom_field_create(
        actor=admin,
        resource=Person.RESOURCE,
        key="source",
        label="Source",
        field_type="text",
        required=True,
    )
    client.force_login(rep_north)
    html = client.post(CREATE_PERSON, person_post(rep_north)).content.decode()
    assert 'id="id_cf_source-errors"' in html
    assert not Person.objects.exists()


def test_script_in_notes_is_stored_as_text_and_shown_escaped(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    script = "<script>alert('x')</script>"
    response = client.post(
        CREATE_PERSON, person_post(rep_north, notes=script, first_name=script), follow=True
    )
    person = Person.objects.get()
    assert person.notes == script
    html = response.content.decode()
    assert script not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_sales_rep_cannot_give_a_record_to_another_team(
    client: Any, rep_north: Any, rep_south: Any
) -> None:
    client.force_login(rep_north)
    html = client.post(
        CREATE_PERSON, person_post(rep_north, owner=str(rep_south.pk))
    ).content.decode()
    assert "only give records to your own team" in html
    assert 'id="id_owner-errors"' in html
    assert not Person.objects.exists()


# --- edit -------------------------------------------------------------------------------


@pytest.fixture
def person(rep_north: Any, person_factory: Any, organization_factory: Any) -> Person:
    org = organization_factory(rep_north, name="Old Org")
    person: Person = person_factory(
        rep_north,
        first_name="Edna",
        last_name="Edit",
        emails=[EmailInput("edna@example.com")],
        phones=[PhoneInput("+14155550123")],
        memberships=[MembershipInput(org.pk, "Chair")],
    )
    return person


def edit_url(person: Person) -> str:
    return reverse("contacts:person-edit", kwargs={"pk": person.pk})


def test_edit_form_is_filled_in(client: Any, rep_north: Any, person: Person) -> None:
    client.force_login(rep_north)
    html = client.get(edit_url(person)).content.decode()
    assert 'value="Edna"' in html
    assert 'value="edna@example.com"' in html
    assert 'value="+14155550123"' in html
    assert 'name="version" value="1"' in html
    assert "Old Org" in html
    assert 'value="Chair"' in html
    assert 'name="emails-INITIAL_FORMS" value="1"' in html


def test_edit_person(client: Any, rep_north: Any, person: Person) -> None:
    client.force_login(rep_north)
    org = person.memberships.get().organization
    data = person_post(
        rep_north,
        first_name="Edwina",
        last_name="Edit",
        version="1",
        emails=[{"address": "edwina@example.com", "kind": "work", "is_primary": True}],
        phones=[{"number": "+14155550123", "kind": "work", "DELETE": True}],
        memberships=[{"organization": str(org.pk), "job_title": "Chair"}],
    )
    response = client.post(edit_url(person), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Edwina"
    assert person.email == "edwina@example.com"
    assert person.phone == ""
    assert not person.phonenumbers.exists()
    assert person.version == 2
    entry = AuditEntry.objects.filter(object_id=person.pk, action="update").get()
    assert entry.changes["first_name"] == ["Edna", "Edwina"]
    html = client.get(reverse("contacts:person-detail", kwargs={"pk": person.pk})).content.decode()
    assert "Edna" in html
    assert "Edwina" in html


def test_stale_edit_shows_a_conflict_and_changes_nothing(
    client: Any, rep_north: Any, rep_north2: Any, person: Person
) -> None:
    client.force_login(rep_north)
    client.get(edit_url(person))  # the form carries version 1
    person_update(actor=rep_north2, person=person, data={"last_name": "Changed"})
    data = person_post(rep_north, first_name="Mine", last_name="Mine", version="1")
    response = client.post(edit_url(person), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone changed this record" in html
    assert 'value="Mine"' in html  # what the user typed is kept
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.version) == ("Edna", "Changed", 2)


def test_bad_edit_saves_nothing(client: Any, rep_north: Any, person: Person) -> None:
    client.force_login(rep_north)
    data = person_post(
        rep_north,
        first_name="",
        last_name="",
        version="1",
        emails=[{"address": "new@example.com", "kind": "work"}],
    )
    response = client.post(edit_url(person), data)
    assert response.status_code == 200
    assert "Enter a first or a last name." in response.content.decode()
    person.refresh_from_db()
    assert (person.first_name, person.email, person.version) == ("Edna", "edna@example.com", 1)


def test_editing_keeps_a_membership_the_editor_cannot_see(
    client: Any,
    rep_north: Any,
    rep_south: Any,
    admin: Any,
    person: Person,
    organization_factory: Any,
) -> None:
    south_org = organization_factory(rep_south, name="South Org")
    person_update(
        actor=admin,
        person=person,
        data={"memberships": [MembershipInput(south_org.pk, "Advisor")]},
    )
    client.force_login(rep_north)
    data = person_post(
        rep_north,
        first_name="Still",
        last_name="Here",
        version="2",
        memberships=[{"organization": str(south_org.pk), "job_title": "Advisor"}],
    )
    assert client.post(edit_url(person), data).status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Still"
    assert person.memberships.get().organization == south_org


# --- organizations ---------------------------------------------------------------------


def test_create_and_edit_organization(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.post(CREATE_ORG, org_post(rep_north)).status_code == 302
    org = Organization.objects.get()
    assert org.website == "https://acme.test"
    assert (org.city, org.country, org.email) == ("Lima", "PE", "info@acme.test")
    url = reverse("contacts:organization-edit", kwargs={"pk": org.pk})
    html = client.get(url).content.decode()
    assert 'value="Acme S.A."' in html
    assert "memberships-TOTAL_FORMS" not in html
    response = client.post(url, org_post(rep_north, name="Acme Perú", version="1"), follow=True)
    assert "“Acme Perú” saved." in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Acme Perú"
    assert org.version == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the organization"),
        ({"name": "n" * 201}, "at most 200 characters"),
        ({"website": "not a url at all"}, "Enter a valid URL."),
        ({"emails": [{"address": "@@", "kind": "work"}]}, "not a valid e-mail"),
        ({"phones": [{"number": "0000", "kind": "work"}]}, "not a valid phone number"),
        ({"industry": "<script>x</script>" + "i" * 100}, "at most 100 characters"),
    ],
)
def test_bad_organization_input(
    client: Any, rep_north: Any, overrides: dict[str, Any], message: str
) -> None:
    client.force_login(rep_north)
    response = client.post(CREATE_ORG, org_post(rep_north, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.exists()


def test_missing_management_form_is_an_error_not_a_crash(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    response = client.post(CREATE_ORG, {"name": "Half", "owner": str(rep_north.pk)})
    assert response.status_code == 200
    assert not Organization.objects.exists()


def test_new_record_future_dates_use_the_local_day(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    html = client.post(
        CREATE_PERSON, person_post(rep_north, birthday=tomorrow.isoformat())
    ).content.decode()
    assert "between 1900 and today" in html


def test_a_national_number_the_default_country_refuses_says_to_add_the_code(
    client: Any, rep_north: Any
) -> None:
    # An English installation without a company country reads numbers as the US's; a
    # Spanish mobile typed without +34 is refused with what to do, nothing saved.
    client.force_login(rep_north)
    data = person_post(
        rep_north, phones=[{"number": "612 345 678", "kind": "mobile"}], addresses=[]
    )
    html = client.post(CREATE_PERSON, data).content.decode()
    assert (
        "“612 345 678” is not a valid phone number in United States of America (+1), where "
        "numbers without a country code are read; add the country code, e.g. +34 612 345 678."
    ) in html
    assert not Person.objects.exists()
    # With the address in Spain it is read as a Spanish number.
    spain = [{"kind": "home", "city": "Madrid", "country": "ES"}]
    data = person_post(
        rep_north, phones=[{"number": "612 345 678", "kind": "mobile"}], addresses=spain
    )
    client.post(CREATE_PERSON, data)
    assert Person.objects.get().phone == "+34612345678"


def test_editing_a_person_keeps_an_unverified_phone_sent_back_unchanged(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    # An import kept "06 98 76 54 32" as typed (no country reads it); the form shows it
    # and sends it back with the other changes: it stays, still unverified.
    person = person_factory(
        rep_north, phones=[PhoneInput("06 98 76 54 32", "mobile", True, verified=False)]
    )
    client.force_login(rep_north)
    html = client.get(edit_url(person)).content.decode()
    assert 'value="06 98 76 54 32"' in html
    data = person_post(
        rep_north,
        last_name="Renamed",
        version=str(person.version),
        phones=[{"number": "06 98 76 54 32", "kind": "mobile", "is_primary": True}],
        addresses=[],
    )
    assert client.post(edit_url(person), data).status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Renamed"
    assert list(person.phonenumbers.values_list("number", "verified")) == [
        ("06 98 76 54 32", False)
    ]
