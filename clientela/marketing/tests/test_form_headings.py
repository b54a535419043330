"""The marketing form pages share one heading (``core/_form_heading.html``): the new
record's title or "Edit <name>", the breadcrumb back to the list where the page has
one, and the Save / Cancel buttons (``core/_form_buttons.html``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from clientela.marketing.services.segments import segment_create
from clientela.marketing.tests.form_setup import make_form

pytestmark = pytest.mark.django_db


def heading(client: Client, url: str) -> tuple[str, str]:
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.content.decode()
    found = re.search(r'<h1 class="h3 mb-3">(.*?)</h1>', html, re.S)
    assert found, url
    assert 'type="submit">Save</button>' in html, url
    return found.group(1).strip(), html


@pytest.mark.parametrize(
    ("url", "title", "crumb"),
    [
        ("/campaigns/new/", "New campaign", None),
        ("/segments/new/", "New segment", None),
        ("/lists/new/", "New list", None),
        ("/web_forms/new/", "New web form", ("/web_forms/", "Web forms")),
        ("/email_templates/new/", "New template", ("/email_templates/", "E-mail templates")),
    ],
)
def test_a_new_records_page_has_its_title(
    marketer: Any, url: str, title: str, crumb: tuple[str, str] | None
) -> None:
    client = Client()
    client.force_login(marketer)
    text, html = heading(client, url)
    assert text == title
    if crumb:
        assert f'<a href="{crumb[0]}">{crumb[1]}</a>' in html
    else:
        assert "breadcrumb" not in html.split("<h1")[0].split("<main")[-1]


def test_an_edit_page_names_the_record(marketer: Any) -> None:
    client = Client()
    client.force_login(marketer)
    segment = segment_create(
        actor=marketer,
        data={"name": "Madrid", "rules": {"all": [{"field": "city", "op": "eq", "value": "M"}]}},
    )
    assert heading(client, f"/segments/{segment.pk}/edit/")[0] == "Edit Madrid"
    form = make_form(marketer)
    text, html = heading(client, f"/web_forms/{form.pk}/edit/")
    assert text == "Edit Spring offer"
    assert '<li class="breadcrumb-item active" aria-current="page">Spring offer</li>' in html
