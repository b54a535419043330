"""New people take the company's default language when the form, the API or an import
gives none; a language given is kept."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Person
from clientela.contacts.services import person_create
from clientela.core import company
from clientela.core.testing.api import Api

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people"


@pytest.fixture
def spanish_company() -> None:
    company.remember_profile(company.Profile(language="es"), seconds=float("inf"))


@pytest.mark.usefixtures("spanish_company")
def test_the_service_gives_a_new_person_the_companys_language(rep_north: Any) -> None:
    person = person_create(actor=rep_north, data={"first_name": "Ana"})
    assert Person.objects.get(pk=person.pk).preferred_language == "es"
    given = person_create(actor=rep_north, data={"first_name": "Bo", "preferred_language": "en"})
    assert Person.objects.get(pk=given.pk).preferred_language == "en"


def test_without_a_profile_the_installations_language_decides(rep_north: Any) -> None:
    person = person_create(actor=rep_north, data={"first_name": "Ana"})
    assert person.preferred_language == "en"


@pytest.mark.usefixtures("spanish_company")
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"first_name": "Ana"}, "es"),
        ({"first_name": "Ana", "preferred_language": None}, "es"),
        ({"first_name": "Ana", "preferred_language": "en"}, "en"),
    ],
)
def test_the_api_gives_a_new_person_the_companys_language(
    rep_north: Any, body: dict[str, Any], expected: str
) -> None:
    response = Api(rep_north).post(PEOPLE, body)
    assert response.status_code == 201, response.content
    assert response.json()["preferred_language"] == expected
    assert Person.objects.get(pk=response.json()["id"]).preferred_language == expected


@pytest.mark.usefixtures("spanish_company")
def test_the_api_refuses_a_language_we_do_not_offer(rep_north: Any) -> None:
    response = Api(rep_north).post(PEOPLE, {"first_name": "Ana", "preferred_language": "fr"})
    assert response.status_code == 422
    assert not Person.objects.filter(first_name="Ana").exists()
