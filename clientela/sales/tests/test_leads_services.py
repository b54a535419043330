"""Writes to leads: normalization, required data, statuses, versions, permissions,
trash, and the conversion into person + organization + deal in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Unpack

import pytest
from django.core.exceptions import ValidationError

from clientela.activities.models import Interaction
from clientela.contacts.models import Membership, Organization, Person
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.models import AuditEntry, SearchEntry
from clientela.sales.choices import LeadStatus
from clientela.sales.filters import LeadFilters
from clientela.sales.models import Deal, Lead, Pipeline, Stage
from clientela.sales.selectors.leads import conversion_matches, lead_get, lead_list
from clientela.sales.services.leads import (
    LeadData,
    lead_convert,
    lead_create,
    lead_restore,
    lead_scores_set,
    lead_set_status,
    lead_trash,
    lead_update,
)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Lead, Person, Organization, Membership, Deal, Interaction, AuditEntry)
    }


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    """The default pipeline (migration 0002), or one like it."""
    found = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if found is not None:
        return found
    created = Pipeline.objects.create(name="Sales")
    Stage.objects.create(pipeline=created, name="New", position=0, probability=10)
    Stage.objects.create(pipeline=created, name="Won", position=1, probability=100, is_won=True)
    Stage.objects.create(pipeline=created, name="Lost", position=2, is_lost=True)
    return created


def make_lead(actor: Any, **data: Unpack[LeadData]) -> Lead:
    data.setdefault("first_name", "Lucía")
    data.setdefault("last_name", "Méndez")
    return lead_create(actor=actor, data=data)


# --- create / update ------------------------------------------------------------------


def test_create_normalizes_email_and_phone_and_audits(rep_north: Any) -> None:
    lead = make_lead(
        rep_north, email="  Lucia@Example.COM ", phone="+34 612 34 56 78", company="Acme"
    )
    assert lead.email == "lucia@example.com"
    assert lead.phone == "+34612345678"
    assert lead.owner == rep_north
    assert lead.team == rep_north.team
    assert lead.status == LeadStatus.NEW
    assert lead.version == 1
    entry = AuditEntry.objects.get(object_id=lead.pk, action="create")
    assert entry.changes["email"] == [None, "lucia@example.com"]
    assert SearchEntry.objects.filter(resource="sales.lead", object_id=lead.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "last_name"),
        ({"first_name": "  ", "company": ""}, "last_name"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": "A", "phone": "12"}, "phone"),
        ({"first_name": "A", "source": "carrier-pigeon"}, "source"),
        ({"first_name": "A", "status": "won"}, "status"),
        ({"first_name": "A", "status": "converted"}, "status"),
        ({"first_name": "A", "status": "disqualified"}, "disqualified_reason"),
        ({"first_name": "A", "owner_id": 999999}, "owner_id"),
        ({"first_name": "x" * 101}, "first_name"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(
    rep_north: Any, data: LeadData, field: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        lead_create(actor=rep_north, data=data)
    assert field in exc.value.message_dict
    assert counts() == before


def test_company_or_email_alone_is_enough(rep_north: Any) -> None:
    assert lead_create(actor=rep_north, data={"company": "Acme"}).company == "Acme"
    assert lead_create(actor=rep_north, data={"email": "a@b.es"}).email == "a@b.es"


def test_update_with_stale_version_conflicts(rep_north: Any) -> None:
    lead = make_lead(rep_north)
    lead_update(actor=rep_north, lead=lead, data={"company": "Acme"}, expected_version=1)
    with pytest.raises(VersionConflict):
        lead_update(actor=rep_north, lead=lead, data={"company": "Other"}, expected_version=1)
    lead.refresh_from_db()
    assert lead.company == "Acme"
    assert lead.version == 2


def test_other_team_cannot_change_or_trash(rep_north: Any, rep_south: Any) -> None:
    lead = make_lead(rep_north)
    with pytest.raises(NotFound):
        lead_update(actor=rep_south, lead=lead, data={"company": "X"})
    with pytest.raises(NotFound):
        lead_trash(actor=rep_south, lead=lead)
    with pytest.raises(NotFound):
        lead_get(user=rep_south, pk=lead.pk)
    assert not lead_list(user=rep_south).exists()


def test_status_changes_need_a_reason_to_disqualify(rep_north: Any) -> None:
    lead = make_lead(rep_north)
    lead = lead_set_status(actor=rep_north, lead=lead, status="contacted")
    assert lead.status == "contacted"
    with pytest.raises(ValidationError) as exc:
        lead_set_status(actor=rep_north, lead=lead, status="disqualified", reason=" ")
    assert "disqualified_reason" in exc.value.message_dict
    lead = lead_set_status(actor=rep_north, lead=lead, status="disqualified", reason="No budget")
    assert (lead.status, lead.disqualified_reason) == ("disqualified", "No budget")
    # Reopening clears the reason.
    lead = lead_set_status(actor=rep_north, lead=lead, status="new")
    assert (lead.status, lead.disqualified_reason) == ("new", "")
    with pytest.raises(ValidationError) as exc:
        lead_set_status(actor=rep_north, lead=lead, status="converted")
    assert "status" in exc.value.message_dict


def test_trash_and_restore(rep_north: Any, rep_north2: Any, admin: Any) -> None:
    lead = make_lead(rep_north)
    lead_trash(actor=rep_north, lead=lead)
    assert not lead_list(user=rep_north).exists()
    assert not SearchEntry.objects.filter(resource="sales.lead", object_id=lead.pk).exists()
    with pytest.raises(NotFound):  # a teammate did not delete it
        lead_restore(actor=rep_north2, lead=lead)
    lead_restore(actor=admin, lead=lead)
    assert lead_list(user=rep_north).get() == lead


def test_list_filters_and_sorts(rep_north: Any) -> None:
    a = make_lead(rep_north, first_name="Ana", last_name="García", company="Zeta", source="event")
    b = make_lead(rep_north, first_name="Bruno", last_name="Díaz", company="Alfa")
    lead_set_status(actor=rep_north, lead=b, status="qualified")
    filters, errors = LeadFilters.from_params({"sort": "company"})
    assert not errors
    assert list(lead_list(user=rep_north, filters=filters)) == [b, a]
    filters, _ = LeadFilters.from_params({"status": "qualified"})
    assert list(lead_list(user=rep_north, filters=filters)) == [b]
    filters, _ = LeadFilters.from_params({"source": "event", "q": "ana garc"})
    assert list(lead_list(user=rep_north, filters=filters)) == [a]
    _filters, errors = LeadFilters.from_params({"status": "bogus", "sort": "nope"})
    assert set(errors) == {"status", "sort"}


# --- conversion -----------------------------------------------------------------------


def test_conversion_links_existing_person_by_email_instead_of_duplicating(
    rep_north: Any, person_factory: Any
) -> None:
    existing = person_factory(rep_north, email="lucia@example.com")
    lead = make_lead(rep_north, email="LUCIA@example.com")
    people = Person.objects.count()
    result = lead_convert(actor=rep_north, lead=lead)
    assert result.person == existing
    assert Person.objects.count() == people
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    assert lead.converted_person == existing
    assert lead.converted_at is not None
    # The person's timeline says where they came from.
    note = Interaction.objects.get(related_type="sales.lead", related_id=lead.pk)
    assert list(note.people.all()) == [existing]
    assert "Converted from lead" in note.subject


def test_conversion_ignores_a_matching_person_the_user_cannot_see(
    rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    hidden = person_factory(rep_south, email="lucia@example.com")
    lead = make_lead(rep_north, email="lucia@example.com")
    result = lead_convert(actor=rep_north, lead=lead)
    assert result.person is not None
    assert result.person != hidden
    assert result.person.team == rep_north.team


def test_conversion_creates_person_organization_and_deal_in_one_go(
    rep_north: Any, pipeline: Pipeline
) -> None:
    lead = make_lead(
        rep_north,
        email="lucia@example.com",
        phone="+34612345678",
        company="Panadería Núñez",
        job_title="Owner",
    )
    result = lead_convert(
        actor=rep_north,
        lead=lead,
        create_deal=True,
        deal={"title": "Ovens", "amount": "1500.00", "currency": "EUR", "pipeline_id": pipeline.pk},
    )
    person, org, deal = result.person, result.organization, result.deal
    assert person is not None
    assert org is not None
    assert deal is not None
    assert (person.first_name, person.email, person.phone) == (
        "Lucía",
        "lucia@example.com",
        "+34612345678",
    )
    assert org.name == "Panadería Núñez"
    membership = Membership.objects.get(person=person, organization=org)
    assert membership.job_title == "Owner"
    assert (deal.title, deal.amount, deal.currency) == ("Ovens", Decimal("1500"), "EUR")
    assert deal.organization == org
    assert list(deal.people.all()) == [person]
    lead.refresh_from_db()
    assert (lead.converted_person, lead.converted_organization, lead.converted_deal) == (
        person,
        org,
        deal,
    )
    assert lead.version == 2


def test_conversion_links_organization_by_company_name_case_insensitively(
    rep_north: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north, name="ACME Corp")
    lead = make_lead(rep_north, company="acme corp")
    orgs = Organization.objects.count()
    result = lead_convert(actor=rep_north, lead=lead)
    assert result.organization == org
    assert Organization.objects.count() == orgs


def test_conversion_with_explicit_ids_and_unknown_ids(
    rep_north: Any, rep_south: Any, person_factory: Any, organization_factory: Any
) -> None:
    person = person_factory(rep_north)
    org = organization_factory(rep_north)
    south_person = person_factory(rep_south)
    lead = make_lead(rep_north, company="Whatever")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        lead_convert(actor=rep_north, lead=lead, person_id=south_person.pk)
    assert "person_id" in exc.value.message_dict
    assert counts() == before
    result = lead_convert(actor=rep_north, lead=lead, person_id=person.pk, organization_id=org.pk)
    assert (result.person, result.organization) == (person, org)


def test_converting_twice_is_refused(rep_north: Any) -> None:
    lead = make_lead(rep_north)
    lead_convert(actor=rep_north, lead=lead)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        lead_convert(actor=rep_north, lead=lead)
    assert "status" in exc.value.message_dict
    assert counts() == before
    with pytest.raises(ValidationError):
        lead_set_status(actor=rep_north, lead=lead, status="new")


def test_converting_a_disqualified_lead_is_refused(rep_north: Any) -> None:
    lead = make_lead(rep_north)
    lead_set_status(actor=rep_north, lead=lead, status="disqualified", reason="Spam")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        lead_convert(actor=rep_north, lead=lead)
    assert "status" in exc.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("deal", "field"),
    [
        ({"currency": "XYZ", "amount": "10"}, "deal.currency"),
        ({"pipeline_id": 987654}, "deal.pipeline_id"),
        ({"amount": "ten"}, "deal.amount"),
    ],
)
def test_nothing_is_saved_when_the_deal_part_is_invalid(
    rep_north: Any, pipeline: Pipeline, deal: dict[str, Any], field: str
) -> None:
    lead = make_lead(rep_north, email="new@example.com", company="Brand New Co")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        lead_convert(actor=rep_north, lead=lead, create_deal=True, deal=deal)
    assert field in exc.value.message_dict
    assert counts() == before
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    assert lead.converted_person is None


def test_stale_version_on_conversion(rep_north: Any) -> None:
    lead = make_lead(rep_north)
    with pytest.raises(VersionConflict):
        lead_convert(actor=rep_north, lead=lead, expected_version=7)


def test_company_only_lead_converts_to_an_organization(rep_north: Any) -> None:
    lead = lead_create(actor=rep_north, data={"company": "Solo SL"})
    result = lead_convert(actor=rep_north, lead=lead)
    assert result.person is None
    assert result.organization is not None
    assert Interaction.objects.filter(organization=result.organization).count() == 1


def test_matches_by_email_phone_and_name(
    rep_north: Any, rep_south: Any, person_factory: Any, organization_factory: Any
) -> None:
    by_email = person_factory(rep_north, email="lucia@example.com")
    by_phone = person_factory(rep_north, phone="+34 612 345 678")
    by_name = person_factory(rep_north, first_name="LUCÍA", last_name="méndez")
    person_factory(rep_south, email="lucia@example.com")  # not visible
    org = organization_factory(rep_north, name="Acme")
    organization_factory(rep_south, name="Acme")  # not visible
    lead = make_lead(rep_north, email="lucia@example.com", phone="+34612345678", company="ACME")
    matches = conversion_matches(rep_north, lead)
    found = {m.person: m.reasons for m in matches.people}
    assert found == {by_email: ["email"], by_phone: ["phone"], by_name: ["name"]}
    assert matches.organizations == [org]
    assert matches.person_by_email == by_email


# --- scores ------------------------------------------------------------------------------


def test_scores_are_written_without_a_version_nor_an_audit_entry(rep_north: Any) -> None:
    lead = make_lead(rep_north)
    other = make_lead(rep_north, first_name="Other")
    gone = make_lead(rep_north, first_name="Gone")
    lead_trash(actor=rep_north, lead=gone)
    before = Lead.objects.get(pk=lead.pk)
    audits = AuditEntry.objects.count()
    written = lead_scores_set(
        scores={
            lead.pk: (72, ["+ Source: Referral", "x" * 300]),
            other.pk: (0, []),
            gone.pk: (50, []),
            987654: (50, []),
        }
    )
    assert written == 2
    after = Lead.objects.get(pk=lead.pk)
    assert (after.score, after.score_reasons[0]) == (72, "+ Source: Referral")
    assert len(after.score_reasons[1]) == 200
    # Derived data: whoever edits the lead meanwhile keeps their version.
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert AuditEntry.objects.count() == audits
    assert Lead.objects.get(pk=other.pk).score == 0
    assert Lead.objects.get(pk=gone.pk).score is None
    lead_update(actor=rep_north, lead=after, data={"company": "Acme"}, expected_version=1)


@pytest.mark.parametrize("bad", [(101, []), (-1, []), (50.5, []), (50, "reason"), (50, [3])])
def test_scores_out_of_range_are_refused(rep_north: Any, bad: Any) -> None:
    lead = make_lead(rep_north)
    with pytest.raises(ValueError, match=f"lead {lead.pk}"):
        lead_scores_set(scores={lead.pk: bad})
    assert Lead.objects.get(pk=lead.pk).score is None
