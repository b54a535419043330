"""Web forms as the marketer builds them (service, pages, API) and as a visitor sees
the hosted page: a form with no e-mail or name field, consent boxes without a required
e-mail, a redirect to a foreign site or a bad origin are refused on save naming the
field; the hosted page in the form's language, its errors beside each field, the
thank-you page, the embed's framing; the submissions list and CSV; rights per role."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.core.testing.api import Api, fields
from clientela.marketing.models import FormSubmission, LeadForm
from clientela.marketing.tests.form_setup import FIELDS, SHOP, body, lucia, make_form
from clientela.sales.models import Lead

pytestmark = pytest.mark.django_db

SCOPES = ("marketing:read", "marketing:write")


def refused(actor: Any, **extra: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        make_form(actor, **extra)
    assert not LeadForm.objects.exists()
    return caught.value.message_dict


# --- building: bad settings are refused on save -------------------------------------------


def test_a_form_needs_an_email_or_a_name_field(marketer: Any) -> None:
    only_company = [{"key": "company", "label": "Company", "type": "text", "maps_to": "company"}]
    errors = refused(marketer, fields=only_company, consents=[])
    assert "e-mail or to a name" in errors["fields"][0]


def test_consent_boxes_need_a_required_email_field(marketer: Any) -> None:
    name_only = [f for f in FIELDS if f["key"] != "email"]
    errors = refused(marketer, fields=name_only)
    assert "required e-mail field" in errors["consents"][0]


def test_a_redirect_to_a_foreign_site_is_refused(marketer: Any) -> None:
    for url in ("https://evil.example.net/thanks", "http://shop.example.com/thanks", "/x"):
        errors = refused(marketer, redirect_url=url)
        assert "allowed origins" in errors["redirect_url"][0], url
    form = make_form(marketer, redirect_url="https://shop.example.com/thanks")
    assert form.redirect_url == "https://shop.example.com/thanks"


def test_bad_fields_origins_and_addresses_are_named(marketer: Any) -> None:
    bad_fields = [
        *FIELDS,
        {"key": "Bad Key", "label": "", "type": "colour", "maps_to": "salary"},
        {"key": "first", "label": "Again", "type": "text"},
        {"key": "pick", "label": "Pick", "type": "select", "choices": []},
    ]
    errors = refused(
        marketer,
        slug="Not a slug!",
        fields=bad_fields,
        allowed_origins=["http://shop.example.com", "https://ok.example.com/path"],
        consents=[{"purpose": "nope", "channel": "pigeon", "text": ""}],
    )
    assert {
        "slug",
        "fields.6.key",
        "fields.6.label",
        "fields.6.type",
        "fields.6.maps_to",
        "fields.7.key",
        "fields.8.choices",
        "allowed_origins",
        "consents.0.purpose",
        "consents.0.channel",
        "consents.0.text",
    } <= set(errors)


def test_the_address_is_unique(marketer: Any) -> None:
    make_form(marketer)
    with pytest.raises(ValidationError) as caught:
        make_form(marketer, name="Copy")
    assert caught.value.message_dict["slug"] == ["Another form has this address."]


def test_a_lead_owner_must_be_able_to_create_leads(marketer: Any, reader: Any) -> None:
    errors = refused(marketer, lead_owner_id=reader.pk)
    assert "may not create leads" in errors["lead_owner_id"][0]


# --- the builder's pages ------------------------------------------------------------------


def test_the_builder_page_saves_a_form(client: Client, marketer: Any) -> None:
    client.force_login(marketer)
    page = client.get("/web_forms/new/")
    assert page.status_code == 200
    assert b"form-builder.js" in page.content
    fields_json = (
        '[{"key": "email", "label": "E-mail", "type": "email", "required": true, '
        '"maps_to": "email"}]'
    )
    post = {
        "name": "Contact",
        "slug": "contact",
        "language": "en",
        "field_list": fields_json,
        "consents": "[]",
        "active": "on",
        "allowed_origins": "https://shop.example.com\n",
    }
    saved = client.post("/web_forms/new/", post)
    assert saved.status_code == 302, saved.content.decode()[-2000:]
    form = LeadForm.objects.get()
    assert (form.slug, form.allowed_origins, form.owner) == (
        "contact",
        ["https://shop.example.com"],
        marketer,
    )
    broken = client.post(
        f"/web_forms/{form.pk}/edit/", {**post, "field_list": '[{"key": "x"}]', "version": 1}
    )
    assert broken.status_code == 200
    assert "Field 1 (label)" in broken.content.decode()


def test_the_detail_page_lists_submissions_and_exports_them(client: Client, marketer: Any) -> None:
    form = make_form(marketer)
    for n in range(3):
        data = body(form, **lucia(email=f"v{n}@example.com"), utm_source="ads")
        assert Client().post(f"/forms/{form.slug}/submit", data).status_code == 201
    client.force_login(marketer)
    page = client.get(f"/web_forms/{form.pk}/").content.decode()
    assert page.count("Lucía Gómez") == 3
    assert f'<iframe src="http://localhost:8000/forms/{form.slug}/?embed=1"' in page.replace(
        "&lt;", "<"
    ).replace("&quot;", '"')
    assert "form-embed.js" in page
    export = client.get(f"/web_forms/{form.pk}/submissions.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["Received", "First name", "Last name"]
    assert len(rows) == 4
    assert {r[3] for r in rows[1:]} == {"v0@example.com", "v1@example.com", "v2@example.com"}
    assert "ads" in rows[1]


# --- the hosted page ------------------------------------------------------------------------


def test_the_hosted_page_speaks_the_forms_language(marketer: Any) -> None:
    form = make_form(marketer, language="es", title="Oferta de primavera")
    page = Client().get(f"/forms/{form.slug}/?utm_source=ig")
    assert page.status_code == 200
    assert page["Content-Language"] == "es"
    assert page["X-Robots-Tag"] == "noindex"
    html = page.content.decode()
    assert "Oferta de primavera" in html
    assert 'name="utm_source" value="ig"' in html
    assert 'name="_hp"' in html
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_the_hosted_page_shows_errors_then_thanks(marketer: Any) -> None:
    form = make_form(marketer, thank_you="Thanks, Lucía will hear from us.")
    url = f"/forms/{form.slug}/"
    posted = body(form, **lucia(email="nope"))
    wrong = Client().post(url, posted)
    assert wrong.status_code == 422
    assert 'id="f-email-error"' in wrong.content.decode()
    # Shown again, the form keeps its time stamp: the visitor need not wait again.
    assert f'value="{posted["_ts"]}"' in wrong.content.decode()
    assert not Lead.objects.exists()
    sent = Client().post(url, body(form, **lucia(), utm_source="ig"))
    assert sent.status_code == 302
    assert sent["Location"] == f"/forms/{form.slug}/thanks/"
    assert FormSubmission.objects.get().utm_source == "ig"
    thanks = Client().get(sent["Location"])
    assert "Thanks, Lucía will hear from us." in thanks.content.decode()


def test_a_redirecting_form_goes_to_its_address(marketer: Any) -> None:
    form = make_form(marketer, redirect_url="https://shop.example.com/thanks")
    page = Client().get(f"/forms/{form.slug}/")
    assert "https://shop.example.com" in page["Content-Security-Policy"].split("form-action")[1]
    sent = Client().post(f"/forms/{form.slug}/", body(form, **lucia()))
    assert sent["Location"] == "https://shop.example.com/thanks"


def test_the_embedded_page_is_framed_by_allowed_origins_only(marketer: Any) -> None:
    form = make_form(marketer)
    page = Client().get(f"/forms/{form.slug}/?embed=1")
    assert "X-Frame-Options" not in page
    ancestors = page["Content-Security-Policy"].split("frame-ancestors")[1].split(";")[0]
    assert SHOP in ancestors
    assert "'self'" in ancestors


def test_the_schema_gives_the_script_its_fields_and_a_token(marketer: Any) -> None:
    form = make_form(marketer)
    answer = Client().get(f"/forms/{form.slug}/schema", headers={"origin": SHOP})
    assert answer["Access-Control-Allow-Origin"] == SHOP
    schema = answer.json()
    assert [f["key"] for f in schema["fields"]] == [f["key"] for f in FIELDS]
    assert schema["consents"][0]["name"] == "consent_0"
    assert schema["token"]
    foreign = Client().get(f"/forms/{form.slug}/schema", headers={"origin": "https://x.example"})
    assert foreign.status_code == 403


# --- the API and the rights -----------------------------------------------------------------


def test_the_api_creates_and_reads_forms(marketer: Any) -> None:
    api = Api(marketer, SCOPES)
    created = api.post(
        "/api/v1/forms",
        {"name": "Contact", "slug": "contact", "fields": FIELDS[:3], "allowed_origins": [SHOP]},
    )
    assert created.status_code == 201, created.content
    assert created.json()["submit_url"].endswith("/forms/contact/submit")
    no_email = api.post(
        "/api/v1/forms",
        {
            "name": "Bad",
            "slug": "bad",
            "fields": [{"key": "c", "label": "C", "type": "text", "maps_to": "company"}],
        },
    )
    assert no_email.status_code == 422
    assert "fields" in fields(no_email)
    listed = api.get("/api/v1/forms").json()
    assert [f["slug"] for f in listed["items"]] == ["contact"]


def test_sales_reps_read_forms_but_do_not_change_them(
    client: Client, marketer: Any, rep_north: Any
) -> None:
    form = make_form(marketer)
    rep = Api(rep_north, SCOPES)
    assert rep.get(f"/api/v1/forms/{form.pk}").status_code == 200
    assert rep.patch(f"/api/v1/forms/{form.pk}", {"name": "Mine"}).status_code == 403
    assert (
        rep.post("/api/v1/forms", {"name": "X", "slug": "x", "fields": FIELDS}).status_code == 403
    )
    client.force_login(rep_north)
    assert client.get(f"/web_forms/{form.pk}/").status_code == 200
    assert client.get(f"/web_forms/{form.pk}/edit/").status_code == 403
    assert client.get(f"/web_forms/{form.pk}/submissions.csv").status_code == 200


def test_the_submissions_export_of_an_unknown_form_is_404(client: Client, marketer: Any) -> None:
    client.force_login(marketer)
    assert client.get("/web_forms/999999/submissions.csv").status_code == 404
