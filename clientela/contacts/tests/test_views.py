"""The contacts pages through the Django test client: lists (filters, sorting, paging,
saved views, query counts), detail pages, delete/undo/trash and who may see what.
Create and edit forms are in ``test_views_forms.py``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientela.contacts.birthdays import Birthday
from clientela.contacts.filters import SORTS
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import (
    AddressInput,
    EmailInput,
    MembershipInput,
    PhoneInput,
    RelationshipInput,
    person_update,
)
from clientela.core.models import AuditEntry, SavedView
from clientela.core.registry import Panel, detail_panels, register_detail_panel
from clientela.core.services import custom_field_create

pytestmark = pytest.mark.django_db

PEOPLE = reverse("contacts:person-list")
ORGS = reverse("contacts:organization-list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def person_url(name: str, person: Any) -> str:
    return reverse(f"contacts:person-{name}", kwargs={"pk": person.pk})


@pytest.fixture
def south_person(rep_south: Any, person_factory: Any) -> Person:
    person: Person = person_factory(rep_south, first_name="Sofía", last_name="Southgate")
    return person


@pytest.fixture
def north_person(rep_north: Any, person_factory: Any, organization_factory: Any) -> Person:
    org = organization_factory(rep_north, name="Acme Norte")
    person: Person = person_factory(
        rep_north,
        first_name="Nina",
        last_name="Northcott",
        birthday=Birthday(4, 2, 1985),
        emails=[EmailInput("nina@example.com")],
        phones=[PhoneInput("+34 612 345 678")],
        addresses=[AddressInput(country="ES", city="Sevilla", street="Calle Sol 1")],
        relationships=[RelationshipInput("customer", datetime.date(2020, 1, 15))],
        memberships=[MembershipInput(org.pk, "Buyer")],
        tags=["VIP"],
        notes="Met at the fair.\nLikes <b>tea</b>",
    )
    return person


# --- lists ------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client: Any) -> None:
    for url in (PEOPLE, ORGS, reverse("contacts:person-create"), reverse("core:trash")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("core:login") in response["Location"]


def test_person_list_shows_the_table(client: Any, rep_north: Any, north_person: Person) -> None:
    client.force_login(rep_north)
    response = client.get(PEOPLE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nina Northcott" in html
    assert "nina@example.com" in html
    assert "+34 612 34 56 78" in html  # formatted, not E.164
    assert "Spain" in html
    assert "Sevilla" in html
    assert ">VIP</span>" in html
    assert 'id="filters"' in html  # full page: filter panel included


def test_rep_does_not_list_other_teams_people(
    client: Any, rep_north: Any, north_person: Person, south_person: Person
) -> None:
    client.force_login(rep_north)
    html = client.get(PEOPLE).content.decode()
    assert "Northcott" in html
    assert "Southgate" not in html
    html = client.get(PEOPLE, {"q": "Southgate"}, **HTMX).content.decode()
    assert "Southgate" not in html


def test_htmx_request_gets_only_the_results_partial(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    client.force_login(rep_north)
    response = client.get(PEOPLE, {"sort": "-email"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="filters"' not in html
    assert "Northcott" in html
    assert 'id="filter-sort" hx-swap-oob="true"' in html
    assert 'value="-email"' in html


@pytest.mark.parametrize("resource", list(SORTS))
def test_sorting_by_every_column_both_ways_answers(
    client: Any, admin: Any, person_factory: Any, organization_factory: Any, resource: str
) -> None:
    person_factory(admin, first_name="Zoe", emails=[EmailInput("z@example.com")])
    person_factory(admin, first_name="Adam")
    organization_factory(admin, name="Beta")
    client.force_login(admin)
    url = PEOPLE if resource == Person.RESOURCE else ORGS
    for key in SORTS[resource]:
        for sort in (key, f"-{key}"):
            assert client.get(url, {"sort": sort}).status_code == 200, sort
            assert client.get(url, {"sort": sort}, **HTMX).status_code == 200, sort


def test_sort_order_follows_the_header(client: Any, admin: Any, person_factory: Any) -> None:
    person_factory(admin, first_name="Ann", last_name="Aardvark")
    person_factory(admin, first_name="Zed", last_name="Zulu")
    client.force_login(admin)
    html = client.get(PEOPLE, {"sort": "-name"}).content.decode()
    assert html.index("Zulu") < html.index("Aardvark")
    html = client.get(PEOPLE, {"sort": "name"}).content.decode()
    assert html.index("Aardvark") < html.index("Zulu")
    # the header of the column in force now offers the other direction
    assert "?sort=-name" in html


def test_bad_filters_show_a_warning_not_an_error(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    client.force_login(rep_north)
    response = client.get(
        PEOPLE, {"tag": "abc", "role": "alien", "country": "ZZ", "sort": "shoe_size", "cf_x": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were ignored" in html
    assert "Enter a whole number." in html
    assert "Unknown relationship" in html
    assert "Cannot sort by" in html
    assert "Northcott" in html  # the bad filters were left out, the list still shows


def test_filters_narrow_the_list(
    client: Any, admin: Any, rep_south: Any, person_factory: Any, north_person: Person
) -> None:
    custom_field_create(
        actor=admin,
        resource=Person.RESOURCE,
        key="segment",
        label="Segment",
        field_type="choice",
        choices=["Gold", "Silver"],
    )
    other = person_factory(
        rep_south,
        first_name="Otto",
        last_name="Other",
        addresses=[AddressInput(country="MX", city="Puebla")],
        custom={"segment": "Silver"},
    )
    person_update(actor=admin, person=north_person, data={"custom": {"segment": "Gold"}})
    client.force_login(admin)
    tag = north_person.tags.get()
    cases = [
        {"tag": tag.pk},
        {"role": "customer"},
        {"owner": north_person.owner_id},
        {"team": north_person.team_id},
        {"country": "ES"},
        {"city": "Sevilla"},
        {"cf_segment": "Gold"},
        {"q": "nina"},
    ]
    for params in cases:
        html = client.get(PEOPLE, params, **HTMX).content.decode()
        assert "Northcott" in html, params
        assert "Other" not in html, params
    html = client.get(PEOPLE, {"cf_segment": "Silver", "country": "MX"}, **HTMX).content.decode()
    assert "Other" in html
    assert "Northcott" not in html
    assert other.pk
    # custom choice fields are offered in the filter panel
    assert 'name="cf_segment"' in client.get(PEOPLE).content.decode()


def test_empty_list_offers_to_create_the_first_person(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    html = client.get(PEOPLE).content.decode()
    assert "Create the first person" in html
    assert reverse("contacts:person-create") in html


def test_filters_that_match_nothing_say_so(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    client.force_login(rep_north)
    html = client.get(PEOPLE, {"city": "Atlantis"}).content.decode()
    assert "Nothing matches these filters." in html
    assert "Create the first person" not in html


def test_pagination_shows_page_x_of_y(
    client: Any, admin: Any, person_factory: Any, settings: Any
) -> None:
    settings.CLIENTELA_PAGE_SIZE = 5
    for i in range(12):
        person_factory(admin, first_name="P", last_name=f"Person{i:02d}")
    client.force_login(admin)
    html = client.get(PEOPLE).content.decode()
    assert "Page 1 of 3" in html
    assert "Person04" in html
    assert "Person05" not in html
    html = client.get(PEOPLE, {"page": 3}, **HTMX).content.decode()
    assert "Page 3 of 3" in html
    assert "Person11" in html
    assert client.get(PEOPLE, {"page": "junk"}).status_code == 200
    assert "Page 3 of 3" in client.get(PEOPLE, {"page": 999}).content.decode()


def _list_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [PEOPLE, ORGS])
def test_list_queries_do_not_grow_with_page_size(
    client: Any,
    admin: Any,
    person_factory: Any,
    organization_factory: Any,
    settings: Any,
    django_assert_max_num_queries: Any,
    url: str,
) -> None:
    for i in range(55):
        person_factory(
            admin,
            emails=[EmailInput(f"p{i}@example.com")],
            phones=[PhoneInput(f"+1415555{i:04d}")],
            tags=["VIP", f"t{i % 3}"],
            relationships=[RelationshipInput("customer")],
        )
        organization_factory(admin, tags=["Partner"], emails=[EmailInput(f"o{i}@example.com")])
    client.force_login(admin)
    client.get(url)  # warm caches that are per-process (content types, etc.)
    settings.CLIENTELA_PAGE_SIZE = 10
    small = _list_queries(client, url, {})
    settings.CLIENTELA_PAGE_SIZE = 50
    large = _list_queries(client, url, {})
    assert small == large
    with django_assert_max_num_queries(small):
        client.get(url, {"sort": "-owner", "role": "customer", "tag": "1"})


def test_save_load_and_delete_a_view(client: Any, rep_north: Any, north_person: Person) -> None:
    client.force_login(rep_north)
    response = client.post(
        reverse("contacts:person-view-save"),
        {"name": "Customers in Spain", "query": "country=ES&role=customer&page=4"},
    )
    view = SavedView.objects.get(user=rep_north)
    assert view.resource == Person.RESOURCE
    assert view.query == "country=ES&role=customer"  # the page is not part of a view
    assert response["Location"] == f"{PEOPLE}?country=ES&role=customer"
    html = client.get(PEOPLE).content.decode()
    assert "Customers in Spain" in html
    assert f'href="{PEOPLE}?country=ES&amp;role=customer"' in html
    # a view without a name is refused with a message, nothing saved
    client.post(reverse("contacts:person-view-save"), {"name": " ", "query": "a=b"})
    assert SavedView.objects.count() == 1
    # saved views belong to one list: the organizations page does not show it
    assert "Customers in Spain" not in client.get(ORGS).content.decode()
    client.post(reverse("contacts:person-view-delete", kwargs={"pk": view.pk}))
    assert not SavedView.objects.exists()


def test_cannot_delete_someone_elses_view(client: Any, rep_north: Any, rep_south: Any) -> None:
    client.force_login(rep_south)
    client.post(reverse("contacts:person-view-save"), {"name": "Mine", "query": ""})
    view = SavedView.objects.get()
    client.force_login(rep_north)
    response = client.post(reverse("contacts:person-view-delete", kwargs={"pk": view.pk}))
    assert response.status_code == 404
    assert SavedView.objects.exists()


# --- detail pages ----------------------------------------------------------------------


def test_person_detail_shows_everything(
    client: Any, admin: Any, rep_north: Any, north_person: Person
) -> None:
    custom_field_create(
        actor=admin,
        resource=Person.RESOURCE,
        key="newsletter",
        label="Newsletter",
        field_type="boolean",
    )
    person_update(actor=rep_north, person=north_person, data={"custom": {"newsletter": True}})
    client.force_login(rep_north)
    response = client.get(person_url("detail", north_person))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nina Northcott" in html
    assert 'href="mailto:nina@example.com"' in html
    assert 'href="tel:+34612345678"' in html
    assert "+34 612 34 56 78" in html
    assert "Calle Sol 1" in html
    assert "Spain" in html
    assert "Customer" in html
    assert "since" in html
    assert "Acme Norte" in html
    assert "Buyer" in html
    assert ">VIP</span>" in html
    assert "Newsletter" in html
    assert "Yes" in html
    assert "04/02/1985" in html  # the short l10n date format, as every date on the page
    # notes are escaped and keep their line breaks
    assert "Likes &lt;b&gt;tea&lt;/b&gt;" in html
    assert "<b>tea</b>" not in html
    assert "Met at the fair.<br>" in html
    # history: who, through which interface, what changed
    assert "History" in html
    assert "Created" in html
    assert "Updated" in html
    assert "nora_north" in html
    assert "Newsletter" in html or "Custom fields" in html
    assert "Edit" in html
    assert "Delete" in html


def test_organization_detail_lists_its_people(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    org = Organization.objects.get(name="Acme Norte")
    client.force_login(rep_north)
    html = client.get(
        reverse("contacts:organization-detail", kwargs={"pk": org.pk})
    ).content.decode()
    assert "Nina Northcott" in html
    assert "Buyer" in html
    assert person_url("detail", north_person) in html


def test_history_times_follow_the_users_time_zone(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    rep_north.time_zone = "Pacific/Kiritimati"  # UTC+14
    rep_north.save()
    entry = AuditEntry.objects.filter(object_id=north_person.pk).first()
    assert entry is not None
    created = entry.created_at
    client.force_login(rep_north)
    html = client.get(person_url("detail", north_person)).content.decode()
    local = created.astimezone(datetime.timezone(datetime.timedelta(hours=14)))
    assert f'datetime="{local.isoformat()}"' in html


def test_registered_panels_are_rendered_in_order(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    saved = list(detail_panels[Person.RESOURCE])
    try:
        register_detail_panel(
            Person.RESOURCE,
            Panel(
                "second",
                "Second panel",
                "core/_empty.html",
                lambda request, record: {"message": f"two for {record.pk}"},
                order=20,
            ),
        )
        register_detail_panel(
            Person.RESOURCE,
            Panel(
                "first",
                "First panel",
                "core/_empty.html",
                lambda request, record: {"message": "one"},
                order=10,
            ),
        )
        client.force_login(rep_north)
        html = client.get(person_url("detail", north_person)).content.decode()
    finally:
        detail_panels[Person.RESOURCE] = saved
    assert html.index("First panel") < html.index("Second panel")
    assert f"two for {north_person.pk}" in html


# --- visibility and rights -------------------------------------------------------------


def test_rep_gets_404_for_another_teams_person(
    client: Any, rep_north: Any, south_person: Person
) -> None:
    client.force_login(rep_north)
    for name in ("detail", "edit", "delete"):
        assert client.get(person_url(name, south_person)).status_code == 404, name
    assert client.post(person_url("delete", south_person)).status_code == 404
    assert client.post(person_url("edit", south_person), {"last_name": "X"}).status_code == 404
    south_person.refresh_from_db()
    assert south_person.deleted_at is None
    assert south_person.last_name == "Southgate"


def test_unknown_ids_are_404(client: Any, admin: Any) -> None:
    client.force_login(admin)
    assert client.get("/people/999999/").status_code == 404
    assert client.get("/organizations/999999/edit/").status_code == 404


def test_read_only_user_sees_no_change_buttons_and_gets_403(
    client: Any, reader: Any, north_person: Person
) -> None:
    client.force_login(reader)
    html = client.get(person_url("detail", north_person)).content.decode()
    assert "Nina Northcott" in html
    assert person_url("edit", north_person) not in html
    assert person_url("delete", north_person) not in html
    list_html = client.get(PEOPLE).content.decode()
    assert reverse("contacts:person-create") not in list_html
    response = client.get(reverse("contacts:person-create"))
    assert response.status_code == 403
    assert "Your role does not allow you to create" in response.content.decode()
    assert client.post(reverse("contacts:person-create"), {}).status_code == 403
    assert client.get(person_url("edit", north_person)).status_code == 403
    assert client.get(person_url("delete", north_person)).status_code == 403
    assert client.post(person_url("delete", north_person)).status_code == 403
    north_person.refresh_from_db()
    assert north_person.deleted_at is None


# --- delete, undo, trash ---------------------------------------------------------------


def test_delete_asks_then_moves_to_trash(client: Any, rep_north: Any, north_person: Person) -> None:
    client.force_login(rep_north)
    html = client.get(person_url("delete", north_person)).content.decode()
    assert "Delete “Nina Northcott”?" in html
    assert "30 days" in html
    response = client.post(
        person_url("delete", north_person), {"version": north_person.version}, follow=True
    )
    assert response.redirect_chain[-1][0] == PEOPLE
    html = response.content.decode()
    assert "moved to the trash" in html
    assert "30 days" in html
    assert "Undo" in html  # the deleter may bring it back
    north_person.refresh_from_db()
    assert north_person.deleted_at is not None
    assert client.get(person_url("detail", north_person)).status_code == 404


def test_delete_with_a_stale_version_changes_nothing(
    client: Any, rep_north: Any, north_person: Person
) -> None:
    client.force_login(rep_north)
    person_update(actor=rep_north, person=north_person, data={"first_name": "Nena"})
    response = client.post(person_url("delete", north_person), {"version": 1})
    assert response.status_code == 200
    assert "Someone changed this record" in response.content.decode()
    north_person.refresh_from_db()
    assert north_person.deleted_at is None


def test_admin_can_undo_a_delete(client: Any, admin: Any, person_factory: Any) -> None:
    person = person_factory(admin, first_name="Undo", last_name="Me")
    client.force_login(admin)
    response = client.post(person_url("delete", person), follow=True)
    html = response.content.decode()
    restore = reverse("core:trash-restore-one", args=["contacts.person", person.pk])
    assert f'action="{restore}"' in html
    assert "Undo" in html
    response = client.post(restore, follow=True)
    assert response.redirect_chain[-1][0] == person_url("detail", person)
    assert "back from the trash" in response.content.decode()
    person.refresh_from_db()
    assert person.deleted_at is None


def test_the_trash_shows_others_deletions_to_admins_only(
    client: Any,
    admin: Any,
    manager_north: Any,
    rep_north: Any,
    reader: Any,
    person_factory: Any,
    organization_factory: Any,
) -> None:
    person = person_factory(rep_north, first_name="Trashed", last_name="Person")
    org = organization_factory(rep_north, name="Trashed Org")
    client.force_login(rep_north)
    client.post(person_url("delete", person))
    client.post(reverse("contacts:organization-delete", kwargs={"pk": org.pk}))
    assert "Trashed Person" in client.get(reverse("core:trash")).content.decode()
    for user in (manager_north, reader):
        other = Client()
        other.force_login(user)
        assert "Trashed Person" not in other.get(reverse("core:trash")).content.decode()
        assert other.post(person_url("restore", person)).status_code == 404
    client.force_login(admin)
    html = client.get(reverse("core:trash")).content.decode()
    assert "Trashed Person" in html
    assert "Trashed Org" in html
    response = client.post(
        reverse("contacts:organization-restore", kwargs={"pk": org.pk}),
        {"next": reverse("core:trash")},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("core:trash")
    assert "“Trashed Org” is back from the trash." in response.content.decode()
    org.refresh_from_db()
    assert org.deleted_at is None
    assert "Trashed Org" not in client.get(reverse("core:trash")).content.decode()
    # restoring something that is not in the trash is a 404, not a 500
    assert (
        client.post(reverse("contacts:organization-restore", kwargs={"pk": org.pk})).status_code
        == 404
    )


def test_organization_options_are_limited_to_visible_ones(
    client: Any, rep_north: Any, rep_south: Any, organization_factory: Any
) -> None:
    organization_factory(rep_north, name="Northwind")
    organization_factory(rep_south, name="Northern South Co")
    client.force_login(rep_north)
    html = client.get(reverse("contacts:organization-options"), {"org_q": "north"}).content.decode()
    assert "Northwind" in html
    assert "Northern South Co" not in html
