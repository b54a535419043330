"""A lead's and a deal's history in the reader's words: status labels, stage names,
amounts with their currency and dates in the reader's language."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from clientela.core.testing.history import history_changes, history_text
from clientela.sales.models import Deal, Lead
from clientela.sales.services import deals as services
from clientela.sales.services.leads import lead_create, lead_update
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(rep_north: Any) -> Lead:
    lead = lead_create(
        actor=rep_north,
        data={"first_name": "Lucía", "last_name": "Méndez", "email": "lucia@example.com"},
    )
    return lead_update(actor=rep_north, lead=lead, data={"status": "contacted"})


@pytest.fixture
def deal(rep_north: Any) -> Deal:
    pipe = make_pipeline()
    deal = make_deal(rep_north, pipe, close_date=datetime.date(2024, 5, 6))
    deal = services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Offer").pk)
    return services.deal_update(
        actor=rep_north, deal=deal, data={"amount": "2500.5", "currency": "EUR"}
    )


def page(user: Any, url: str, language: str) -> str:
    user.language = language
    user.save()
    client = Client()
    client.force_login(user)
    return str(client.get(url).content.decode())


@pytest.mark.parametrize(
    ("language", "expected", "created"),
    [
        ("en", ("Status", "New", "Contacted"), ("Source", None, "Manual")),
        ("es", ("Estado", "Nuevo", "Contactado"), ("Origen", None, "Manual")),
    ],
)
def test_a_leads_status_by_its_label(
    rep_north: Any, lead: Lead, language: str, expected: Any, created: Any
) -> None:
    html = page(rep_north, f"/leads/{lead.pk}/", language)
    changes = history_changes(html)
    assert changes[0] == [expected]
    assert created in changes[-1]
    assert "contacted" not in history_text(html)


def test_a_deals_stage_amount_and_dates_in_english(rep_north: Any, deal: Deal) -> None:
    html = page(rep_north, f"/deals/{deal.pk}/", "en")
    amount, moved, created = history_changes(html)
    # The old amount in the currency it had, the new one in the new currency.
    assert amount == [("Amount", "$1,000.00", "€2,500.50"), ("Currency", "USD", "EUR")]
    assert moved == [("Probability (%)", "10", "70"), ("Stage", "Lead in", "Offer")]
    assert ("Status", None, "Open") in created
    assert ("Expected close date", None, "05/06/2024") in created
    assert ("Amount", None, "$1,000.00") in created
    assert "2024-05-06" not in history_text(html)


def test_a_deals_stage_amount_and_dates_in_spanish(rep_north: Any, deal: Deal) -> None:
    html = page(rep_north, f"/deals/{deal.pk}/", "es")
    amount, moved, created = history_changes(html)
    assert amount == [("Importe", "1.000,00 US$", "2.500,50 €"), ("Moneda", "USD", "EUR")]
    assert moved == [("Probabilidad (%)", "10", "70"), ("Etapa", "Lead in", "Offer")]
    assert ("Estado", None, "Abierta") in created
    assert ("Fecha de cierre prevista", None, "06/05/2024") in created


@pytest.mark.parametrize(
    ("language", "status", "moved"),
    [
        ("en", ("Status", "Open", "Won"), ("Stage", "Offer", "Closed won")),
        ("es", ("Estado", "Abierta", "Ganada"), ("Etapa", "Offer", "Closed won")),
    ],
)
def test_a_deals_status_change_by_its_label_and_its_stage_by_name(
    rep_north: Any, deal: Deal, language: str, status: Any, moved: Any
) -> None:
    won = stage(deal.pipeline, "Closed won")
    services.deal_move(actor=rep_north, deal=deal, stage_id=won.pk)
    html = page(rep_north, f"/deals/{deal.pk}/", language)
    latest = history_changes(html)[0]
    assert status in latest
    assert moved in latest
    assert "won" not in [new for _label, _old, new in latest]
