"""A visitor fills in the public web form on a phone (390 px) in Spanish in Chromium
(Playwright): a field left wrong comes back with its message in Spanish, then the
form goes through, the thank-you page shows, nothing is wider than the screen; the
marketer then finds the lead, with its consent, in the CRM. The form's minimum fill
time is lowered for the test (the live server runs in this process), so nothing waits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clientela.core.testing.browser import overflow
from clientela.marketing import form_spam
from clientela.marketing.models import ConsentEvent, FormSubmission, LeadForm
from clientela.marketing.tests.form_setup import make_form
from clientela.sales.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT = "Quiero recibir el boletín mensual con ofertas."


def test_a_visitor_fills_in_the_spanish_form_on_a_phone(
    open_as: Any,
    marketer: Any,
    artifacts_dir: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(form_spam, "MIN_FILL_SECONDS", 0)
    fields = [
        {"key": "nombre", "label": "Nombre", "type": "text", "required": True,
         "maps_to": "first_name"},
        {"key": "correo", "label": "Correo electrónico", "type": "email", "required": True,
         "maps_to": "email"},
        {"key": "empresa", "label": "Empresa", "type": "text", "maps_to": "company"},
        {"key": "mensaje", "label": "Mensaje", "type": "textarea", "maps_to": "notes"},
    ]  # fmt: skip
    form = make_form(
        marketer,
        language="es",
        title="Pide tu presupuesto",
        fields=fields,
        consents=[{"purpose": "newsletter", "channel": "email", "text": CONSENT}],
        thank_you="¡Gracias! Te llamamos mañana.",
    )
    visitor = open_as(None, 390)
    visitor.goto(f"/forms/{form.slug}/?utm_source=instagram&utm_campaign=primavera")
    assert visitor.locator("html").get_attribute("lang") == "es"
    visitor.get_by_label("Nombre").fill("Lucía")
    visitor.get_by_label("Correo electrónico").fill("lucia-arroba-example")
    visitor.get_by_role("button", name="Enviar").click()
    error = visitor.locator("#f-correo-error")
    error.wait_for()
    assert "correo" in error.inner_text().lower()
    assert overflow(visitor) <= 1
    visitor.screenshot(path=str(artifacts_dir / "web-form-390-es-error.png"), full_page=True)
    visitor.get_by_label("Correo electrónico").fill("lucia@example.com")
    visitor.get_by_label("Empresa").fill("Gómez Hnos.")
    visitor.get_by_label("Mensaje").fill("Necesito 20 licencias.")
    visitor.get_by_label(CONSENT).check()
    visitor.get_by_role("button", name="Enviar").click()
    visitor.locator("#form-thanks").wait_for()
    assert "Gracias" in visitor.locator("#form-thanks").inner_text()
    assert "Te llamamos mañana" in visitor.content()
    assert overflow(visitor) <= 1
    visitor.screenshot(path=str(artifacts_dir / "web-form-390-es.png"), full_page=True)

    lead = Lead.objects.get()
    assert (lead.first_name, lead.email, lead.company, lead.source) == (
        "Lucía", "lucia@example.com", "Gómez Hnos.", "web_form",
    )  # fmt: skip
    submission = FormSubmission.objects.get()
    assert (submission.utm_source, submission.utm_campaign) == ("instagram", "primavera")
    assert ConsentEvent.objects.get().wording.text == CONSENT  # type: ignore[union-attr]

    crm = open_as(marketer, 390, language="es")
    crm.goto("/leads/")
    crm.get_by_role("link", name="Lucía").first.click()
    crm.wait_for_url(f"**/leads/{lead.pk}/")
    assert "Gómez Hnos." in crm.content()


def test_the_marketer_builds_a_form_with_the_fields_editor(
    open_as: Any, marketer: Any, artifacts_dir: Any
) -> None:
    page = open_as(marketer, 1280, language="en")
    page.goto("/web_forms/new/")
    page.locator("#id_name").fill("Demo request")
    page.locator("#id_slug").fill("demo")
    # The new form starts with a name and an e-mail field; add a phone after them.
    page.locator("#form-builder-add").click()
    row = page.locator("#form-builder-fields > li").nth(2)
    row.get_by_label("Label").fill("Phone number")
    row.get_by_label("Type").select_option("phone")
    row.get_by_label("Fills in").select_option("phone")
    # Move it above the e-mail field with the keyboard.
    row.get_by_role("button", name="Move up").focus()
    page.keyboard.press("Enter")
    page.locator("#consent-builder-add").click()
    page.locator("#consent-builder textarea").fill("Send me the newsletter.")
    page.screenshot(path=str(artifacts_dir / "web-form-builder.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/web_forms/\d+/$"))
    form = LeadForm.objects.get()
    assert [f["key"] for f in form.fields] == ["name", "phone_number", "email"]
    assert form.fields[1]["maps_to"] == "phone"
    assert form.consents == [
        {"purpose": "newsletter", "channel": "email", "text": "Send me the newsletter."}
    ]


def test_a_form_with_proof_of_work_solves_it_and_makes_the_lead(
    open_as: Any, marketer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hosted page of a form with the proof of work on: sending it gets a challenge,
    the browser solves it with crypto.subtle at the default difficulty, and the post
    goes through with the proof (kept on the submission)."""
    monkeypatch.setattr(form_spam, "MIN_FILL_SECONDS", 0)
    form = make_form(marketer, proof_of_work=True, consents=[])
    visitor = open_as(None, 390)
    visitor.goto(f"/forms/{form.slug}/")
    visitor.get_by_label("First name").fill("Lucía")
    visitor.get_by_label("E-mail").fill("lucia@example.com")
    visitor.get_by_role("button", name="Send").click()
    visitor.locator("#form-thanks").wait_for(timeout=60_000)
    lead = Lead.objects.get()
    assert (lead.first_name, lead.email) == ("Lucía", "lucia@example.com")
    submission = FormSubmission.objects.get()
    assert submission.proof != ""
    assert submission.lead_id == lead.pk
