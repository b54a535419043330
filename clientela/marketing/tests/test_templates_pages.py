"""The e-mail template pages: the form refuses broken templates with the line, the
preview as a person the user sees (404 for one they do not) in a sandboxed frame with
its own CSP, and "Send a test to me" arriving at a real SMTP server on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.marketing.models import EmailTemplate
from clientela.marketing.tests.helpers import make_template

pytestmark = pytest.mark.django_db


def _form(**data: str) -> dict[str, str]:
    return {
        "name": "Welcome",
        "default_language": "en",
        "subject_en": "Hi {{ first_name }}",
        "html_en": "<p>Hello {{ first_name }}</p>",
        "subject_es": "",
        "html_es": "",
        **data,
    }


def test_the_form_saves_versions_and_refuses_errors_with_the_line(
    client: Client, marketer: Any
) -> None:
    client.force_login(marketer)
    page = client.get("/email_templates/new/").content.decode()
    assert 'data-merge-field="first_name"' in page
    assert 'id="version-es"' in page
    bad = client.post("/email_templates/new/", _form(html_es="<p>\n{% if %}</p>", subject_es="x"))
    assert bad.status_code == 200
    assert "Line 2: " in bad.content.decode()
    unknown = client.post("/email_templates/new/", _form(subject_en="Hi {{ nick }}"))
    assert "{{ nick }} is not a merge field" in unknown.content.decode()
    assert not EmailTemplate.objects.exists()
    saved = client.post("/email_templates/new/", _form(subject_es="Hola", html_es="<p>Hola</p>"))
    assert saved.status_code == 302
    template = EmailTemplate.objects.get()
    assert sorted(template.versions.values_list("language", flat=True)) == ["en", "es"]
    edit = client.get(f"/email_templates/{template.pk}/edit/").content.decode()
    assert "Hello {{ first_name }}" in edit


def test_preview_as_a_visible_person_only(
    client: Client, marketer: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    template = make_template(marketer)
    lucia = person_factory(rep_north, first_name="Lucía", preferred_language="es")
    secret = person_factory(rep_south, first_name="Secret")
    client.force_login(rep_north)  # sales reps read templates, and see their own people
    page = client.get(f"/email_templates/{template.pk}/", {"person": lucia.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hola Lucía" in html  # the subject, in her language
    assert f'src="/email_templates/{template.pk}/preview/?person={lucia.pk}"' in html
    assert 'sandbox=""' in html
    framed = client.get(f"/email_templates/{template.pk}/preview/", {"person": lucia.pk})
    assert framed.status_code == 200
    assert "Hola Lucía" in framed.content.decode()
    policy = framed["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    english = client.get(f"/email_templates/{template.pk}/", {"person": lucia.pk, "language": "en"})
    assert "Hi Lucía" in english.content.decode()
    # A person the user may not see: 404 on the page, the frame and the test send.
    assert client.get(f"/email_templates/{template.pk}/", {"person": secret.pk}).status_code == 404
    hidden = client.get(f"/email_templates/{template.pk}/preview/", {"person": secret.pk})
    assert hidden.status_code == 404
    sent = client.post(f"/email_templates/{template.pk}/send-test/", {"person": secret.pk})
    assert sent.status_code == 404
    # Someone who may not read templates finds none.
    client.force_login(rep_south)
    rep_south.role = None
    rep_south.save()
    assert client.get(f"/email_templates/{template.pk}/").status_code == 404


def test_send_a_test_to_me(
    client: Client, settings: Any, smtp_server: Any, marketer: Any, person_factory: Any
) -> None:
    smtp_server.use(settings)
    marketer.email = "maya@example.com"
    marketer.save()
    template = make_template(marketer)
    ana = person_factory(marketer, first_name="Ana", preferred_language="en")
    client.force_login(marketer)
    answer = client.post(f"/email_templates/{template.pk}/send-test/", {"person": ana.pk})
    assert answer.status_code == 302
    assert answer["Location"] == f"/email_templates/{template.pk}/?person={ana.pk}"
    [message] = smtp_server.messages
    assert message["To"] == "maya@example.com"
    assert message["Subject"] == "[Test] Hi Ana"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Hello Ana," in html
    assert "<style" not in html
    assert "style=" in html
    assert "Hello Ana," in text
    assert "<p" not in text
    marketer.email = ""
    marketer.save()
    nowhere = client.post(f"/email_templates/{template.pk}/send-test/", follow=True)
    assert "no e-mail address" in nowhere.content.decode()
    assert len(smtp_server.messages) == 1


def test_a_version_stored_broken_is_shown_not_run(client: Client, marketer: Any) -> None:
    """A body that reached the table without the service (an old row, an import) is
    never rendered: the page says what is wrong, the frame shows it as text."""
    template = make_template(marketer)
    template.versions.filter(language="en").update(html="<p>{{ ''.__class__ }}</p>")
    client.force_login(marketer)
    page = client.get(f"/email_templates/{template.pk}/")
    assert page.status_code == 200
    assert "Line 1: only merge fields" in page.content.decode()
    framed = client.get(f"/email_templates/{template.pk}/preview/").content.decode()
    assert framed.startswith("<p>Line 1: ")
    assert "__class__" not in framed
