"""End-to-end in Chromium: open a lead, click Convert, choose to create a deal, submit,
and land on the new deal; the person's page then tells where they came from."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clientela.sales.models import Pipeline, Stage
from clientela.sales.services.leads import lead_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    # A transactional test starts from an empty database (no migration data).
    found = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
    if found is not None:
        return found
    created = Pipeline.objects.create(name="Sales")
    Stage.objects.create(pipeline=created, name="New", position=0, probability=10)
    Stage.objects.create(pipeline=created, name="Won", position=1, probability=100, is_won=True)
    Stage.objects.create(pipeline=created, name="Lost", position=2, is_lost=True)
    return created


def test_convert_a_lead_into_person_organization_and_deal(
    page: Any, login_as: Any, rep_north: Any, pipeline: Pipeline
) -> None:
    lead = lead_create(
        actor=rep_north,
        data={
            "first_name": "Inés",
            "last_name": "Ortiz",
            "email": "ines@example.es",
            "company": "Panadería Núñez",
            "job_title": "Owner",
        },
    )
    login_as(rep_north)
    page.goto("/leads/")
    page.get_by_role("link", name="Inés Ortiz").click()
    page.wait_for_url(f"**/leads/{lead.pk}/")
    page.get_by_role("link", name=re.compile("^\\s*Convert$")).click()
    page.wait_for_url(f"**/leads/{lead.pk}/convert/")

    page.get_by_label("Create a new person").check()
    page.get_by_label(re.compile("Create the organization")).check()
    page.get_by_label("Create a deal").check()
    # Typing while Bootstrap's collapse is still opening the fields can be lost.
    page.locator("#deal-fields.collapse.show").wait_for()
    title = page.get_by_label("Deal title")
    title.wait_for(state="visible")
    title.fill("Ovens for Núñez")
    page.get_by_label("Amount").fill("1500.00")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Pipeline").select_option(str(pipeline.pk))
    page.get_by_role("button", name=re.compile("^\\s*Convert$")).click()

    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    page.get_by_role("heading", name=re.compile("Ovens for Núñez")).wait_for()
    page.get_by_text("was converted").wait_for()

    # Back on the lead: converted, with links to what it became.
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_text(re.compile("Converted on")).wait_for()
    page.get_by_role("link", name="Inés Ortiz").click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    page.get_by_text(re.compile("Converted from lead")).first.wait_for()
    page.get_by_role("link", name="Panadería Núñez").first.wait_for()


def test_convert_page_shows_field_errors(
    page: Any, login_as: Any, rep_north: Any, pipeline: Pipeline
) -> None:
    lead = lead_create(actor=rep_north, data={"first_name": "Ana", "company": "Acme"})
    login_as(rep_north)
    page.goto(f"/leads/{lead.pk}/convert/")
    page.get_by_label("Create a deal").check()
    # Typing while Bootstrap's collapse is still opening the fields can be lost.
    page.locator("#deal-fields.collapse.show").wait_for()
    page.get_by_label("Currency").fill("XYZ")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name=re.compile("^\\s*Convert$")).click()
    assert response.value.status == 200
    page.locator("#id_deal_currency-errors").wait_for()
    assert "ISO 4217" in page.locator("#id_deal_currency-errors").inner_text()
