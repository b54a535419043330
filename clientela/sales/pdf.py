"""The quote as a PDF (fpdf2), in the quote's language, on the company's letterhead
(``core.company``: the logo, name, legal name, address, tax id and contact).

Text is set in DejaVu Sans, embedded in the file, so every accent and currency sign
prints whatever fonts the reader has; the set-up step copies the font files from npm
into ``static/vendor/fonts``. Amounts are formatted for the quote's language
(``money.format_money``) and dates with Django's localized formats.
"""

from __future__ import annotations

import datetime
import io
import logging
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from clientela.core import company
from clientela.core.company import company_name
from clientela.sales import money
from clientela.sales.models import Quote

FONT_FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT_DIR = "vendor/fonts"
#: The box the company logo is fitted into (width, height in mm), and where the
#: company's details start beside it.
LOGO_BOX = (80.0, 22.0)
SENDER_X = 115.0

log = logging.getLogger(__name__)


@cache
def font_paths() -> dict[str, Path]:
    """The DejaVu font files (style → path), found like any static file."""
    found: dict[str, Path] = {}
    for style, name in FONT_FILES.items():
        location = finders.find(f"{FONT_DIR}/{name}")
        if isinstance(location, list):
            location = location[0] if location else None
        path = Path(location) if location else Path(settings.BASE_DIR) / "static" / FONT_DIR / name
        if not path.is_file():
            raise ImproperlyConfigured(
                f"The PDF font {name} is missing from static/{FONT_DIR}: run `make setup`."
            )
        found[style] = path
    return found


def _date(day: datetime.date) -> str:
    return str(formats.date_format(day, "DATE_FORMAT"))


def _number(value: Decimal) -> str:
    """A quantity or percentage without trailing zeros, in the active language."""
    normalized = value.normalize()
    if normalized == normalized.to_integral():
        normalized = normalized.quantize(Decimal(1))
    return str(formats.number_format(normalized, use_l10n=True))


def _customer_lines(quote: Quote) -> list[str]:
    lines: list[str] = []
    address = None
    if quote.person is not None:
        lines.append(quote.person.full_name)
        address = quote.person.addresss.first()
    if quote.organization is not None:
        lines.append(quote.organization.name)
        if address is None:
            address = quote.organization.addresss.first()
    if address is not None:
        if address.street:
            lines.append(address.street)
        place = " ".join(p for p in (address.postal_code, address.city) if p)
        if place:
            lines.append(place)
        region = ", ".join(p for p in (address.region, address.country) if p)
        if region:
            lines.append(region)
    return lines


class _QuotePDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(120)
        self.cell(0, 8, self.footer_text, align="L")
        self.cell(0, 8, f"{self.page_no()}/{{nb}}", align="R")


def quote_pdf(quote: Quote) -> bytes:
    """The quote's PDF, in the quote's language."""
    with translation.override(quote.language):
        return _render(quote)


def _render(quote: Quote) -> bytes:
    title = _("Quote %(label)s") % {"label": quote.label}
    pdf = _document(quote, title)
    _header(pdf, title)
    top = pdf.get_y()
    bottom = _facts(pdf, quote)
    _customer(pdf, quote, top=top, bottom=bottom)
    _lines_table(pdf, quote)
    _totals(pdf, quote)
    _terms(pdf, quote)
    return bytes(pdf.output())


def _amount(quote: Quote, value: Decimal) -> str:
    return money.format_money(value, quote.currency, quote.language)


def _document(quote: Quote, title: str) -> _QuotePDF:
    """An A4 document with the fonts embedded, its metadata and footer, on its first page."""
    pdf = _QuotePDF(format="A4")
    for style, path in font_paths().items():
        pdf.add_font(FONT_FAMILY, style, str(path))
    pdf.set_title(title)
    pdf.set_creator("Clientela")
    pdf.set_lang(quote.language)
    pdf.footer_text = f"{company_name()} · {title}"
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    return pdf


def _logo(pdf: _QuotePDF, top: float) -> float:
    """The company's logo at the top left, fitted into ``LOGO_BOX``; returns where it
    ends (``top`` without a logo, or with one fpdf2 cannot read)."""
    data = company.logo_bytes()
    if not data:
        return top
    width, height = LOGO_BOX
    try:
        info = pdf.image(
            io.BytesIO(data), x=pdf.l_margin, y=top, w=width, h=height, keep_aspect_ratio=True
        )
    except Exception:  # a damaged file must not cost the customer their quote
        log.warning("The company logo could not be printed on a quote", exc_info=True)
        return top
    return top + float(info.rendered_height)


def _sender(pdf: _QuotePDF, x: float, size: int) -> None:
    """The company's name and its letterhead lines (legal name, address, tax id,
    contact) from ``x``."""
    pdf.set_x(x)
    pdf.set_font(FONT_FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.5, company_name(), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 9)
    for line in company.sender_lines():
        pdf.set_x(x)
        pdf.multi_cell(0, 4.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _header(pdf: _QuotePDF, title: str) -> None:
    """The letterhead (the logo at the left and the company at the right, or the
    company's name large without a logo), then the quote's title."""
    top = pdf.get_y()
    logo_bottom = _logo(pdf, top)
    if logo_bottom > top:
        pdf.set_xy(SENDER_X, top)
        _sender(pdf, SENDER_X, 12)
        pdf.set_xy(pdf.l_margin, max(logo_bottom, pdf.get_y()) + 4)
    else:
        _sender(pdf, pdf.l_margin, 18)
        pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 10)


def _facts(pdf: _QuotePDF, quote: Quote) -> float:
    """Number, revision, dates and currency, one per line; returns where they end."""
    facts = [
        (_("Number"), quote.number),
        (_("Revision"), str(quote.revision)),
        (_("Date"), _date(quote.issue_date)),
        (_("Valid until"), _date(quote.valid_until)),
        (_("Currency"), quote.currency),
    ]
    for label, value in facts:
        pdf.set_font(FONT_FAMILY, "B", 10)
        pdf.cell(32, 6, label)
        pdf.set_font(FONT_FAMILY, "", 10)
        pdf.cell(60, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf.get_y()


def _customer(pdf: _QuotePDF, quote: Quote, *, top: float, bottom: float) -> None:
    """The customer beside the facts (from ``top``), then the cursor below both."""
    pdf.set_xy(115, top)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.cell(0, 6, _("Customer"), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 10)
    for text in _customer_lines(quote):
        pdf.set_x(115)
        pdf.multi_cell(80, 5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 6)


def _lines_table(pdf: _QuotePDF, quote: Quote) -> None:
    pdf.set_font(FONT_FAMILY, "", 9)
    headings = (
        _("Description"),
        _("Qty"),
        _("Unit price"),
        _("Discount"),
        _("Tax %"),
        _("Net amount"),
    )
    with pdf.table(
        col_widths=(54, 21, 28, 22, 22, 33),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
        line_height=6,
        first_row_as_headings=True,
    ) as table:
        head = table.row()
        for heading in headings:
            head.cell(heading)
        for line in quote.lines.all():
            row = table.row()
            row.cell(line.description)
            row.cell(f"{_number(line.quantity)} {line.unit}".strip())
            row.cell(_amount(quote, line.unit_price))
            row.cell(f"{_number(line.discount_percent)} %" if line.discount_percent else "")
            row.cell(f"{_number(line.tax_rate)} %")
            row.cell(_amount(quote, line.subtotal))
    pdf.ln(4)


def _totals(pdf: _QuotePDF, quote: Quote) -> None:
    """Subtotal, tax and total, right-aligned."""
    for label, value, bold in (
        (_("Subtotal"), quote.subtotal, False),
        (_("Tax"), quote.tax_total, False),
        (_("Total"), quote.total, True),
    ):
        pdf.set_font(FONT_FAMILY, "B" if bold else "", 11 if bold else 10)
        pdf.cell(140, 7, label, align="R")
        pdf.cell(0, 7, _amount(quote, value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _terms(pdf: _QuotePDF, quote: Quote) -> None:
    """The quote's notes, if any, and how long it is valid."""
    pdf.set_font(FONT_FAMILY, "", 10)
    if quote.notes:
        pdf.set_font(FONT_FAMILY, "B", 10)
        pdf.cell(0, 6, _("Notes"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT_FAMILY, "", 10)
        pdf.multi_cell(0, 5, quote.notes, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    pdf.multi_cell(
        0,
        5,
        _("This quote is valid until %(date)s.") % {"date": _date(quote.valid_until)},
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
