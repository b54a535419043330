"""The quote PDF: a real PDF (read back with pypdf) with the company, number, customer
and address, the lines and the total, in the quote's language."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from clientela.contacts.models import Address
from clientela.core.services.company import company_profile_update
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


def _png(size: tuple[int, int] = (400, 100)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue())


def test_the_pdf_carries_the_company_profile_and_logo(
    admin: Any, rep_north: Any, person_factory: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    company_profile_update(
        actor=admin,
        data={
            "name": "Tienda Ana",
            "legal_name": "Tienda Ana S.L.",
            "address": "Calle Sol 3\n41001 Sevilla",
            "tax_id": "B12345678",
            "logo": _png(),
        },
    )
    quote = make_quote(rep_north, person_factory(rep_north, preferred_language="en"))
    data = quote_pdf(quote)
    text = pdf_text(data)
    for line in ("Tienda Ana", "Tienda Ana S.L.", "Calle Sol 3", "41001 Sevilla", "B12345678"):
        assert line in text
    assert "Clientela" not in text
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1
    # Without a logo the company's name heads the page, the details under it.
    company_profile_update(actor=admin, data={"remove_logo": True})
    data = quote_pdf(quote)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 0
    assert "Tax id: B12345678" in pdf_text(data)


def test_a_logo_file_gone_missing_still_gives_a_pdf(
    admin: Any, rep_north: Any, person_factory: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    company_profile_update(actor=admin, data={"name": "Tienda Ana", "logo": _png()})
    for path in tmp_path.rglob("*.png"):
        path.unlink()
    data = quote_pdf(make_quote(rep_north, person_factory(rep_north)))
    assert "Tienda Ana" in pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 0
