"""E-mail templates: saved only when every version is a sound merge-field template
(the line and the problem otherwise, nothing saved), rendered per person with CSS
inlined and a plain-text part, the version chosen by the person's language, and the
merge fields of many people read at once through the contacts selector."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.contacts.services import MembershipInput
from clientela.core import company
from clientela.core.models import AuditEntry
from clientela.marketing.models import EmailTemplate, TemplateVersion
from clientela.marketing.rendering import (
    MERGE_FIELDS,
    CompiledVersion,
    person_merge_fields,
    render_email,
)
from clientela.marketing.services.templates import email_template_create, email_template_update
from clientela.marketing.tests.helpers import STYLED, make_template

pytestmark = pytest.mark.django_db


def _refused(actor: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        email_template_create(actor=actor, data=cast(Any, data))
    assert not EmailTemplate.objects.exists()
    assert not TemplateVersion.objects.exists()
    return refused.value.message_dict


def _one(html: str, subject: str = "Hi", language: str = "en") -> dict[str, Any]:
    return {"name": "T", "versions": [{"language": language, "subject": subject, "html": html}]}


def test_a_syntax_error_is_refused_with_its_line(marketer: Any) -> None:
    errors = _refused(marketer, _one("<p>Hello</p>\n<p>{{ first_name </p>"))
    assert list(errors) == ["versions.en.html"]
    assert errors["versions.en.html"][0].startswith("Line 2: ")


def test_an_unknown_field_is_refused_by_name(marketer: Any) -> None:
    errors = _refused(marketer, _one("<p>ok</p>", subject="Hi {{ nickname }}"))
    assert "{{ nickname }} is not a merge field" in errors["versions.en.subject"][0]


@pytest.mark.parametrize(
    "html",
    [
        "{{ ''.__class__ }}",
        "{% import 'os' as os %}",
        "{{ first_name.__class__.__mro__ }}",
        "{% for i in range(100000000) %}x{% endfor %}",
        "{{ settings.SECRET_KEY }}",
    ],
)
def test_sandbox_escapes_are_refused(marketer: Any, html: str) -> None:
    assert "versions.en.html" in _refused(marketer, _one(html))


def test_bad_input_names_each_field(marketer: Any) -> None:
    errors = _refused(
        marketer,
        {
            "name": " ",
            "default_language": "fr",
            "versions": [
                {"language": "en", "subject": "", "html": "<p>x</p>"},
                {"language": "en", "subject": "x", "html": "x"},
            ],
        },
    )
    assert set(errors) == {"name", "default_language", "versions", "versions.en.subject"}
    assert "versions" in _refused(marketer, {"name": "T"})
    assert "versions" in _refused(marketer, {"name": "T", "versions": "nope"})
    assert "default_language" in _refused(
        marketer, {**_one("<p>x</p>", language="es"), "default_language": "en"}
    )


def test_versions_replace_the_set_and_are_audited(marketer: Any) -> None:
    template = make_template(marketer)
    assert sorted(template.versions.values_list("language", flat=True)) == ["en", "es"]
    changed = email_template_update(
        actor=marketer,
        email_template=template,
        data={
            "versions": [{"language": "en", "subject": "New {{ first_name }}", "html": "<p>x</p>"}]
        },
        expected_version=template.version,
    )
    assert list(changed.versions.values_list("language", "subject")) == [
        ("en", "New {{ first_name }}")
    ]
    entry = AuditEntry.objects.filter(object_id=template.pk, action="update").get()
    assert entry.changes["subject_en"] == ["Hi {{ first_name }}", "New {{ first_name }}"]
    assert entry.changes["subject_es"][1] in (None, "")


def test_render_inlines_css_and_makes_the_text_part(marketer: Any) -> None:
    template = make_template(marketer)
    version = template.versions.get(language="en")
    fields = {
        "first_name": "Ana <3",
        "organization": "",
        "unsubscribe_url": "https://shop.example/u/abc?x=1&y=2",
        "owner_signature": "Bea Ruiz\nTienda Ana",
        "company_address": "Calle Mayor 1\n28013 Madrid",
    }
    rendered = render_email(version, fields)
    assert rendered.subject == "Hi Ana <3"
    assert "<style" not in rendered.html
    assert 'style="color: #123456;font-size: 20px;"' in rendered.html
    assert "Hello Ana &lt;3," in rendered.html
    assert "How are you?" in rendered.html
    assert "How is" not in rendered.html
    assert "Bea Ruiz<br>Tienda Ana" in rendered.html
    assert "Calle Mayor 1<br>28013 Madrid" in rendered.html
    assert "Hello Ana <3," in rendered.text
    assert "Unsubscribe (https://shop.example/u/abc?x=1&y=2)" in rendered.text
    assert "Bea Ruiz\nTienda Ana" in rendered.text
    assert "color" not in rendered.text


def test_a_template_without_conditions_is_inlined_once(marketer: Any) -> None:
    plain = STYLED.replace(
        "{% if organization %}How is {{ organization }}?{% else %}How are you?{% endif %}",
        "At {{ organization }}",
    )
    compiled = CompiledVersion(language="en", subject="Hi", html=plain)
    assert compiled._inline_each is False
    with_condition = CompiledVersion(language="en", subject="Hi", html=STYLED)
    assert with_condition._inline_each is True
    for version in (compiled, with_condition):
        rendered = version.render({"first_name": "<i>Ana</i>", "organization": "Acme & Co"})
        assert "Hello &lt;i&gt;Ana&lt;/i&gt;," in rendered.html
        assert 'style="color: #123456;font-size: 20px;"' in rendered.html
    assert compiled._text is not None
    once = compiled.render({"organization": "Acme & Co", "unsubscribe_url": "https://x/u?a&b"})
    assert "At Acme &amp; Co" in once.html
    assert "At Acme & Co\nUnsubscribe (https://x/u?a&b)" in once.text
    each = with_condition.render({"organization": "", "unsubscribe_url": "https://x/u?a&b"})
    assert "How are you?\nUnsubscribe (https://x/u?a&b)" in each.text


def test_the_version_follows_the_persons_language(marketer: Any) -> None:
    template = make_template(marketer, default_language="en")
    spanish = render_email(template, {"first_name": "Lucía", "language": "es"})
    assert spanish.subject == "Hola Lucía"
    other = render_email(template, {"first_name": "Jean", "language": "fr"})
    assert other.subject == "Hi Jean"
    only_spanish = email_template_create(
        actor=marketer,
        data=cast(Any, {**_one("<p>Hola</p>", "Hola", "es"), "default_language": "es"}),
    )
    assert render_email(only_spanish, {"language": "en"}).subject == "Hola"


def test_merge_fields_of_many_people_in_one_query(
    marketer: Any, rep_north: Any, rep_south: Any, person_factory: Any, organization_factory: Any
) -> None:
    company.remember_profile(company.Profile(name="Tienda Ana", address="Calle Mayor 1\nMadrid"))
    acme = organization_factory(rep_north, name="Acme")
    people = [
        person_factory(
            rep_north,
            first_name=f"P{n}",
            last_name="Ruiz",
            email=f"p{n}@example.com",
            preferred_language="es",
            memberships=[MembershipInput(organization_id=acme.pk, is_primary=True)],
        )
        for n in range(5)
    ]
    hidden = person_factory(rep_south, first_name="Hidden")
    ids = [p.pk for p in people] + [hidden.pk]
    with CaptureQueriesContext(connection) as queries:
        found = person_merge_fields(user=rep_north, person_ids=ids)
    assert len(queries) == 1
    assert set(found) == {p.pk for p in people}  # the hidden person is left out
    first = found[people[0].pk]
    assert set(MERGE_FIELDS) - set(first) == {
        "unsubscribe_url",
        "preferences_url",
        "view_online_url",
    }
    owner = rep_north.get_full_name() or rep_north.username
    assert first["full_name"] == "P0 Ruiz"
    assert (first["organization"], first["owner_name"], first["language"]) == ("Acme", owner, "es")
    assert first["owner_signature"].splitlines()[:2] == [owner, "Tienda Ana"]
    assert (first["company_name"], first["company_address"]) == (
        "Tienda Ana",
        "Calle Mayor 1\nMadrid",
    )
