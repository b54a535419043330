"""The header search page and its as-you-type fragment (``core:search``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.contacts.services import EmailInput, PhoneInput

pytestmark = pytest.mark.django_db

SEARCH = reverse("core:search")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(rep_north: Any, rep_south: Any, person_factory: Any, organization_factory: Any) -> Any:
    org = organization_factory(rep_north, name="Jolly Traders")
    north = person_factory(
        rep_north,
        first_name="José",
        last_name="Álvarez",
        emails=[EmailInput("jose@example.com")],
        phones=[PhoneInput("+1 415 555 0123")],
    )
    south = person_factory(rep_south, first_name="Josefina", last_name="Sur")
    return {"org": org, "north": north, "south": south}


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get(SEARCH, {"q": "x"})
    assert response.status_code == 302


def test_empty_query_gives_an_empty_fragment(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    for q in ("", "   "):
        response = client.get(SEARCH, {"q": q}, **HTMX)
        assert response.status_code == 200
        assert response.content == b""


def test_as_you_type_fragment_links_to_the_records(
    client: Any, rep_north: Any, people: Any
) -> None:
    client.force_login(rep_north)
    response = client.get(SEARCH, {"q": "jo"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "list-group" in html
    assert "José Álvarez" in html
    assert reverse("contacts:person-detail", kwargs={"pk": people["north"].pk}) in html
    assert "Jolly Traders" in html
    assert reverse("contacts:organization-detail", kwargs={"pk": people["org"].pk}) in html
    assert "bi-person" in html
    assert "bi-building" in html
    assert "jose@example.com" in html  # subtitle


def test_search_is_accent_and_case_insensitive_and_finds_phones(
    client: Any, rep_north: Any, people: Any
) -> None:
    client.force_login(rep_north)
    for q in ("jose alvarez", "ÁLVAREZ", "(415) 555-0123", "jose@example"):
        assert "José Álvarez" in client.get(SEARCH, {"q": q}, **HTMX).content.decode(), q


def test_rep_cannot_find_another_teams_person(client: Any, rep_north: Any, people: Any) -> None:
    client.force_login(rep_north)
    html = client.get(SEARCH, {"q": "josefina"}, **HTMX).content.decode()
    assert "Josefina" not in html
    assert "No results" in html
    html = client.get(SEARCH, {"q": "sur"}).content.decode()
    assert "Josefina" not in html


def test_admin_finds_every_team(client: Any, admin: Any, people: Any) -> None:
    client.force_login(admin)
    html = client.get(SEARCH, {"q": "jose"}, **HTMX).content.decode()
    assert "José Álvarez" in html
    assert "Josefina Sur" in html


def test_dropdown_shows_at_most_eight_per_kind(
    client: Any, admin: Any, person_factory: Any
) -> None:
    for i in range(12):
        person_factory(admin, first_name="Many", last_name=f"Match{i:02d}")
    client.force_login(admin)
    html = client.get(SEARCH, {"q": "many"}, **HTMX).content.decode()
    assert html.count("search-hit") == 8
    assert "See all results" in html
    full = client.get(SEARCH, {"q": "many"}).content.decode()
    assert full.count("Many Match") == 12


def test_full_page_without_htmx(client: Any, rep_north: Any, people: Any) -> None:
    client.force_login(rep_north)
    response = client.get(SEARCH, {"q": "jolly"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Results for “jolly”" in html
    assert "Jolly Traders" in html
    html = client.get(SEARCH, {"q": "zzzzzz"}).content.decode()
    assert "No results" in html
    assert client.get(SEARCH).status_code == 200


def test_odd_queries_do_not_break_search(client: Any, rep_north: Any, people: Any) -> None:
    client.force_login(rep_north)
    for q in ('"', "*", "a AND OR NOT", "NEAR(", "'; DROP TABLE x; --", "x" * 1000, "<script>"):
        response = client.get(SEARCH, {"q": q}, **HTMX)
        assert response.status_code == 200, q
        assert "<script>" not in response.content.decode()


def group_headings(html: str) -> list[str]:
    return [
        part.split("</i>", 1)[1].split("</div>", 1)[0].strip()
        for part in html.split('class="list-group-item list-group-item-light')[1:]
    ]


def test_hits_are_grouped_under_a_heading_per_kind_best_kind_first(
    client: Any, rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    acme = organization_factory(rep_north, name="Acme Josefa")
    person_factory(rep_north, first_name="José", last_name="Martínez")
    person_factory(rep_north, first_name="Ana", last_name="Acme")
    client.force_login(rep_north)
    html = client.get(SEARCH, {"q": "jose"}, **HTMX).content.decode()
    # José Martínez's name holds the word; the organization's only begins with it.
    assert group_headings(html) == ["People", "Organizations"]
    assert html.count('role="heading"') == 2
    assert html.index("José Martínez") < html.index("Organizations") < html.index("Acme Josefa")
    html = client.get(SEARCH, {"q": "acme"}, **HTMX).content.decode()
    assert group_headings(html) == ["Organizations", "People"]
    assert reverse("contacts:organization-detail", kwargs={"pk": acme.pk}) in html
    page = client.get(SEARCH, {"q": "acme"}).content.decode()
    assert page.index("Acme Josefa") < page.index("Ana Acme")


def test_the_box_says_what_it_finds_in_the_readers_language(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    html = client.get(reverse("core:search")).content.decode()
    hint = "Search organizations, people, leads, deals, quotes, orders, tickets, knowledge base…"
    assert f'placeholder="{hint}"' in html  # the header's box
    assert html.count(hint) >= 2  # and the page's own
    rep_north.language = "es"
    rep_north.save()
    html = client.get(reverse("core:search")).content.decode()
    assert (
        'placeholder="Buscar organizaciones, personas, clientes potenciales, oportunidades, '
        'presupuestos, pedidos, tickets, base de conocimiento…"'
    ) in html
