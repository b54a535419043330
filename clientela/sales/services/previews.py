"""What a document's lines come to before it is saved: the quote builder's totals as you
type, computed by the same checks and money code as ``quote_create``/``quote_update``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clientela.sales import money
from clientela.sales.services import common as c


@dataclass(frozen=True)
class LinesPreview:
    """What the quote form's lines come to before saving: each line's amounts (by its
    position in the input) and the document's totals, or the problems found, keyed
    ``lines.<n>.<field>`` like the services' errors (``currency`` for the currency)."""

    lines: dict[int, money.LineAmounts]
    totals: money.Totals | None
    errors: c.Errors


def quote_lines_preview(*, currency: Any, lines: list[c.LineInput]) -> LinesPreview:
    """The amounts ``quote_create``/``quote_update`` would store for ``lines`` in
    ``currency``, computed by the same checks and money code; nothing is saved. The
    totals are None while a line or the currency is refused (a partial sum would mislead)."""
    errors: c.Errors = {}
    code = c.clean_currency(currency, "currency", errors)
    cleaned = c.clean_lines(lines, code, errors) if lines else []
    amounts = {line.position: line.amounts for line in cleaned}
    totals = None if errors else c.document_totals(cleaned)
    return LinesPreview(lines=amounts, totals=totals, errors=errors)
