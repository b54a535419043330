"""Merging duplicates (``contacts.merge``): picks, every link moved to the record kept,
the redirect, the audit, the undo that puts everything back, and refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clientela.activities import services as activities
from clientela.activities.models import Appointment, Interaction, Task
from clientela.contacts import data_quality, selectors
from clientela.contacts.birthdays import Birthday
from clientela.contacts.merge import merge_undo, organization_merge, person_merge
from clientela.contacts.models import DuplicatePair, Membership, Merge, Organization, Person
from clientela.contacts.services import EmailInput, MembershipInput, person_update
from clientela.core.errors import NotFound, VersionConflict
from clientela.core.models import AuditEntry, SearchEntry
from clientela.core.services import custom_field_create
from clientela.sales.models import Deal, Lead, Order, Quote
from clientela.sales.services.leads import lead_convert, lead_create
from clientela.sales.services.orders import order_create
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline
from clientela.sales.tests.quote_helpers import make_quote

pytestmark = pytest.mark.django_db


def _links(person: Person) -> dict[str, set[int]]:
    """Every row linked to a person, by kind."""
    return {
        "interactions": set(Interaction.objects.filter(people=person).values_list("pk", flat=True)),
        "tasks": set(Task.objects.filter(people=person).values_list("pk", flat=True)),
        "appointments": set(Appointment.objects.filter(people=person).values_list("pk", flat=True)),
        "deals": set(Deal.objects.filter(people=person).values_list("pk", flat=True)),
        "quotes": set(Quote.objects.filter(person=person).values_list("pk", flat=True)),
        "orders": set(Order.objects.filter(person=person).values_list("pk", flat=True)),
        "leads": set(Lead.objects.filter(converted_person=person).values_list("pk", flat=True)),
        "memberships": set(
            Membership.objects.filter(person=person).values_list("organization_id", flat=True)
        ),
        "audit": set(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
            ).values_list("pk", flat=True)
        ),
    }


@pytest.fixture
def vip(admin: Any) -> Any:
    return custom_field_create(
        actor=admin,
        resource="contacts.person",
        key="vip_level",
        label="VIP level",
        field_type="choice",
        choices=["gold", "silver"],
    )


@pytest.fixture
def pair(rep_north: Any, person_factory: Any, organization_factory: Any, vip: Any) -> Any:
    """Ana (kept) and her duplicate, who has a bit of everything."""
    acme = organization_factory(rep_north, name="Acme")
    bolt = organization_factory(rep_north, name="Bolt")
    ana = person_factory(
        rep_north,
        first_name="Ana",
        last_name="Ruiz",
        emails=[EmailInput("ana@example.com", is_primary=True)],
        tags=["vip"],
        memberships=[services_membership(acme.pk)],
    )
    dup = person_factory(
        rep_north,
        first_name="Anna",
        last_name="Ruiz",
        birthday=Birthday(5, 17, 1990),
        emails=[EmailInput("ANA@example.com"), EmailInput("ana.ruiz@work.example")],
        tags=["newsletter"],
        custom={"vip_level": "gold"},
        memberships=[services_membership(acme.pk), services_membership(bolt.pk)],
    )
    both = activities.interaction_create(
        actor=rep_north,
        data={"channel": "call", "subject": "Both", "person_ids": [ana.pk, dup.pk]},
    )
    activities.interaction_create(
        actor=rep_north, data={"channel": "note", "subject": "Dup only", "person_ids": [dup.pk]}
    )
    activities.task_create(actor=rep_north, data={"title": "Call back", "person_ids": [dup.pk]})
    start = timezone.now() + datetime.timedelta(days=2)
    activities.appointment_create(
        actor=rep_north,
        data={
            "title": "Visit",
            "start_at": start,
            "end_at": start + datetime.timedelta(hours=1),
            "time_zone": "Europe/Madrid",
            "person_ids": [dup.pk],
        },
    )
    make_deal(rep_north, make_pipeline(), person_ids=[dup.pk])
    make_quote(rep_north, dup)
    order_create(
        actor=rep_north,
        data={
            "currency": "EUR",
            "person_id": dup.pk,
            "lines": [{"description": "Table", "quantity": "1", "unit_price": "50.00"}],
        },
    )
    lead = lead_create(actor=rep_north, data={"first_name": "Anna", "last_name": "Ruiz"})
    lead_convert(actor=rep_north, lead=lead, person_id=dup.pk, skip_organization=True)
    return ana, dup, both


def services_membership(org_id: int) -> Any:
    return MembershipInput(organization_id=org_id)


def test_merge_moves_every_link_and_undo_puts_them_back(rep_north: Any, pair: Any) -> None:
    ana, dup, both = pair
    before_ana, before_dup = _links(ana), _links(dup)
    assert all(before_dup[k] for k in before_dup), before_dup  # the fixture has everything

    merge = person_merge(actor=rep_north, survivor=ana, other=dup, picks={"first_name": "survivor"})

    after = _links(ana)
    for key in before_dup:
        if key == "audit":  # plus the merge's own entries
            assert before_ana[key] | before_dup[key] < after[key]
        else:
            assert after[key] == before_ana[key] | before_dup[key], key
    assert not any(_links(dup)[k] - {None} for k in ("interactions", "tasks", "quotes"))
    assert set(both.people.values_list("pk", flat=True)) == {ana.pk}
    fresh = Person.objects.get(pk=ana.pk)
    assert fresh.first_name == "Ana"
    assert fresh.birthday == Birthday(5, 17, 1990)  # ana had none: the other's
    assert fresh.custom == {"vip_level": "gold"}
    assert sorted(fresh.tags.values_list("name", flat=True)) == ["newsletter", "vip"]
    emails = list(fresh.emailaddresss.values_list("address", "is_primary"))
    assert emails == [("ana@example.com", True), ("ana.ruiz@work.example", False)]
    gone = Person.objects.get(pk=dup.pk)
    assert gone.deleted_at is not None
    assert not SearchEntry.objects.filter(resource=Person.RESOURCE, object_id=dup.pk).exists()
    assert selectors.merged_into("person", dup.pk) == ana.pk
    entry = AuditEntry.objects.filter(object_id=ana.pk, action="merge").get()
    assert entry.changes["merged"] == [None, f"Anna Ruiz (#{dup.pk})"]
    assert "birthday" in entry.changes

    merge_undo(actor=rep_north, merge=merge)

    ana_links = _links(ana)
    for key in before_ana:
        if key != "audit":
            assert ana_links[key] == before_ana[key], key
    restored = _links(dup)
    for key in before_dup:
        if key == "audit":
            assert before_dup[key] <= restored[key]
        else:
            assert restored[key] == before_dup[key], key
    assert set(both.people.values_list("pk", flat=True)) == {ana.pk, dup.pk}
    ana_back = Person.objects.get(pk=ana.pk)
    assert ana_back.birthday is None
    assert ana_back.custom == {}
    assert list(ana_back.tags.values_list("name", flat=True)) == ["vip"]
    assert list(ana_back.emailaddresss.values_list("address", flat=True)) == ["ana@example.com"]
    dup_back = Person.objects.get(pk=dup.pk)
    assert dup_back.deleted_at is None
    assert dup_back.first_name == "Anna"
    assert SearchEntry.objects.filter(resource=Person.RESOURCE, object_id=dup.pk).exists()
    assert selectors.merged_into("person", dup.pk) is None
    assert AuditEntry.objects.filter(object_id=ana.pk, action="unmerge").exists()
    assert Merge.objects.get(pk=merge.pk).undone_at is not None
    with pytest.raises(ValidationError):
        merge_undo(actor=rep_north, merge=merge)


def test_picks_other_and_lists(rep_north: Any, person_factory: Any) -> None:
    a = person_factory(rep_north, first_name="Jon", emails=[EmailInput("a@example.com")])
    b = person_factory(rep_north, first_name="John", emails=[EmailInput("b@example.com")])
    person_merge(
        actor=rep_north, survivor=a, other=b, picks={"first_name": "other", "emails": "other"}
    )
    fresh = Person.objects.get(pk=a.pk)
    assert fresh.first_name == "John"
    assert list(fresh.emailaddresss.values_list("address", flat=True)) == ["b@example.com"]
    assert fresh.email == "b@example.com"


@pytest.mark.parametrize(
    ("picks", "field"),
    [
        ({"nickname": "other"}, "picks.nickname"),
        ({"first_name": "both"}, "picks.first_name"),
        ({"emails": "mine"}, "picks.emails"),
        ("first_name", "picks"),
    ],
)
def test_bad_picks_refused(rep_north: Any, person_factory: Any, picks: Any, field: str) -> None:
    a, b = person_factory(rep_north), person_factory(rep_north)
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=rep_north, survivor=a, other=b, picks=picks)
    assert field in exc.value.message_dict
    assert not Merge.objects.exists()
    assert Person.objects.get(pk=b.pk).deleted_at is None


def test_nothing_half_saved_when_the_picked_record_is_invalid(
    admin: Any, rep_north2: Any, person_factory: Any
) -> None:
    a = person_factory(admin, first_name="Eva")
    b = person_factory(admin, first_name="Eve", owner=rep_north2)
    activities.task_create(actor=admin, data={"title": "T", "person_ids": [b.pk]})
    rep_north2.is_active = False
    rep_north2.save()
    with pytest.raises(ValidationError) as exc:
        person_merge(
            actor=admin, survivor=a, other=b, picks={"owner": "other", "first_name": "other"}
        )
    assert "owner" in exc.value.message_dict
    assert Person.objects.get(pk=a.pk).first_name == "Eva"
    assert Person.objects.get(pk=b.pk).deleted_at is None
    assert Task.objects.get().people.get() == b
    assert not Merge.objects.exists()


def test_refusals(rep_north: Any, rep_south: Any, reader: Any, person_factory: Any) -> None:
    a, b, c = (person_factory(rep_north) for _ in range(3))
    south = person_factory(rep_south)
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=rep_north, survivor=a, other=a)
    assert "other_id" in exc.value.message_dict
    with pytest.raises(NotFound):
        person_merge(actor=rep_north, survivor=a, other=south)
    with pytest.raises(PermissionDenied):
        person_merge(actor=reader, survivor=a, other=b)
    with pytest.raises(VersionConflict):
        person_merge(actor=rep_north, survivor=a, other=b, expected_versions={b.pk: 99})
    person_merge(actor=rep_north, survivor=a, other=b)
    with pytest.raises(NotFound):  # already merged away
        person_merge(actor=rep_north, survivor=c, other=b)


def test_chains_redirect_and_undo_order(rep_north: Any, person_factory: Any) -> None:
    a, b, c = (person_factory(rep_north) for _ in range(3))
    first = person_merge(actor=rep_north, survivor=b, other=a)
    person_merge(actor=rep_north, survivor=c, other=b)
    assert selectors.merged_into("person", a.pk) == c.pk
    with pytest.raises(ValidationError) as exc:
        merge_undo(actor=rep_north, merge=first)
    assert "merged again" in str(exc.value)


def test_undo_only_by_the_merger_or_an_admin(
    rep_north: Any, rep_north2: Any, admin: Any, person_factory: Any
) -> None:
    a, b = person_factory(rep_north), person_factory(rep_north)
    merge = person_merge(actor=rep_north, survivor=a, other=b)
    with pytest.raises(PermissionDenied):
        merge_undo(actor=rep_north2, merge=merge)
    merge_undo(actor=admin, merge=merge)
    assert Person.objects.get(pk=b.pk).deleted_at is None


def test_merge_drops_duplicate_pairs_and_undo_restores_them(
    rep_north: Any, person_factory: Any
) -> None:
    a = person_factory(rep_north, first_name="Maria", last_name="Lopez")
    b = person_factory(rep_north, first_name="María", last_name="López")
    data_quality.duplicate_scan_request(actor=rep_north, kind="person")
    assert DuplicatePair.objects.filter(a_id=a.pk, b_id=b.pk).exists()
    merge = person_merge(actor=rep_north, survivor=a, other=b)
    assert not DuplicatePair.objects.exists()
    merge_undo(actor=rep_north, merge=merge)
    assert DuplicatePair.objects.filter(a_id=a.pk, b_id=b.pk).exists()


def test_survivor_updated_after_merge_keeps_undo_working(
    rep_north: Any, person_factory: Any
) -> None:
    a, b = person_factory(rep_north, last_name="One"), person_factory(rep_north, notes="n")
    merge = person_merge(actor=rep_north, survivor=a, other=b)
    person_update(actor=rep_north, person=Person.objects.get(pk=a.pk), data={"last_name": "Uno"})
    merge_undo(actor=rep_north, merge=merge)
    fresh = Person.objects.get(pk=a.pk)
    assert fresh.last_name == "Uno"
    assert fresh.notes == ""


# --- organizations ------------------------------------------------------------------------


def test_organization_merge_moves_people_and_deals(
    rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    acme = organization_factory(rep_north, name="Acme")
    acme2 = organization_factory(rep_north, name="ACME Inc", website="https://acme.example")
    ana = person_factory(rep_north, memberships=[services_membership(acme2.pk)])
    both = person_factory(
        rep_north, memberships=[services_membership(acme.pk), services_membership(acme2.pk)]
    )
    deal = make_deal(rep_north, make_pipeline(), organization_id=acme2.pk)
    merge = organization_merge(actor=rep_north, survivor=acme, other=acme2)
    fresh = Organization.objects.get(pk=acme.pk)
    assert fresh.website == "https://acme.example"
    assert set(fresh.people.values_list("pk", flat=True)) == {ana.pk, both.pk}
    assert Deal.objects.get(pk=deal.pk).organization_id == acme.pk
    assert selectors.merged_into("organization", acme2.pk) == acme.pk
    merge_undo(actor=rep_north, merge=merge)
    assert set(acme2.people.values_list("pk", flat=True)) == {ana.pk, both.pk}
    assert set(acme.people.values_list("pk", flat=True)) == {both.pk}
    assert Deal.objects.get(pk=deal.pk).organization_id == acme2.pk
    assert Organization.objects.get(pk=acme.pk).website == ""
