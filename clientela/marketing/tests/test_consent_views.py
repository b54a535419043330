"""The consent pages: the person page's "Consents" panel and its htmx form per role
(404 for a hidden person, 403 without the right, the form again with the errors for
bad input), and the admins' settings pages for purposes and the suppression list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.marketing.models import ConsentEvent, ConsentPurpose, Suppression
from clientela.marketing.services.consent import consent_record
from clientela.marketing.services.suppression import suppression_add

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
FORM = {
    "purpose": "offers",
    "channel": "email",
    "action": "grant",
    "source": "user",
    "legal_basis": "consent",
    "wording": "Said yes on the phone.",
}


@pytest.fixture
def ana(person_factory: Any, rep_north: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", email="ana@example.com")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record_url(person: Any) -> str:
    return reverse("marketing:consent-record", args=[person.pk])


def test_the_panel_shows_consents_and_history(rep_north: Any, ana: Any) -> None:
    consent_record(
        actor=rep_north,
        person=ana,
        purpose="newsletter",
        channel="email",
        granted=True,
        source="form",
        wording_text="Yes to the newsletter",
    )
    page = client_for(rep_north).get(reverse("contacts:person-detail", args=[ana.pk]))
    html = page.content.decode()
    assert 'id="panel-consents"' in html
    assert 'id="consent-current"' in html
    assert "Yes to the newsletter" in html
    assert 'id="consent-form"' in html


def test_the_reader_sees_the_panel_without_the_form(reader: Any, ana: Any) -> None:
    page = client_for(reader).get(reverse("contacts:person-detail", args=[ana.pk]))
    html = page.content.decode()
    assert 'id="panel-consents"' in html
    assert 'id="consent-form"' not in html
    answer = client_for(reader).post(record_url(ana), FORM, **HTMX)
    assert answer.status_code == 403
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize("role", ["rep_north", "manager_north", "marketer", "support", "admin"])
def test_roles_that_change_people_record_consent(
    role: str, request: pytest.FixtureRequest, ana: Any
) -> None:
    user = request.getfixturevalue(role)
    answer = client_for(user).post(record_url(ana), FORM, **HTMX)
    assert answer.status_code == 200
    assert 'id="consent-current"' in answer.content.decode()
    event = ConsentEvent.objects.get()
    assert (event.purpose.key, event.granted, event.actor) == ("offers", True, user)


def test_a_hidden_person_is_404(rep_south: Any, ana: Any) -> None:
    assert client_for(rep_south).post(record_url(ana), FORM, **HTMX).status_code == 404
    assert not ConsentEvent.objects.exists()


def test_bad_input_comes_back_with_the_errors(rep_north: Any, ana: Any) -> None:
    answer = client_for(rep_north).post(
        record_url(ana), {**FORM, "purpose": "nope", "channel": "fax"}, **HTMX
    )
    assert answer.status_code == 422
    assert 'id="id_purpose-errors"' in answer.content.decode()
    answer = client_for(rep_north).post(
        record_url(ana), {**FORM, "channel": "sms", "double_opt_in": "on"}, **HTMX
    )
    assert answer.status_code == 422
    assert "Double opt-in needs" in answer.content.decode()
    assert not ConsentEvent.objects.exists()


def test_without_htmx_the_form_goes_back_to_the_person_page(rep_north: Any, ana: Any) -> None:
    answer = client_for(rep_north).post(record_url(ana), {**FORM, "action": "withdraw"})
    assert answer.status_code == 302
    assert ConsentEvent.objects.get().granted is False


@pytest.mark.parametrize("role", ["manager_north", "rep_north", "marketer", "reader"])
def test_settings_pages_are_the_admins(role: str, request: pytest.FixtureRequest) -> None:
    client = client_for(request.getfixturevalue(role))
    for name in ("marketing:consent-purposes", "marketing:suppressions"):
        assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse("marketing:consent-purposes"), {"new-key": "x"}).status_code == 404


def test_admins_add_and_rename_purposes(admin: Any) -> None:
    client = client_for(admin)
    page = client.get(reverse("marketing:consent-purposes"))
    assert page.status_code == 200
    assert 'id="purpose-newsletter"' in page.content.decode()
    new = {"new-key": "webinars", "new-name": "Webinars", "new-order": "50", "new-active": "on"}
    assert client.post(reverse("marketing:consent-purposes"), new).status_code == 302
    taken = client.post(reverse("marketing:consent-purposes"), new)
    assert taken.status_code == 422
    assert "already taken" in taken.content.decode()
    purpose = ConsentPurpose.objects.get(key="webinars")
    edit = reverse("marketing:consent-purpose-edit", args=[purpose.pk])
    prefix = f"p{purpose.pk}"
    answer = client.post(edit, {f"{prefix}-name": "Online talks", f"{prefix}-order": "5"})
    assert answer.status_code == 302
    purpose.refresh_from_db()
    assert (purpose.key, purpose.name, purpose.order, purpose.active) == (
        "webinars",
        "Online talks",
        5,
        False,
    )
    blank = client.post(edit, {f"{prefix}-name": "", f"{prefix}-order": "5"})
    assert blank.status_code == 422


def test_admins_keep_the_suppression_list(admin: Any) -> None:
    client = client_for(admin)
    url = reverse("marketing:suppressions")
    bad = client.post(url, {"channel": "email", "address": "nope"})
    assert bad.status_code == 422
    assert "not a valid e-mail address" in bad.content.decode()
    assert client.post(url, {"channel": "email", "address": "Bob@Example.com"}).status_code == 302
    suppression_add(actor=admin, channel="sms", address="+34600111222", note="asked")
    listed = client.get(url, {"q": "bob"}).content.decode()
    assert "bob@example.com" in listed
    assert "+34600111222" not in listed
    entry = Suppression.objects.get(address="bob@example.com")
    removed = client.post(reverse("marketing:suppression-remove", args=[entry.pk]))
    assert removed.status_code == 302
    assert not Suppression.objects.filter(pk=entry.pk).exists()


def test_the_pages_queries_do_not_grow_with_their_rows(
    admin: Any, ana: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(admin)
    page = reverse("contacts:person-detail", args=[ana.pk])

    def count(url: str) -> int:
        with django_assert_max_num_queries(1000) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    suppression_url = reverse("marketing:suppressions")
    client.get(page)  # warm the per-process caches
    before = (count(page), count(suppression_url))
    for key in ("newsletter", "offers", "events", "surveys"):
        for channel, granted in (("email", True), ("sms", False)):
            consent_record(
                actor=admin,
                person=ana,
                purpose=key,
                channel=channel,
                granted=granted,
                source="user",
            )
    for n in range(5):
        suppression_add(actor=admin, channel="email", address=f"s{n}@example.com")
    assert (count(page), count(suppression_url)) == before
