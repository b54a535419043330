"""The likely-duplicates pages: pairs side by side, minimum score, pagination, "Not a
duplicate" by htmx, "Scan now", empty state, scope and rights."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.contacts import data_quality
from clientela.contacts.models import DuplicateDismissal, DuplicateKind

PEOPLE_URL = "/people/duplicates/"
ORGS_URL = "/organizations/duplicates/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def twins(factory: Any, owner: Any, first: str, last: str, email: str) -> tuple[Any, Any]:
    a = factory(owner, first_name=first, last_name=last, email=email)
    b = factory(owner, first_name=first, last_name=last, email=email.upper())
    return a, b


def test_urls_are_named() -> None:
    assert reverse("contacts:person-duplicates") == PEOPLE_URL
    assert reverse("contacts:organization-duplicates") == ORGS_URL


def test_empty_state_before_and_after_a_scan(admin: Any) -> None:
    client = client_for(admin)
    page = client.get(PEOPLE_URL).content.decode()
    assert "No likely duplicates" in page
    assert "Scan now" in page
    assert "No scan has run yet" in page
    response = client.post(reverse("contacts:person-duplicate-scan"), follow=True)
    assert response.status_code == 200
    assert "No likely duplicates" in response.content.decode()
    assert "Last scan" in response.content.decode()


def test_pairs_are_listed_side_by_side_with_score_and_reasons(
    admin: Any, person_factory: Any
) -> None:
    a, b = twins(person_factory, admin, "Greta", "Lindqvist", "greta@example.com")
    client = client_for(admin)
    client.post(reverse("contacts:person-duplicate-scan"))
    page = client.get(PEOPLE_URL).content.decode()
    assert page.count("Greta Lindqvist") == 2
    assert f'href="/people/{a.pk}/"' in page
    assert f'href="/people/{b.pk}/"' in page
    assert "greta@example.com" in page
    assert "same e-mail" in page
    assert "same name" in page
    assert "100%" in page
    assert "Not a duplicate" in page


def test_minimum_score_filters_and_bad_values_are_explained(
    admin: Any, person_factory: Any
) -> None:
    twins(person_factory, admin, "Greta", "Lindqvist", "greta@example.com")
    person_factory(admin, first_name="Hans", last_name="Berg")
    person_factory(admin, first_name="Hans", last_name="Berg")  # same name only: 0.65
    client = client_for(admin)
    client.post(reverse("contacts:person-duplicate-scan"))
    assert client.get(PEOPLE_URL, {"min_score": "0.6"}).content.decode().count("Hans Berg") == 2
    assert "Hans Berg" not in client.get(PEOPLE_URL).content.decode()  # default 0.7
    strict = client.get(PEOPLE_URL, {"min_score": "0.9"}).content.decode()
    assert "Hans Berg" not in strict
    assert "Greta Lindqvist" in strict
    assert "Hans Berg" not in client.get(PEOPLE_URL, {"min_score": "90%"}).content.decode()
    for bad in ("lots", "1.5", "-1", "nan"):
        response = client.get(PEOPLE_URL, {"min_score": bad})
        assert response.status_code == 200
        assert "minimum score must be a number between 0 and 1" in response.content.decode()


def test_htmx_filter_returns_the_results_partial(admin: Any, person_factory: Any) -> None:
    twins(person_factory, admin, "Greta", "Lindqvist", "greta@example.com")
    client = client_for(admin)
    client.post(reverse("contacts:person-duplicate-scan"))
    partial = client.get(PEOPLE_URL, {"min_score": "0.8"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "Greta Lindqvist" in body
    assert "<html" not in body


def test_pagination(admin: Any, person_factory: Any, settings: Any) -> None:
    settings.CLIENTELA_PAGE_SIZE = 5
    for i in range(7):
        twins(person_factory, admin, "Same", f"Person{i:02d}x", f"p{i}@example.com")
    client = client_for(admin)
    client.post(reverse("contacts:person-duplicate-scan"))
    first = client.get(PEOPLE_URL).content.decode()
    second = client.get(PEOPLE_URL, {"page": "2"}).content.decode()
    assert first.count("Not a duplicate") == 5
    assert second.count("Not a duplicate") == 2
    assert 'rel="next"' in first


def test_not_a_duplicate_removes_the_row_for_good(admin: Any, person_factory: Any) -> None:
    a, b = twins(person_factory, admin, "Greta", "Lindqvist", "greta@example.com")
    client = client_for(admin)
    client.post(reverse("contacts:person-duplicate-scan"))
    url = reverse("contacts:person-duplicate-dismiss")
    response = client.post(url, {"a": a.pk, "b": b.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""
    assert DuplicateDismissal.objects.filter(kind=DuplicateKind.PERSON).count() == 1
    assert "No likely duplicates" in client.get(PEOPLE_URL).content.decode()
    client.post(reverse("contacts:person-duplicate-scan"))
    assert "Greta" not in client.get(PEOPLE_URL).content.decode()
    # Without htmx: back to the page.
    assert client.post(url, {"a": a.pk, "b": b.pk}).status_code == 302
    # Nonsense ids: not found, nothing written.
    assert client.post(url, {"a": "x", "b": b.pk}).status_code == 404
    assert client.get(url).status_code == 405


def test_a_north_rep_never_sees_a_pair_with_a_south_record(
    admin: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    north = person_factory(rep_north, first_name="Maria", last_name="Garcia", email="m@example.com")
    south = person_factory(rep_south, first_name="Maria", last_name="Garcia", email="m@example.com")
    data_quality.duplicate_scan_request(actor=admin, kind=DuplicateKind.PERSON)
    assert "Maria Garcia" in client_for(admin).get(PEOPLE_URL).content.decode()
    page = client_for(rep_north).get(PEOPLE_URL).content.decode()
    assert "Maria Garcia" not in page
    assert "No likely duplicates" in page
    # Nor can the rep dismiss it (the South record is "not found").
    url = reverse("contacts:person-duplicate-dismiss")
    response = client_for(rep_north).post(url, {"a": north.pk, "b": south.pk})
    assert response.status_code == 404
    assert not DuplicateDismissal.objects.exists()


def test_only_users_who_may_update_get_the_page_and_the_link(
    reader: Any, rep_north: Any, make_user: Any
) -> None:
    reader_client = client_for(reader)
    assert reader_client.get(PEOPLE_URL).status_code == 403
    assert reader_client.post(reverse("contacts:person-duplicate-scan")).status_code == 403
    assert "Find duplicates" not in reader_client.get("/people/").content.decode()
    rep = client_for(rep_north)
    assert 'href="/people/duplicates/"' in rep.get("/people/").content.decode()
    assert 'href="/organizations/duplicates/"' in rep.get("/organizations/").content.decode()
    assert Client().get(PEOPLE_URL).status_code == 302  # to the login page


@pytest.mark.parametrize("url", [PEOPLE_URL, ORGS_URL])
def test_both_kinds_have_the_page(admin: Any, url: str) -> None:
    assert client_for(admin).get(url).status_code == 200


def test_organization_pairs(admin: Any, organization_factory: Any) -> None:
    organization_factory(admin, name="Acme Inc.", city="Madrid", country="ES")
    organization_factory(admin, name="ACME S.L.", city="Madrid", country="ES")
    client = client_for(admin)
    client.post(reverse("contacts:organization-duplicate-scan"))
    page = client.get(ORGS_URL).content.decode()
    assert "Acme Inc." in page
    assert "ACME S.L." in page
    assert "same city" in page
