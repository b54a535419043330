"""Web forms of the catalogue pages: products, price lists with their prices, exchange
rates and the sales settings. They parse what the browser sent into the services'
input types; the rules (unique SKU, the currency's decimals, rates against the base
currency) are the services', whose errors ``add_service_errors`` puts back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.forms.formsets import formset_factory
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import BootstrapMixin, RowFormSet, set_choices
from clientela.core.widgets import DateInput
from clientela.sales.choices import ProductKind
from clientela.sales.models import Product
from clientela.sales.money import currency_choices, money_str
from clientela.sales.services.catalogue import (
    ExchangeRateData,
    PriceItemInput,
    PriceListData,
    ProductData,
    SalesSettingsData,
)

BLANK = [("", "—")]
MAX_PRICE_ROWS = 500


def decimal_text(value: Any) -> str:
    """A stored Decimal as the form shows it (no exponent, no trailing zeros past the
    point beyond what was typed)."""
    if value is None or value == "":
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class DecimalText(forms.CharField):
    """A decimal number typed as text and handed to the service as a string, so the
    service checks it (the currency's decimals, the range) exactly as in the API."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # "12,50" as typed in Spanish
        return text


class ProductForm(BootstrapMixin, forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
    unit = forms.CharField(
        label=_("Unit"), max_length=20, initial="unit", help_text=_("e.g. unit, hour, kg")
    )
    unit_price = DecimalText(label=_("Unit price"))
    currency = forms.ChoiceField(label=_("Currency"))
    tax_rate = DecimalText(label=_("Tax rate (%)"), initial="0")
    is_active = forms.BooleanField(label=_("Active (offered on new quotes)"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "currency", currency_choices())

    @classmethod
    def initial_for(cls, product: Product) -> dict[str, Any]:
        return {
            "sku": product.sku,
            "name": product.name,
            "kind": product.kind,
            "unit": product.unit,
            "unit_price": money_str(product.unit_price, product.currency),
            "currency": product.currency,
            "tax_rate": decimal_text(product.tax_rate),
            "is_active": product.is_active,
            "description": product.description,
        }

    def to_data(self) -> ProductData:
        d = self.cleaned_data
        return {
            "sku": d["sku"],
            "name": d["name"],
            "kind": d["kind"],
            "unit": d["unit"],
            "unit_price": d["unit_price"],
            "currency": d["currency"],
            "tax_rate": d["tax_rate"],
            "is_active": bool(d.get("is_active")),
            "description": d.get("description", ""),
        }


class ProductFilterForm(forms.Form):
    """Only renders the product list's filters; the view parses the query itself."""

    q = forms.CharField(label=_("SKU or name"), required=False, max_length=100)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Active products")), ("inactive", _("Inactive")), ("all", _("All"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search"})
        self.fields["show"].widget.attrs["class"] = "form-select"


def product_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> ProductFilterForm:
    """The filter panel of the product list (``RecordKind.filter_form``)."""
    return ProductFilterForm(initial={k: initial.get(k, "") for k in ("q", "show")})


# --- price lists ----------------------------------------------------------------------


class PriceListForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.ChoiceField(label=_("Currency"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "currency", currency_choices())

    def to_data(self) -> PriceListData:
        d = self.cleaned_data
        return {"name": d["name"], "currency": d["currency"], "is_active": bool(d["is_active"])}


class PriceRow(forms.Form):
    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None
    )
    unit_price = DecimalText(label=_("Unit price"), required=False)

    def __init__(self, *args: Any, products: Iterable[tuple[Any, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "product", BLANK + list(products))
        self.fields["product"].widget.attrs["class"] = "form-select"
        self.fields["unit_price"].widget.attrs["class"] = "form-control"

    def to_input(self) -> PriceItemInput | None:
        product = self.cleaned_data.get("product")
        price = self.cleaned_data.get("unit_price")
        if not product and not price:
            return None
        return cast(PriceItemInput, {"product_id": product, "unit_price": price or None})


class PriceRowFormSet(RowFormSet):
    title = _("Prices")

    def items(self) -> list[PriceItemInput]:
        result: list[PriceItemInput] = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            item = form.to_input()
            if item is not None:
                result.append(item)
        return result


def price_formset(
    data: Any = None,
    initial: list[dict[str, Any]] | None = None,
    products: Iterable[tuple[Any, str]] = (),
) -> PriceRowFormSet:
    cls = formset_factory(
        PriceRow,
        formset=PriceRowFormSet,
        extra=1,
        can_delete=True,
        max_num=MAX_PRICE_ROWS,
        validate_max=True,
        absolute_max=MAX_PRICE_ROWS * 2,
    )
    return cast(
        PriceRowFormSet,
        cls(data=data, initial=initial, prefix="items", form_kwargs={"products": list(products)}),
    )


# --- currencies -----------------------------------------------------------------------


class SalesSettingsForm(BootstrapMixin, forms.Form):
    base_currency = forms.ChoiceField(
        label=_("Base currency"),
        help_text=_("Reports and forecasts add amounts up in this currency."),
    )
    quote_validity_days = forms.IntegerField(
        label=_("Quotes valid for (days)"), min_value=1, max_value=3650
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "base_currency", currency_choices())

    def to_data(self) -> SalesSettingsData:
        d = self.cleaned_data
        return {
            "base_currency": d["base_currency"],
            "quote_validity_days": d["quote_validity_days"],
        }


class ExchangeRateForm(BootstrapMixin, forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    rate = DecimalText(
        label=_("Rate"), help_text=_("How much one unit of the currency is worth in the base one.")
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "currency", BLANK + currency_choices())

    def to_data(self) -> ExchangeRateData:
        d = self.cleaned_data
        return {"currency": d["currency"], "rate": d["rate"], "valid_from": d["valid_from"]}
