"""/api/v1/email-templates: the kind's API (the permission matrix, CRUD and bad input
of every kind are the generic tests' in core/tests/test_kinds_*.py, from
tests/factories.py); here the versions, the template checks as 422s naming the field,
and the OpenAPI contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    fields,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.marketing.models import EmailTemplate
from clientela.marketing.tests.helpers import HOLA, make_template

pytestmark = pytest.mark.django_db

URL = "/api/v1/email-templates"
READ_WRITE = ("marketing:read", "marketing:write")
EN = {"language": "en", "subject": "Hi {{ first_name }}", "html": "<p>Hi {{ first_name }}</p>"}
ES = {"language": "es", "subject": "Hola {{ first_name }}", "html": HOLA}


@pytest.fixture
def api(marketer: Any) -> Api:
    return Api(marketer, READ_WRITE)


def test_round_trip(api: Api) -> None:
    made = api.post(URL, {"name": "Welcome", "purpose": "newsletter", "versions": [EN, ES]})
    assert made.status_code == 201, made.content
    body = made.json()
    assert set(body) == {
        "id",
        "name",
        "description",
        "purpose",
        "default_language",
        "versions",
        "owner_id",
        "version",
        "created_at",
        "updated_at",
    }
    assert [v["language"] for v in body["versions"]] == ["en", "es"]
    url = f"{URL}/{body['id']}"
    changed = api.patch(url, {"default_language": "es", "versions": [ES]})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["default_language"], len(changed.json()["versions"])) == ("es", 1)
    assert api.get(URL, {"language": "en"}).json()["items"] == []
    assert api.get(URL, {"q": "welc"}).json()["items"][0]["id"] == body["id"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_bad_input_is_422_naming_the_field_and_saves_nothing(api: Api, marketer: Any) -> None:
    template = make_template(marketer)
    for bad, field in (
        (
            {"name": "x", "versions": [{**EN, "html": "<p>\n{{ first_name </p>"}]},
            "versions.en.html",
        ),
        (
            {"name": "x", "versions": [{**EN, "subject": "{{ x.__class__ }}"}]},
            "versions.en.subject",
        ),
        ({"name": "x", "versions": [{**EN, "html": "{{ nickname }}"}]}, "versions.en.html"),
        ({"name": "x", "versions": []}, "versions"),
        ({"name": "x", "versions": [EN, EN]}, "versions"),
        ({"name": "x", "versions": [{**EN, "language": "fr"}]}, "versions.0.language"),
        ({"name": "x", "versions": [ES], "default_language": "en"}, "default_language"),
        ({"name": "x" * 201, "versions": [EN]}, "name"),
        ({"versions": [EN]}, "name"),
        ({"name": "x", "versions": [EN], "colour": "red"}, "colour"),
    ):
        refused = api.post(URL, bad)
        assert refused.status_code == 422, (bad, refused.content)
        assert field in fields(refused), (bad, refused.json())
    line = api.post(URL, {"name": "x", "versions": [{**EN, "html": "<p>\n{{ first_name </p>"}]})
    assert "Line 2" in line.json()["errors"][0]["message"]
    patched = api.patch(f"{URL}/{template.pk}", {"versions": [{**EN, "html": "{% for %}"}]})
    assert patched.status_code == 422
    assert EmailTemplate.objects.count() == 1
    assert template.versions.count() == 2


def test_sales_reps_read_only(rep_north: Any, marketer: Any) -> None:
    template = make_template(marketer)
    rep = Api(rep_north, READ_WRITE)
    assert rep.get(f"{URL}/{template.pk}").status_code == 200
    assert rep.patch(f"{URL}/{template.pk}", {"name": "Mine"}).status_code in (403, 404)
    assert rep.post(URL, {"name": "Mine", "versions": [EN]}).status_code == 403


schema = openapi_schema(r"^/api/v1/email-templates")


@pytest.fixture
def token(marketer: Any) -> Iterator[str]:
    make_template(marketer)
    with kept_test_connection():
        yield schema_token(marketer, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_email_templates_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
