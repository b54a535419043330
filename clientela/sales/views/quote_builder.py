"""The quote form's live parts (htmx): a line filled from the product picked on it, and
the line and document totals as the user types, computed by the services' own checks
and money code (``services.previews.quote_lines_preview``), so what the form shows is
what saving stores. Neither endpoint writes anything."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.core.errors import NotFound
from clientela.core.forms import id_list
from clientela.core.permissions import can
from clientela.core.views.records import AuthedRequest
from clientela.sales import money
from clientela.sales.forms.catalogue import decimal_text
from clientela.sales.forms.quotes import LineFormSet, LineRow, line_formset
from clientela.sales.models import Quote
from clientela.sales.selectors import catalogue as catalogue_selectors
from clientela.sales.services.previews import quote_lines_preview

ROW_PRODUCT = re.compile(r"^lines-(\d+)-product$")
#: The line fields whose errors the totals show under the line's amount.
LINE_FIELDS = (
    "product_id",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax_rate",
)
#: Sent with a filled line: the form's totals listen for it and add up again.
LINES_CHANGED = "lines-changed"


def _check_may_write(request: AuthedRequest) -> None:
    """Only someone who may create or change quotes uses the builder."""
    if not (
        can(request.user, "create", Quote.RESOURCE) or can(request.user, "update", Quote.RESOURCE)
    ):
        raise PermissionDenied


def product_options(user: Any, ids: list[int]) -> list[tuple[int, str]]:
    """The product picker's choices: the active products plus those of ``ids``."""
    return [
        (p.pk, f"{p.name} ({p.sku})")
        for p in catalogue_selectors.product_choices(user=user, include=ids)
    ]


@login_required
@require_GET
def line_defaults(request: AuthedRequest) -> HttpResponse:
    """The line of the form whose product was just picked (``lines-<n>-product``), again,
    with the product's description, unit price in the quote's ``currency`` (the
    catalogue's pricing rule: a price list in that currency, else the product's own
    price in it), tax rate and unit; the line's other fields stay as typed. An unknown or
    retired product is a 404."""
    _check_may_write(request)
    rows = [int(m.group(1)) for key in request.GET if (m := ROW_PRODUCT.match(key))]
    if len(rows) != 1 or rows[0] >= 1000:
        return HttpResponseBadRequest(_("Send the product of one line."))
    prefix = f"lines-{rows[0]}"
    data = request.GET.copy()
    ids = id_list([data.get(f"{prefix}-product", "")])
    price_error = ""
    if ids:
        try:
            product = catalogue_selectors.product_get(user=request.user, pk=ids[0])
        except NotFound:
            raise Http404() from None
        if not product.is_active:
            raise Http404()
        currency = (data.get("currency") or "").strip().upper()
        if not money.is_currency(currency):
            return HttpResponseBadRequest(_("Choose the quote's currency."))
        price = catalogue_selectors.price_for(product, currency)
        data[f"{prefix}-description"] = product.name
        data[f"{prefix}-unit"] = product.unit
        data[f"{prefix}-tax_rate"] = decimal_text(product.tax_rate)
        data[f"{prefix}-unit_price"] = money.money_str(price, currency) or ""
        if price is None:
            price_error = _("This product has no price in %(currency)s: give the unit price.") % {
                "currency": currency
            }
    form = _row(request.user, data, prefix, ids)
    if price_error:
        form.add_error("unit_price", price_error)
    response = render(request, "sales/quotes/_line_row.html", {"form": form})
    response["HX-Trigger"] = LINES_CHANGED
    return response


def _row(user: Any, data: QueryDict, prefix: str, ids: list[int]) -> LineRow:
    form = LineRow(data, prefix=prefix, products=product_options(user, ids))
    line_formset().add_fields(form, None)  # the formset's "Remove" box
    form.is_valid()
    return form


@login_required
@require_POST
def quote_totals(request: AuthedRequest) -> HttpResponse:
    """The whole quote form, posted as it stands: each line's net amount (out of band,
    into its row) and the subtotal, tax and total, or the problem of each refused line
    in its row and no totals."""
    _check_may_write(request)
    posted = id_list(v for k, v in request.POST.items() if k.endswith("-product"))
    lines = line_formset(request.POST, products=[(pk, "") for pk in posted])
    if not lines.management_form.is_valid():
        return HttpResponseBadRequest(_("The lines could not be read; reload the page."))
    lines.is_valid()
    preview = quote_lines_preview(currency=request.POST.get("currency"), lines=lines.lines())
    currency = request.POST.get("currency", "") if "currency" not in preview.errors else ""
    return render(
        request,
        "sales/quotes/_totals.html",
        {
            "rows": _row_amounts(lines, preview),
            "totals": preview.totals,
            "currency": currency,
            "currency_errors": preview.errors.get("currency", []),
        },
    )


def _row_amounts(lines: LineFormSet, preview: Any) -> list[dict[str, Any]]:
    """Per row of the form: its id prefix, its amount and its problems (a blank or
    removed row has neither)."""
    rows: list[dict[str, Any]] = [
        {"prefix": form.prefix, "amount": None, "errors": []} for form in lines.forms
    ]
    for n, index in enumerate(lines.row_of_line):
        row = rows[index]
        row["amount"] = preview.lines.get(n)
        form = lines.forms[index]
        for field in LINE_FIELDS:
            name = "product" if field == "product_id" else field
            for message in preview.errors.get(f"lines.{n}.{field}", []):
                row["errors"].append(f"{form.fields[name].label}: {message}")
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                row["errors"].extend(f"{label}: {m}" if label else m for m in messages)
    return rows


urlpatterns: list[URLPattern] = [
    path("quotes/line-defaults/", line_defaults, name="quote-line-defaults"),
    path("quotes/totals/", quote_totals, name="quote-totals"),
]
