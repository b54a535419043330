"""The segment and list pages: the form with the condition builder saves rules and
puts a bad one back beside the builder, the live count (htmx POST), the members page
and its CSV, the people list's "Add to a list", removing members."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from clientela.contacts.details import AddressInput
from clientela.marketing.models import ListMember, Segment, StaticList
from clientela.marketing.services.segments import list_create, segment_create

pytestmark = pytest.mark.django_db
MADRID = {"all": [{"field": "city", "op": "eq", "value": "Madrid"}]}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def madrid(rep_north: Any, rep_south: Any, person_factory: Any) -> list[Any]:
    where = [AddressInput("ES", city="Madrid", is_primary=True)]
    return [
        person_factory(rep_north, last_name="North1", addresses=where),
        person_factory(rep_south, last_name="South1", addresses=where),
        person_factory(rep_south, last_name="Elsewhere"),
    ]


def test_form_saves_rules_and_shows_errors_beside_them(marketer: Any, madrid: list[Any]) -> None:
    client = client_of(marketer)
    page = client.get("/segments/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-condition-builder" in html
    assert "clientela/conditions.js" in html
    data = {"name": "Madrid", "owner": marketer.pk, "rules": json.dumps(MADRID)}
    saved = client.post("/segments/new/", data)
    assert saved.status_code == 302
    segment = Segment.objects.get(name="Madrid")
    assert (segment.rules, segment.last_count) == (MADRID, 2)
    bad = {"all": [{"field": "city", "op": "before", "value": "x"}]}
    again = client.post("/segments/new/", {**data, "name": "Bad", "rules": json.dumps(bad)})
    assert again.status_code == 200
    assert "all[0].op" in again.content.decode()
    junk = client.post("/segments/new/", {**data, "name": "Junk", "rules": "{nope"})
    assert "not valid JSON" in junk.content.decode()
    assert not Segment.objects.filter(name__in=["Bad", "Junk"]).exists()


def test_live_count_as_the_user_sees_it(marketer: Any, rep_north: Any, madrid: list[Any]) -> None:
    url = "/segments/count/"
    counted = client_of(marketer).post(url, {"rules": json.dumps(MADRID)}, HTTP_HX_REQUEST="true")
    assert "2 people meet these conditions" in counted.content.decode()
    rep = client_of(rep_north).post(url, {"rules": json.dumps(MADRID)})
    assert "1 person meets these conditions" in rep.content.decode()
    bad = {"any": [{"field": "nope", "op": "eq", "value": 1}]}
    wrong = client_of(marketer).post(url, {"rules": json.dumps(bad)}).content.decode()
    assert "any[0].field" in wrong
    assert "Unknown field" in wrong
    assert "not valid JSON" in client_of(marketer).post(url, {"rules": "["}).content.decode()
    assert client_of(marketer).get(url).status_code == 405


def test_members_page_and_export(marketer: Any, rep_north: Any, madrid: list[Any]) -> None:
    segment = segment_create(actor=marketer, data={"name": "Madrid", "rules": MADRID})
    html = client_of(marketer).get(f"/segments/{segment.pk}/?sort=-name").content.decode()
    assert html.index("South1") < html.index("North1")
    assert "Elsewhere" not in html
    assert "South1" not in client_of(rep_north).get(f"/segments/{segment.pk}/").content.decode()
    csv = client_of(rep_north).get(f"/segments/{segment.pk}/export/")
    assert csv["Content-Type"].startswith("text/csv")
    assert "North1" in csv.content.decode()
    assert "South1" not in csv.content.decode()


def test_people_list_selection_goes_onto_a_list(marketer: Any, madrid: list[Any]) -> None:
    client = client_of(marketer)
    people_page = client.get("/people/?city=Madrid").content.decode()
    assert "/lists/add-people/?city=Madrid" in people_page
    form = client.get("/lists/add-people/?city=Madrid")
    assert "2 people" in form.content.decode()
    done = client.post("/lists/add-people/?city=Madrid", {"new_name": "Fair"})
    assert done.status_code == 302
    fair = StaticList.objects.get(name="Fair")
    assert ListMember.objects.filter(list=fair, source="selection").count() == 2
    refused = client.post("/lists/add-people/?city=Madrid", {})
    assert "Choose a list" in refused.content.decode()
    detail = client.get(f"/lists/{fair.pk}/").content.decode()
    assert "North1" in detail
    assert "South1" in detail
    removed = client.post(f"/lists/{fair.pk}/remove/", {"person": [str(madrid[0].pk)]})
    assert removed.status_code == 302
    assert list(ListMember.objects.filter(list=fair).values_list("person_id", flat=True)) == [
        madrid[1].pk
    ]
    assert "South1" in client.get(f"/lists/{fair.pk}/export/").content.decode()


def test_a_rep_reads_lists_but_cannot_fill_them(marketer: Any, rep_north: Any) -> None:
    fair = list_create(actor=marketer, data={"name": "Fair"})
    rep = client_of(rep_north)
    assert rep.get(f"/lists/{fair.pk}/").status_code == 200
    assert rep.get("/lists/add-people/").status_code == 404
    assert rep.post(f"/lists/{fair.pk}/remove/", {"person": ["1"]}).status_code in (403, 404)
