"""Web forms of the quote pages: the quote with its lines (a formset: product or free
text, quantity, unit price, discount, tax), the send form and the list filter. The
rules (prices in the quote's currency, percentages, validity dates) are the services';
their errors, keyed ``lines.<n>.<field>``, go back next to the right line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import OrganizationPicker, PersonPicker
from clientela.core.choices import Language
from clientela.core.forms import BootstrapMixin, RowFormSet, set_choices
from clientela.core.widgets import DateInput
from clientela.sales.forms.catalogue import BLANK, DecimalText
from clientela.sales.models import Quote
from clientela.sales.money import currency_choices
from clientela.sales.services.common import MAX_LINES, LineInput
from clientela.sales.services.quotes import QuoteData

LINE_ERROR = re.compile(r"^lines\.(\d+)\.(\w+)$")


class QuoteForm(BootstrapMixin, forms.Form):
    person = forms.IntegerField(label=_("Person"), required=False, widget=PersonPicker)
    organization = forms.IntegerField(
        label=_("Organization"), required=False, widget=OrganizationPicker
    )
    deal = forms.TypedChoiceField(label=_("Deal"), required=False, coerce=int, empty_value=None)
    currency = forms.ChoiceField(label=_("Currency"))
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The person's language")), *Language.choices],
    )
    issue_date = forms.DateField(label=_("Date"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the usual validity from the settings."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        people: Iterable[tuple[int, str]] = (),
        organizations: Iterable[tuple[int, str]] = (),
        deals: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.choices = BLANK + list(people)
        self.fields["organization"].widget.choices = BLANK + list(organizations)
        set_choices(self, "deal", BLANK + list(deals))
        set_choices(self, "currency", currency_choices())

    @classmethod
    def initial_for(cls, quote: Quote) -> dict[str, Any]:
        return {
            "person": quote.person_id,
            "organization": quote.organization_id,
            "deal": quote.deal_id,
            "currency": quote.currency,
            "language": quote.language,
            "issue_date": quote.issue_date,
            "valid_until": quote.valid_until,
            "notes": quote.notes,
            "version": quote.version,
        }

    def to_data(self, lines: LineFormSet) -> QuoteData:
        d = self.cleaned_data
        return {
            "person_id": d.get("person"),
            "organization_id": d.get("organization"),
            "deal_id": d.get("deal"),
            "currency": d["currency"],
            "language": d.get("language") or None,  # type: ignore[typeddict-item]
            "issue_date": d["issue_date"],
            "valid_until": d.get("valid_until"),
            "notes": d.get("notes", ""),
            "lines": lines.lines(),
        }


class LineRow(forms.Form):
    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=500)
    quantity = DecimalText(label=_("Qty"), required=False, initial="1")
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20)
    unit_price = DecimalText(label=_("Unit price"), required=False)
    discount_percent = DecimalText(label=_("Discount %"), required=False, initial="0")
    tax_rate = DecimalText(label=_("Tax %"), required=False)

    def __init__(self, *args: Any, products: Iterable[tuple[Any, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "product", BLANK + list(products))
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if name == "product"
                else "form-control form-control-sm"
            )
            field.widget.attrs["aria-label"] = str(field.label)
        # Picking a product fills the line (views/quote_builder.py), keeping what was
        # typed in the other lines and this one's quantity and discount.
        self.fields["product"].widget.attrs.update(
            {
                "hx-get": reverse("sales:quote-line-defaults"),
                "hx-trigger": "change",
                "hx-target": "closest .line-row",
                "hx-swap": "outerHTML",
                "hx-include": "closest .line-row, #id_currency",
            }
        )

    def to_input(self) -> LineInput | None:
        d = self.cleaned_data
        if not d.get("product") and not d.get("description") and not d.get("unit_price"):
            return None  # a blank row
        line: LineInput = {
            "product_id": d.get("product"),
            "description": d.get("description", ""),
            "quantity": d.get("quantity") or "1",
            "discount_percent": d.get("discount_percent") or "0",
        }
        if d.get("unit"):
            line["unit"] = d["unit"]
        if d.get("unit_price"):
            line["unit_price"] = d["unit_price"]
        if d.get("tax_rate"):
            line["tax_rate"] = d["tax_rate"]
        return line


class LineFormSet(RowFormSet):
    title = _("Lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Which form each service line index ``n`` came from (blank rows are left out).
        self.row_of_line: list[int] = []

    def lines(self) -> list[LineInput]:
        result: list[LineInput] = []
        self.row_of_line = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            line = form.to_input()
            if line is not None:
                result.append(line)
                self.row_of_line.append(index)
        return result

    def add_line_errors(self, exc: ValidationError) -> ValidationError | None:
        """Put ``lines.<n>.<field>`` errors on the row's field; return the rest."""
        if not hasattr(exc, "error_dict"):
            return exc
        rest: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            match = LINE_ERROR.match(key)
            if match and int(match.group(1)) < len(self.row_of_line):
                form = self.forms[self.row_of_line[int(match.group(1))]]
                field = match.group(2)
                field = {"product_id": "product"}.get(field, field)
                if field in form.fields:
                    form.add_error(field, messages)
                    css = form.fields[field].widget.attrs.get("class", "")
                    form.fields[field].widget.attrs["class"] = f"{css} is-invalid"
                    continue
            rest[key] = messages
        return ValidationError(rest) if rest else None


def line_formset(
    data: Any = None,
    initial: list[dict[str, Any]] | None = None,
    products: Iterable[tuple[Any, str]] = (),
) -> LineFormSet:
    cls = formset_factory(
        LineRow,
        formset=LineFormSet,
        extra=0 if initial else 1,
        can_delete=True,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES * 2,
    )
    return cast(
        LineFormSet,
        cls(data=data, initial=initial, prefix="lines", form_kwargs={"products": list(products)}),
    )


class SendForm(BootstrapMixin, forms.Form):
    to = forms.EmailField(
        label=_("Send to"), max_length=254, help_text=_("The PDF is attached to the e-mail.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
