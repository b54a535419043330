"""The demo data: deterministic, realistic, loaded through the services (so audit and
search are right), idempotent, and shaped like the brief says — run small here."""

from __future__ import annotations

import hashlib
from typing import Any

import phonenumbers
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clientela.contacts import demo
from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import (
    DuplicatePair,
    DuplicateScan,
    DuplicateScanStatus,
    EmailAddress,
    Membership,
    Organization,
    Person,
    PhoneNumber,
)
from clientela.contacts.selectors import person_list
from clientela.core import search
from clientela.core.choices import Interface
from clientela.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from clientela.core.models import AuditEntry, CustomField, SearchEntry, User

SMALL: dict[str, Any] = {"people": 40, "organizations": 8}
SPANISH = {"ES", "MX", "AR", "CO", "CL"}


def db_digest() -> str:
    """Names, e-mails, phones, birthdays, places, tags and owners of the demo records."""
    rows: list[tuple[Any, ...]] = []
    for p in Person.objects.filter(external_id__startswith="demo-").order_by("external_id"):
        emails = sorted(EmailAddress.objects.filter(person=p).values_list("address", flat=True))
        phones = sorted(PhoneNumber.objects.filter(person=p).values_list("number", flat=True))
        tags = sorted(p.tags.values_list("name", flat=True))
        rows.append(
            (
                p.external_id,
                p.first_name,
                p.last_name,
                emails,
                phones,
                str(p.birthday),
                p.city,
                p.country,
                tags,
                p.owner.username,
                sorted(p.custom.items()),
            )
        )
    for o in Organization.objects.filter(external_id__startswith="demo-").order_by("external_id"):
        rows.append((o.external_id, o.name, o.email, o.phone, o.city, o.owner.username))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def plan_digest(plan: demo.DemoPlan) -> str:
    return hashlib.sha256(repr(plan).encode()).hexdigest()


def test_same_seed_same_plan_other_seed_other_plan() -> None:
    first = demo.build_plan(seed=11, people=60, organizations=10)
    again = demo.build_plan(seed=11, people=60, organizations=10)
    other = demo.build_plan(seed=12, people=60, organizations=10)
    assert plan_digest(first) == plan_digest(again)
    assert plan_digest(first) != plan_digest(other)


def test_plan_looks_like_the_brief_asks() -> None:
    plan = demo.build_plan(seed=5, people=300, organizations=40)
    people = [p.data for p in plan.people]
    countries = {p["addresses"][0].country for p in people}
    assert countries & {"US", "GB", "IE", "CA", "AU"}
    assert countries & SPANISH
    for person in people:
        country = person["addresses"][0].country
        assert person["preferred_language"] == ("es" if country in SPANISH else "en")
        for phone in person["phones"]:
            parsed = phonenumbers.parse(phone.number)
            assert phonenumbers.is_valid_number(parsed), phone.number
            assert (
                phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                == phone.number
            )
        for email in person["emails"]:
            # Reserved domains only: the demo can never mail a real person.
            assert email.address.endswith((".example", "example.com", "example.org", "example.net"))
        assert person["relationships"]
        assert all(r.since for r in person["relationships"])
    all_emails = [e.address for p in people for e in p["emails"]]
    assert len(all_emails) == len(set(all_emails))
    assert sum(1 for p in people if p.get("birthday")) > 200
    # Some without the year, as phones and Google keep them.
    birthdays = [p.get("birthday") for p in people]
    assert sum(isinstance(b, Birthday) and b.year is None for b in birthdays) > 20
    assert sum(1 for p in plan.people if p.memberships) > 150
    assert {t for p in people for t in p["tags"]} >= {"VIP", "Newsletter", "Wholesale"}
    owners = {p.owner for p in plan.people}
    teams = {a.team for a in DEMO_ACCOUNTS if a.username in owners}
    assert teams == {"North", "South"}


@pytest.mark.django_db
def test_two_loads_with_the_same_seed_give_identical_data() -> None:
    demo.load_demo(seed=3, **SMALL)
    first = db_digest()
    demo.demo_data_remove()
    assert demo.demo_data_count() == (0, 0)
    demo.load_demo(seed=3, **SMALL)
    assert db_digest() == first
    demo.demo_data_remove()
    demo.load_demo(seed=4, **SMALL)
    assert db_digest() != first


@pytest.mark.django_db
def test_loaded_data_is_complete_and_valid() -> None:
    result = demo.load_demo(seed=8, **SMALL)
    assert (result.people, result.organizations) == (40, 8)
    assert demo.demo_data_count() == (40, 8)
    for number in PhoneNumber.objects.values_list("number", flat=True):
        assert phonenumbers.is_valid_number(phonenumbers.parse(number)), number
    people = list(Person.objects.all())
    assert all(p.email and p.phone and p.city and p.country for p in people)
    assert Membership.objects.exclude(job_title="").exists()
    assert {f.key for f in CustomField.objects.filter(resource=Person.RESOURCE)} >= {
        "customer_tier",
        "loyalty_points",
        "newsletter_opt_in",
    }
    assert any("customer_tier" in p.custom for p in people)
    # Every record is in the search index and has its creation in the history.
    assert SearchEntry.objects.filter(resource=Person.RESOURCE).count() == 40
    # (The demo's custom fields have their creation in the history too.)
    assert (
        AuditEntry.objects.filter(action="create", content_type__app_label="contacts").count() == 48
    )
    # Demo users: every role, two teams, a password that works.
    admin = User.objects.get(username="demo-admin")
    assert admin.check_password(DEMO_PASSWORD)
    assert admin.is_admin
    assert set(
        User.objects.filter(username__startswith="demo-").values_list("team__name", flat=True)
    ) == {"North", "South"}
    assert {p.team.name for p in people} == {"North", "South"}


@pytest.mark.django_db
def test_demo_records_follow_team_visibility() -> None:
    demo.load_demo(seed=9, **SMALL)
    south_rep = User.objects.get(username="demo-sales-south")
    seen = list(person_list(user=south_rep))
    assert seen
    assert all(p.team.name == "South" for p in seen)
    north_person = Person.objects.filter(team__name="North").first()
    assert north_person is not None
    hits = search.search(
        user=south_rep, query=north_person.last_name, resources=[Person.RESOURCE], limit=100
    )
    assert north_person.pk not in {h.object_id for h in hits}
    admin = User.objects.get(username="demo-admin")
    hits = search.search(
        user=admin, query=north_person.last_name, resources=[Person.RESOURCE], limit=100
    )
    assert north_person.pk in {h.object_id for h in hits}


@pytest.mark.django_db
def test_command_is_idempotent_audits_as_cli_and_resets() -> None:
    call_command("demo", seed=2, verbosity=0, **SMALL)
    digest = db_digest()
    assert set(AuditEntry.objects.values_list("interface", flat=True)) == {Interface.CLI}
    call_command("demo", seed=2, verbosity=0, **SMALL)  # a second run changes nothing
    assert demo.demo_data_count() == (40, 8)
    assert db_digest() == digest
    call_command("demo", "--reset", seed=2, verbosity=0, **SMALL)
    assert demo.demo_data_count() == (40, 8)
    assert db_digest() == digest
    assert User.objects.filter(username__startswith="demo-").count() == len(DEMO_ACCOUNTS)


@pytest.mark.django_db
@pytest.mark.parametrize("options", [{"people": -1}, {"organizations": 10**7}])
def test_command_rejects_absurd_sizes(options: dict[str, Any]) -> None:
    with pytest.raises(CommandError):
        call_command("demo", verbosity=0, **options)
    assert demo.demo_data_count() == (0, 0)


@pytest.mark.django_db
def test_planted_duplicates_are_found_by_the_scan_the_demo_runs() -> None:
    demo.load_demo(seed=8, people=100, organizations=10)
    scan = DuplicateScan.objects.get(kind="person")
    assert scan.status == DuplicateScanStatus.DONE
    by_external = dict(Person.objects.values_list("external_id", "pk"))
    planted = [
        tuple(
            sorted(
                (
                    by_external[f"{demo.EXTERNAL_PREFIX}p{i - 1:05d}"],
                    by_external[f"{demo.EXTERNAL_PREFIX}p{i:05d}"],
                )
            )
        )
        for i in range(demo.DUPLICATE_EVERY - 1, 100, demo.DUPLICATE_EVERY)
    ]
    found: dict[tuple[int, ...], float] = {
        (p.a_id, p.b_id): p.score for p in DuplicatePair.objects.filter(scan=scan)
    }
    assert len(planted) == 2
    for pair in planted:
        assert found.get(pair, 0) >= 0.7, pair
