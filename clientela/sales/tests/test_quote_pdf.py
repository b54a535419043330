"""The quote PDF: a real PDF (read back with pypdf) with the company, number, customer
and address, the lines and the total, in the quote's language."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from pypdf import PdfReader

from clientela.contacts.models import Address
from clientela.sales.pdf import quote_pdf
from clientela.sales.tests.quote_helpers import make_quote

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_english_quote_pdf(rep_north: Any, person_factory: Any) -> None:
    ana = person_factory(rep_north, first_name="Ana", last_name="Núñez", preferred_language="en")
    Address.objects.create(
        person=ana,
        street="Calle Mayor 1",
        city="Madrid",
        postal_code="28013",
        country="ES",
        is_primary=True,
    )
    quote = make_quote(rep_north, ana, notes="Delivery in two weeks.")
    data = quote_pdf(quote)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Clientela" in text
    assert quote.number in text
    assert "Ana Núñez" in text  # accents survive: the font is embedded
    assert "Calle Mayor 1" in text
    assert "28013 Madrid" in text
    assert "Desk" in text
    assert "Lamp" in text
    assert "€129.90" in text  # the total, formatted in English
    assert "Description" in text
    assert "Total" in text
    assert "Delivery in two weeks." in text


def test_spanish_quote_pdf_has_spanish_labels_and_formats(
    rep_north: Any, person_factory: Any
) -> None:
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz", preferred_language="es")

    quote = make_quote(
        rep_north, ana, issue_date=datetime.date(2025, 3, 5), valid_until=datetime.date(2025, 4, 4)
    )
    assert quote.language == "es"
    text = pdf_text(quote_pdf(quote)).replace("\xa0", " ")
    assert "129,90 €" in text  # Spanish number format
    assert "Descripción" in text
    assert "Cliente" in text
    assert "Fecha" in text
    assert "marzo" in text  # dates in Spanish
    assert "Description" not in text


def test_yen_quote_has_no_decimals(rep_north: Any, person_factory: Any) -> None:
    quote = make_quote(
        rep_north,
        person_factory(rep_north, preferred_language="en"),
        currency="JPY",
        lines=[{"description": "Tea", "quantity": "3", "unit_price": "333", "tax_rate": "10"}],
    )
    text = pdf_text(quote_pdf(quote))
    assert "¥1,099" in text
