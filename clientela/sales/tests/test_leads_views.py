"""The leads pages through the Django test client: list (filters, sort, paging, htmx,
empty states), detail with status buttons and history, create/edit forms with bad
input, delete with Undo, the trash, the conversion page, and other teams' 404s."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from clientela.contacts.models import Organization, Person
from clientela.sales.models import Deal, Lead, Pipeline, Stage
from clientela.sales.services.leads import lead_convert, lead_create, lead_set_status, lead_trash

pytestmark = pytest.mark.django_db

LIST = reverse("sales:lead-list")
CREATE = reverse("sales:lead-create")
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, lead: Lead) -> str:
    return reverse(f"sales:lead-{name}", kwargs={"pk": lead.pk})


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    found = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if found is not None:
        return found
    created = Pipeline.objects.create(name="Sales")
    Stage.objects.create(pipeline=created, name="New", position=0, probability=10)
    Stage.objects.create(pipeline=created, name="Won", position=1, probability=100, is_won=True)
    Stage.objects.create(pipeline=created, name="Lost", position=2, is_lost=True)
    return created


@pytest.fixture
def lead(rep_north: Any) -> Lead:
    return lead_create(
        actor=rep_north,
        data={
            "first_name": "Lucía",
            "last_name": "Méndez",
            "email": "lucia@example.com",
            "phone": "+34612345678",
            "company": "Panadería Núñez",
            "job_title": "Owner",
        },
    )


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "",
        "last_name": "",
        "email": "",
        "phone": "",
        "company": "",
        "job_title": "",
        "source": "manual",
        "notes": "",
    }
    data.update(overrides)
    return data


# --- list -----------------------------------------------------------------------------


def test_empty_list_invites_to_create(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = client.get(LIST).content.decode()
    assert "No leads yet" in page
    assert "Create the first lead" in page


def test_list_filters_sorts_pages_and_htmx(client: Any, rep_north: Any, settings: Any) -> None:
    settings.CLIENTELA_PAGE_SIZE = 2
    for name in ("Ana", "Bruno", "Carla"):
        lead_create(actor=rep_north, data={"first_name": name, "company": f"{name} SL"})
    client.force_login(rep_north)
    page = client.get(LIST, {"sort": "name"}).content.decode()
    assert "Ana SL" in page
    assert "Bruno" in page
    assert "Carla" not in page
    assert 'rel="next"' in page
    second = client.get(LIST, {"sort": "name", "page": 2}).content.decode()
    assert "Carla" in second
    assert "Ana SL" not in second  # not "Ana": the Analytics menu
    partial = client.get(LIST, {"q": "carla"}, **HTMX)
    body = partial.content.decode()
    assert "<html" not in body
    assert "Carla" in body
    assert "Bruno" not in body
    nothing = client.get(LIST, {"status": "qualified"}).content.decode()
    assert "Nothing matches these filters." in nothing
    ignored = client.get(LIST, {"status": "bogus", "sort": "nope"})
    assert ignored.status_code == 200
    assert "Some filters were ignored" in ignored.content.decode()


def test_nav_has_leads(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert f'href="{LIST}"' in client.get(LIST).content.decode()


# --- create / edit --------------------------------------------------------------------


def test_create_lead(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    response = client.post(
        CREATE,
        form_data(
            first_name="Ana", email="Ana@Example.com", phone="+34 612 345 678", owner=rep_north.pk
        ),
    )
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", lead)
    assert (lead.email, lead.phone, lead.owner) == ("ana@example.com", "+34612345678", rep_north)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Give at least a name, a company or an e-mail."),
        ({"first_name": "A", "email": "not-an-email"}, "is not a valid e-mail address"),
        ({"first_name": "A", "phone": "12"}, "is not a valid phone number"),
        ({"first_name": "A", "source": "pigeon"}, "Select a valid choice"),
    ],
)
def test_create_bad_input_shows_errors_and_saves_nothing(
    client: Any, rep_north: Any, data: dict[str, Any], message: str
) -> None:
    client.force_login(rep_north)
    response = client.post(CREATE, form_data(owner=rep_north.pk, **data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not Lead.objects.exists()


def test_edit_with_stale_version_shows_conflict(client: Any, rep_north: Any, lead: Lead) -> None:
    client.force_login(rep_north)
    page = client.get(url("edit", lead)).content.decode()
    assert 'value="Panadería Núñez"' in page
    ok = client.post(
        url("edit", lead),
        form_data(first_name="Lucía", company="New Co", owner=rep_north.pk, version=1),
    )
    assert ok.status_code == 302
    stale = client.post(url("edit", lead), form_data(first_name="X", owner=rep_north.pk, version=1))
    assert 'id="version-conflict"' in stale.content.decode()
    lead.refresh_from_db()
    assert (lead.company, lead.first_name, lead.version) == ("New Co", "Lucía", 2)


# --- detail, status, delete -----------------------------------------------------------


def test_detail_shows_fields_status_buttons_and_history(
    client: Any, rep_north: Any, lead: Lead
) -> None:
    client.force_login(rep_north)
    page = client.get(url("detail", lead)).content.decode()
    assert "lucia@example.com" in page
    assert "Owner" in page
    assert "Mark contacted" in page
    assert "Disqualify" in page
    assert url("convert", lead) in page
    assert "History" in page
    assert "Created" in page


def test_status_buttons(client: Any, rep_north: Any, lead: Lead) -> None:
    client.force_login(rep_north)
    done = client.post(url("status", lead), {"status": "contacted", "version": 1})
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "contacted"
    refused = client.post(url("status", lead), {"status": "disqualified", "reason": ""})
    assert "Say why the lead is disqualified." in refused.content.decode()
    bogus = client.post(url("status", lead), {"status": "converted"})
    assert 'id="status-error"' in bogus.content.decode()
    lead.refresh_from_db()
    assert lead.status == "contacted"
    client.post(url("status", lead), {"status": "disqualified", "reason": "No budget"})
    lead.refresh_from_db()
    assert (lead.status, lead.disqualified_reason) == ("disqualified", "No budget")
    page = client.get(url("detail", lead)).content.decode()
    assert "No budget" in page
    assert url("convert", lead) not in page


def test_delete_with_undo_for_admin(client: Any, admin: Any, rep_north: Any, lead: Lead) -> None:
    client.force_login(admin)
    assert "Delete “" in client.get(url("delete", lead)).content.decode()
    response = client.post(url("delete", lead), {"version": lead.version}, follow=True)
    page = response.content.decode()
    assert "moved to the trash" in page
    undo = reverse("core:trash-restore-one", args=["sales.lead", lead.pk])
    assert undo in page
    trash = client.get(reverse("sales:lead-trash"), follow=True).content.decode()
    assert trash.count(str(lead)) >= 1
    client.post(url("restore", lead))
    lead.refresh_from_db()
    assert lead.deleted_at is None


def test_rep_deletes_with_undo_and_finds_it_in_their_trash(
    client: Any, rep_north: Any, rep_north2: Any, lead: Lead
) -> None:
    client.force_login(rep_north)
    page = client.post(url("delete", lead), {"version": lead.version}, follow=True).content.decode()
    assert "moved to the trash" in page
    assert reverse("core:trash-restore-one", args=["sales.lead", lead.pk]) in page
    assert str(lead) in client.get(reverse("sales:lead-trash"), follow=True).content.decode()
    client.force_login(rep_north2)
    assert client.post(url("restore", lead)).status_code == 404
    client.force_login(rep_north)
    assert client.post(url("restore", lead)).status_code == 302
    lead.refresh_from_db()
    assert lead.deleted_at is None


# --- permissions ----------------------------------------------------------------------


def test_other_team_gets_404_on_every_page(client: Any, rep_south: Any, lead: Lead) -> None:
    client.force_login(rep_south)
    assert str(lead) not in client.get(LIST).content.decode()
    for name in ("detail", "edit", "convert", "delete"):
        assert client.get(url(name, lead)).status_code == 404, name
    for name in ("edit", "status", "convert", "delete"):
        assert client.post(url(name, lead), {"status": "qualified"}).status_code == 404, name
    lead.refresh_from_db()
    assert lead.status == "new"
    assert lead.deleted_at is None


def test_reader_cannot_create(client: Any, reader: Any) -> None:
    client.force_login(reader)
    assert client.get(CREATE).status_code == 403


def test_pages_need_login(client: Any, lead: Lead) -> None:
    assert client.get(LIST).status_code == 302
    assert client.get(url("detail", lead)).status_code == 302


# --- conversion -----------------------------------------------------------------------


def test_convert_page_suggests_matches(
    client: Any, rep_north: Any, lead: Lead, person_factory: Any, organization_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Lucy", last_name="M", email="lucia@example.com")
    org = organization_factory(rep_north, name="PANADERÍA NÚÑEZ")
    client.force_login(rep_north)
    page = client.get(url("convert", lead)).content.decode()
    assert "Use Lucy M" in page
    assert "same e-mail" in page
    assert "Use PANADERÍA NÚÑEZ" in page
    assert "Create a new person" in page
    assert "Create the organization" in page
    # The matches are chosen by default.
    assert re.search(rf'name="person" value="{person.pk}"[^>]* checked', page)
    assert re.search(rf'name="organization" value="{org.pk}"[^>]* checked', page)


def test_convert_with_new_records_and_deal_redirects_to_deal(
    client: Any, rep_north: Any, lead: Lead, pipeline: Pipeline
) -> None:
    client.force_login(rep_north)
    response = client.post(
        url("convert", lead),
        {
            "person": "new",
            "organization": "new",
            "create_deal": "on",
            "deal_title": "Ovens",
            "deal_amount": "1500.00",
            "deal_currency": "EUR",
            "deal_pipeline": pipeline.pk,
            "version": lead.version,
        },
    )
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal-detail", kwargs={"pk": deal.pk})
    person = Person.objects.get()
    assert person.organizations.get().name == "Panadería Núñez"
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert lead.converted_deal == deal
    page = client.get(url("detail", lead)).content.decode()
    assert "Converted on" in page
    assert reverse("contacts:person-detail", kwargs={"pk": person.pk}) in page
    # The person's timeline says where they came from.
    person_page = client.get(reverse("contacts:person-detail", kwargs={"pk": person.pk}))
    assert "Converted from lead" in person_page.content.decode()


def test_convert_linking_existing_person_redirects_to_person(
    client: Any, rep_north: Any, lead: Lead, person_factory: Any
) -> None:
    existing = person_factory(rep_north, email="lucia@example.com")
    client.force_login(rep_north)
    response = client.post(
        url("convert", lead), {"person": str(existing.pk), "organization": "none"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person-detail", kwargs={"pk": existing.pk})
    assert Person.objects.count() == 1
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"deal_currency": "XYZ"}, "is not an ISO 4217 currency code"),
        ({"deal_amount": "lots"}, "Give the amount as a decimal number"),
        ({"deal_pipeline": "987654"}, "Select a valid choice"),
        ({"person": "987654"}, "Select a valid choice"),
    ],
)
def test_convert_bad_input_shows_errors_and_saves_nothing(
    client: Any, rep_north: Any, lead: Lead, pipeline: Pipeline, extra: dict[str, Any], message: str
) -> None:
    client.force_login(rep_north)
    data = {
        "person": "new",
        "organization": "new",
        "create_deal": "on",
        "deal_title": "Ovens",
        "deal_amount": "10",
        "deal_currency": "EUR",
        "deal_pipeline": pipeline.pk,
        **extra,
    }
    response = client.post(url("convert", lead), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.exists()
    assert not Organization.objects.exists()
    assert not Deal.objects.exists()
    lead.refresh_from_db()
    assert lead.status == "new"


def test_converted_or_disqualified_lead_cannot_be_converted_again(
    client: Any, rep_north: Any, lead: Lead
) -> None:
    lead_convert(actor=rep_north, lead=lead)
    client.force_login(rep_north)
    again = client.post(url("convert", lead), {"person": "new", "organization": "none"})
    assert again.status_code == 302
    assert again["Location"] == url("detail", lead)
    assert Person.objects.count() == 1

    other = lead_create(actor=rep_north, data={"first_name": "Bea"})
    lead_set_status(actor=rep_north, lead=other, status="disqualified", reason="Spam")
    refused = client.post(url("convert", other), {"person": "new", "organization": "none"})
    assert "A disqualified lead cannot be converted" in refused.content.decode()
    assert Person.objects.count() == 1


def test_trashed_lead_is_gone(client: Any, rep_north: Any, lead: Lead) -> None:
    lead_trash(actor=rep_north, lead=lead)
    client.force_login(rep_north)
    assert client.get(url("detail", lead)).status_code == 404


def test_header_search_finds_leads_of_my_team_only(
    client: Any, rep_north: Any, rep_south: Any, lead: Lead
) -> None:
    client.force_login(rep_north)
    page = client.get(reverse("core:search"), {"q": "lucia mendez"}).content.decode()
    assert url("detail", lead) in page
    client.force_login(rep_south)
    page = client.get(reverse("core:search"), {"q": "lucia mendez"}).content.decode()
    assert url("detail", lead) not in page
