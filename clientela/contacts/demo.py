"""Deterministic demo data: organizations and people in English- and Spanish-speaking
countries, loaded through the contact services so audit history and the search index
are exactly what real use would produce.

The same seed gives the same data: every random choice comes from one
``random.Random(seed)`` and one seeded Faker per locale, drawn in a fixed order, and
dates are drawn between fixed bounds (not "today"), so a run next year matches. All
e-mail addresses and websites use reserved ``.example`` domains: nothing in the demo
can ever reach a real mailbox.
"""

from __future__ import annotations

import datetime
import random
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext, ngettext
from faker import Faker

from clientela.contacts import data_quality
from clientela.contacts.birthdays import Birthday
from clientela.contacts.choices import AddressKind, Channel, EmailKind, PhoneKind
from clientela.contacts.demo_catalogue import (
    COUNTRIES,
    CUSTOM_FIELDS,
    INDUSTRIES,
    JOB_TITLES,
    ORG_ROLES,
    ORG_TAGS,
    PERSON_ROLES,
    TAGS,
    TIERS,
    Country,
)
from clientela.contacts.models import DuplicateKind, Organization, Person
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    OrganizationData,
    PersonData,
    PhoneInput,
    RelationshipInput,
    organization_create,
    person_create,
)
from clientela.core.demo import DEMO_ACCOUNTS, demo_accounts_ensure
from clientela.core.models import AuditEntry, CustomField, SearchEntry, User
from clientela.core.services import custom_field_create

DEFAULT_SEED = 2024
DEFAULT_PEOPLE = 2000
DEFAULT_ORGANIZATIONS = 300
EXTERNAL_PREFIX = "demo-"

# Dates are drawn between fixed bounds so the data does not depend on the day it is made.
_BIRTHDAYS = (datetime.date(1945, 1, 1), datetime.date(2005, 12, 31))
_SINCE = (datetime.date(2008, 1, 1), datetime.date(2024, 12, 31))


@dataclass
class OrgPlan:
    owner: str
    data: OrganizationData


@dataclass
class PersonPlan:
    owner: str
    data: PersonData
    #: (index into the organization plans, job title, primary)
    memberships: list[tuple[int, str, bool]] = field(default_factory=list)


@dataclass
class DemoPlan:
    organizations: list[OrgPlan]
    people: list[PersonPlan]


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "", plain)


_FAKERS: dict[str, Faker] = {}


def _faker(locale: str) -> Faker:
    """Faker instances are slow to build; reseeding a cached one is as deterministic."""
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


class _Generator:
    """Draws the plan; one instance per run so the draw order is fixed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for index, country in enumerate(COUNTRIES):
            fake = _faker(country.locale)
            fake.seed_instance(seed * 100 + index)
            self.fakers[country.code] = fake
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.owners = [a.username for a in DEMO_ACCOUNTS if a.owns_records]
        self.teams = {a.username: a.team for a in DEMO_ACCOUNTS}

    # --- small draws ---------------------------------------------------------------

    def country(self) -> Country:
        return self.rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]

    def date_between(self, bounds: tuple[datetime.date, datetime.date]) -> datetime.date:
        span = (bounds[1] - bounds[0]).days
        return bounds[0] + datetime.timedelta(days=self.rng.randrange(span + 1))

    def phone(self, region: str, kind: int) -> str:
        """A valid, unused number of ``region``: the library's example number with its
        last digits redrawn until ``phonenumbers`` accepts it."""
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:  # pragma: no cover - every country we use has examples
            raise RuntimeError(f"phonenumbers has no example number for {region}")
        national = str(example.national_number)
        width = min(6, len(national) - 3)
        for _attempt in range(200):
            tail = str(self.rng.randrange(10**width)).zfill(width)
            candidate = phonenumbers.parse(f"+{example.country_code}{national[:-width]}{tail}")
            if not phonenumbers.is_valid_number(candidate):
                continue
            e164 = phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in self.phones:
                self.phones.add(e164)
                return e164
        raise RuntimeError(f"could not draw a valid phone number for {region}")  # pragma: no cover

    def email(self, local: str, domain: str) -> str:
        local = local[:40] or "contact"
        address = f"{local}@{domain}"
        n = 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address)
        return address

    def picks(self, options: tuple[tuple[str, float], ...]) -> list[str]:
        """The names drawn, in the active language."""
        return [gettext(name) for name, p in options if self.rng.random() < p]

    def relationships(self, options: tuple[tuple[str, float], ...]) -> list[RelationshipInput]:
        kinds = [k for k, _p in options]
        first = self.rng.choices(kinds, weights=[p for _k, p in options])[0]
        chosen = [first]
        if self.rng.random() < 0.15:
            second = self.rng.choice(kinds)
            if second != first:
                chosen.append(second)
        return [RelationshipInput(kind=k, since=self.date_between(_SINCE)) for k in chosen]

    def address(self, country: Country, kind: str, primary: bool) -> AddressInput:
        fake = self.fakers[country.code]
        city, region = self.rng.choice(country.cities)
        street = fake.street_address().replace("\n", ", ").strip(" ,")
        postcode = fake.postcode()
        if country.code == "MX":
            postcode = postcode[:5]  # Faker's es_MX adds a "-NNNN" suffix Mexico doesn't use
        return AddressInput(
            country=country.code,
            kind=kind,
            street=street[:200],
            city=city,
            region=region,
            postal_code=postcode[:20],
            is_primary=primary,
        )

    # --- records -------------------------------------------------------------------

    def organization(self, index: int) -> OrgPlan:
        country = self.country()
        fake = self.fakers[country.code]
        name = fake.company()[:200]
        slug = _ascii(name)[:30] or f"org{index}"
        domain = f"{slug}.example"
        owner = self.rng.choice(self.owners)
        custom: dict[str, Any] = {"employees": self.rng.choice((3, 8, 15, 40, 120, 600))}
        if self.rng.random() < 0.7:
            custom["customer_tier"] = self.rng.choice(TIERS)
        data: OrganizationData = {
            "name": name,
            "website": f"https://www.{domain}",
            "industry": self.rng.choice(INDUSTRIES),
            "external_id": f"{EXTERNAL_PREFIX}o{index:05d}",
            "emails": [EmailInput(self.email("info", domain), EmailKind.WORK, True)],
            "phones": [
                PhoneInput(
                    self.phone(country.code, phonenumbers.PhoneNumberType.FIXED_LINE),
                    PhoneKind.WORK,
                    True,
                )
            ],
            "addresses": [self.address(country, AddressKind.WORK, True)],
            "relationships": self.relationships(ORG_ROLES),
            "tags": self.picks(ORG_TAGS),
            "custom": custom,
        }
        return OrgPlan(owner=owner, data=data)

    def person(
        self, index: int, orgs: list[OrgPlan], orgs_by_team: dict[str, list[int]]
    ) -> PersonPlan:
        owner = self.rng.choice(self.owners)
        memberships: list[tuple[int, str, bool]] = []
        team_orgs = orgs_by_team.get(self.teams[owner], [])
        roll = self.rng.random()
        count = 0 if roll < 0.25 or not team_orgs else (1 if roll < 0.9 else 2)
        for n in range(count):
            org_index = self.rng.choice(team_orgs)
            if any(m[0] == org_index for m in memberships):
                continue
            memberships.append((org_index, "", n == 0))
        # People mostly live where their (first) organization is.
        if memberships and self.rng.random() < 0.85:
            org_country = orgs[memberships[0][0]].data["addresses"][0].country
            country = next(c for c in COUNTRIES if c.code == org_country)
        else:
            country = self.country()
        fake = self.fakers[country.code]
        first, last = fake.first_name()[:100], fake.last_name()[:100]
        memberships = [
            (i, self.rng.choice(JOB_TITLES[country.language]), primary)
            for i, _title, primary in memberships
        ]
        local = f"{_ascii(first)}.{_ascii(last)}"
        emails = [
            EmailInput(
                self.email(local, self.rng.choice(("example.com", "example.org", "example.net"))),
                EmailKind.PERSONAL,
                not memberships,
            )
        ]
        if memberships:
            org_domain = orgs[memberships[0][0]].data["website"].removeprefix("https://www.")
            emails.insert(0, EmailInput(self.email(local, org_domain), EmailKind.WORK, True))
        phones = [
            PhoneInput(
                self.phone(country.code, phonenumbers.PhoneNumberType.MOBILE),
                PhoneKind.MOBILE,
                True,
            )
        ]
        if self.rng.random() < 0.3:
            phones.append(
                PhoneInput(
                    self.phone(country.code, phonenumbers.PhoneNumberType.FIXED_LINE),
                    PhoneKind.HOME,
                )
            )
        addresses = [self.address(country, AddressKind.HOME, True)]
        if self.rng.random() < 0.15:
            addresses.append(self.address(country, AddressKind.BILLING, False))
        custom: dict[str, Any] = {"newsletter_opt_in": self.rng.random() < 0.4}
        if self.rng.random() < 0.6:
            custom["customer_tier"] = self.rng.choices(TIERS, weights=(50, 30, 15, 5))[0]
            custom["loyalty_points"] = self.rng.randrange(0, 5000, 10)
        tags = self.picks(TAGS)
        if custom["newsletter_opt_in"] and gettext("Newsletter") not in tags:
            tags.append(gettext("Newsletter"))
        data: PersonData = {
            "first_name": first,
            "last_name": last,
            "birthday": self.birthday(index),
            "preferred_language": country.language,
            "preferred_channel": self.rng.choice(Channel.values),
            "external_id": f"{EXTERNAL_PREFIX}p{index:05d}",
            "emails": emails,
            "phones": phones,
            "addresses": addresses,
            "relationships": self.relationships(PERSON_ROLES),
            "tags": tags,
            "custom": custom,
        }
        if self.rng.random() < 0.1:
            data["notes"] = fake.paragraph(nb_sentences=2)
        return PersonPlan(owner=owner, data=data, memberships=memberships)

    def birthday(self, index: int) -> Birthday | None:
        """85% have a birthday; one in seven of those without the year, as phones and
        Google keep them (decided by ``index``, so the random draws stay as they were)."""
        if self.rng.random() >= 0.85:
            return None
        born = self.date_between(_BIRTHDAYS)
        return Birthday(born.month, born.day, None if index % 7 == 3 else born.year)

    def near_duplicate(self, index: int, original: PersonPlan) -> PersonPlan:
        """``original`` typed in again: two letters of the last name swapped (or the
        first name shortened), a private e-mail of its own, the same phone, address,
        birthday and organization."""
        data: PersonData = {**original.data}
        first, last = data.get("first_name", ""), data.get("last_name", "")
        if len(last) > 4 and self.rng.random() < 0.7:
            at = self.rng.randrange(1, len(last) - 2)
            last = last[:at] + last[at + 1] + last[at] + last[at + 2 :]
        elif len(first) > 3:
            first = first[:-1]
        local = f"{_ascii(first)}{index}"
        data["first_name"], data["last_name"] = first, last
        data["external_id"] = f"{EXTERNAL_PREFIX}p{index:05d}"
        data["emails"] = [EmailInput(self.email(local, "example.net"), EmailKind.PERSONAL, True)]
        data["phones"] = [
            PhoneInput(p.number, p.kind, p.is_primary) for p in data.get("phones", [])[:1]
        ]
        data["tags"] = list(data.get("tags", [])[:1])
        return PersonPlan(owner=original.owner, data=data, memberships=original.memberships)


#: One person in this many is a near-duplicate of the one before (see ``build_plan``).
DUPLICATE_EVERY = 50


def build_plan(
    *,
    seed: int = DEFAULT_SEED,
    people: int = DEFAULT_PEOPLE,
    organizations: int = DEFAULT_ORGANIZATIONS,
) -> DemoPlan:
    """The demo data as service inputs, without touching the database."""
    gen = _Generator(seed)
    orgs = [gen.organization(i) for i in range(organizations)]
    by_team: dict[str, list[int]] = {}
    for i, org in enumerate(orgs):
        by_team.setdefault(gen.teams[org.owner], []).append(i)
    persons = [gen.person(i, orgs, by_team) for i in range(people)]
    # Every DUPLICATE_EVERY-th person is typed in again by someone (a typo in the name,
    # another e-mail, the same phone and address): what the duplicate finder and merge
    # are for.
    for i in range(DUPLICATE_EVERY - 1, len(persons), DUPLICATE_EVERY):
        persons[i] = gen.near_duplicate(i, persons[i - 1])
    return DemoPlan(organizations=orgs, people=persons)


def demo_data_count() -> tuple[int, int]:
    """(people, organizations) loaded by the demo and still in the database."""
    return (
        Person.objects.filter(external_id__startswith=EXTERNAL_PREFIX).count(),
        Organization.objects.filter(external_id__startswith=EXTERNAL_PREFIX).count(),
    )


@transaction.atomic
def demo_data_remove() -> None:
    """Delete the demo's own records for good (for ``clientela demo --reset``).

    This removes fixture data the loader made, not anything a user entered, so it
    deletes rows directly instead of going through the trash and its audit trail;
    records are recognised by their ``demo-`` external id.
    """
    for model in (Person, Organization):
        ids = list(
            model.objects.filter(external_id__startswith=EXTERNAL_PREFIX).values_list(
                "pk", flat=True
            )
        )
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            SearchEntry.objects.filter(resource=model.RESOURCE, object_id__in=chunk).delete()
            AuditEntry.objects.filter(
                content_type__app_label="contacts",
                content_type__model=model._meta.model_name,
                object_id__in=chunk,
            ).delete()
            model.objects.filter(pk__in=chunk).delete()


def _ensure_custom_fields(admin: User) -> None:
    existing = set(CustomField.objects.values_list("resource", "key"))
    for position, (resource, key, label, kind, choices) in enumerate(CUSTOM_FIELDS):
        if (resource, key) not in existing:
            custom_field_create(
                actor=admin,
                resource=resource,
                key=key,
                label=label,
                field_type=kind,
                choices=choices,
            )
            CustomField.objects.filter(resource=resource, key=key).update(position=position)


@dataclass
class LoadResult:
    people: int
    organizations: int
    seconds: float


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    people: int = DEFAULT_PEOPLE,
    organizations: int = DEFAULT_ORGANIZATIONS,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Create the demo users, custom fields, organizations and people.

    One transaction for everything: on SQLite that is what makes 2,000 service calls
    fast (one fsync, not thousands), and a failure leaves nothing half-loaded.
    Each record is created by its owner, as if the rep had typed it in.
    """
    started = time.monotonic()
    plan = build_plan(seed=seed, people=people, organizations=organizations)
    with transaction.atomic():
        users = demo_accounts_ensure()
        _ensure_custom_fields(users["demo-admin"])
        org_ids: list[int] = []
        for org_plan in plan.organizations:
            org = organization_create(actor=users[org_plan.owner], data=org_plan.data)
            org_ids.append(org.pk)
        if progress:
            progress(
                ngettext("%(n)s organization", "%(n)s organizations", len(org_ids))
                % {"n": len(org_ids)}
            )
        for n, person_plan in enumerate(plan.people, start=1):
            data = dict(person_plan.data)
            if person_plan.memberships:
                data["memberships"] = [
                    MembershipInput(organization_id=org_ids[i], job_title=title, is_primary=primary)
                    for i, title, primary in person_plan.memberships
                ]
            person_create(actor=users[person_plan.owner], data=data)  # type: ignore[arg-type]
            if progress and n % 500 == 0:
                progress(ngettext("%(n)s person", "%(n)s people", n) % {"n": n})
    # The demo's likely duplicates are on the duplicates pages from the start.
    data_quality.duplicate_scan_request(actor=users["demo-admin"], kind=DuplicateKind.PERSON)
    return LoadResult(
        people=len(plan.people),
        organizations=len(plan.organizations),
        seconds=time.monotonic() - started,
    )
