"""Web forms of the order pages: the list filters, the order taken by phone (customer,
currency, date and lines) and the status change. They only parse what the browser sent
into ``services.orders.OrderData``; the rules (amounts, currencies, percentages,
visible customers, the product's price) are the service's, whose errors are put back
next to the right input (``add_order_errors``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import formset_factory
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import OrganizationPicker, PersonPicker
from clientela.core import selectors as core_selectors
from clientela.core.forms import BootstrapMixin, RowFormSet, add_service_errors, set_choices
from clientela.core.widgets import DATETIME_LOCAL, DateInput, DateTimeLocalInput, FastSelect
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.services.orders import OrderData

BLANK = [("", "—")]
MAX_LINES = 50
#: Service error keys that belong to another input of the page.
ERROR_TARGETS = {"person_id": "person", "organization_id": "organization"}
_LINE_KEY = re.compile(r"^lines\.(\d+)\.(\w+)$")


class AnyIdField(forms.TypedChoiceField):
    """A record id picked from a select whose options are only a convenient first
    batch: any id passes here, and the service reports unknown or invisible ones."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, coerce=int, empty_value=None, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class OrderFilterForm(forms.Form):
    """Only renders the filter panel; ``selectors.orders.OrderFilters`` parses."""

    q = forms.CharField(label=_("Number or external id"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=BLANK + list(OrderStatus.choices)
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)
    date_from = forms.DateField(label=_("Ordered from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Ordered until"), required=False, widget=DateInput)
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner", BLANK + [(u.pk, str(u)) for u in users])


def order_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> OrderFilterForm:
    """The filter panel of the order list (``RecordKind.filter_form``)."""
    return OrderFilterForm(initial=initial, users=core_selectors.user_choices())


class OrderLineRow(forms.Form):
    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        help_text=_("Free text, or leave empty to use the product's name."),
    )
    quantity = forms.CharField(
        label=_("Quantity"),
        required=False,
        max_length=30,
        initial="1",
        widget=forms.TextInput({"inputmode": "decimal"}),
    )
    unit_price = forms.CharField(
        label=_("Unit price"),
        required=False,
        max_length=30,
        help_text=_("Empty: the product's list price."),
        widget=forms.TextInput({"inputmode": "decimal"}),
    )
    discount_percent = forms.CharField(
        label=_("Discount (%)"),
        required=False,
        max_length=10,
        initial="0",
        widget=forms.TextInput({"inputmode": "decimal"}),
    )
    tax_rate = forms.CharField(
        label=_("Tax rate (%)"),
        required=False,
        max_length=10,
        help_text=_("Empty: the product's tax rate."),
        widget=forms.TextInput({"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, products: Iterable[tuple[Any, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self, "product", BLANK + list(products))
        # Help texts are for the first row; every row would repeat them.
        for field in self.fields.values():
            field.help_text = ""

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not (data.get("product") or data.get("description") or data.get("unit_price"))

    def to_input(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("DELETE") or self.is_blank():
            return None
        line: dict[str, Any] = {
            "product_id": data.get("product"),
            "description": data.get("description", ""),
            "quantity": (data.get("quantity") or "").strip() or "1",
            "discount_percent": (data.get("discount_percent") or "").strip() or "0",
        }
        for name in ("unit_price", "tax_rate"):
            value = (data.get(name) or "").strip()
            if value:
                line[name] = value.replace(",", ".") if name == "tax_rate" else value
        line["quantity"] = line["quantity"].replace(",", ".")
        line["discount_percent"] = line["discount_percent"].replace(",", ".")
        return line


class OrderLineFormSet(RowFormSet):
    title = _("Lines")

    def lines(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The filled, non-removed rows as service line inputs, and for each the index
        of its row on the page (so the service's ``lines.<n>`` errors find the row)."""
        lines: list[dict[str, Any]] = []
        rows: list[int] = []
        for index, form in enumerate(self.forms):
            item = cast(OrderLineRow, form).to_input()
            if item is not None:
                lines.append(item)
                rows.append(index)
        return lines, rows


def line_formset(
    data: Any = None,
    *,
    products: Iterable[tuple[Any, str]] = (),
    initial: list[dict[str, Any]] | None = None,
) -> OrderLineFormSet:
    cls = formset_factory(
        OrderLineRow,
        formset=OrderLineFormSet,
        extra=0 if initial else 1,
        can_delete=True,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES * 2,
    )
    return cast(
        OrderLineFormSet,
        cls(data=data, initial=initial, prefix="lines", form_kwargs={"products": list(products)}),
    )


class OrderForm(BootstrapMixin, forms.Form):
    """An order taken by phone or at the counter: the customer, currency, date, status
    and notes; the lines come from ``OrderLineFormSet``."""

    person = AnyIdField(label=_("Person"), widget=PersonPicker)
    organization = AnyIdField(label=_("Organization"), widget=OrganizationPicker)
    currency = forms.ChoiceField(label=_("Currency"), widget=FastSelect)
    ordered_at = forms.DateTimeField(
        label=_("Ordered"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (OrderStatus.OPEN, OrderStatus.OPEN.label),
            (OrderStatus.FULFILLED, OrderStatus.FULFILLED.label),
        ],
        initial=OrderStatus.OPEN,
        help_text=_("Fulfilled: handed over or shipped already."),
    )
    external_id = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_("Optional: the order's number in the shop or ERP."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        people: Iterable[tuple[Any, str]] = (),
        organizations: Iterable[tuple[Any, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "person", BLANK + list(people))
        set_choices(self, "organization", BLANK + list(organizations))
        set_choices(self, "currency", money.currency_choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person") and not data.get("organization") and not self.errors:
            raise ValidationError(_("Choose the person or the organization who ordered."))
        return data

    def to_data(self, lines: list[dict[str, Any]]) -> OrderData:
        c = self.cleaned_data
        data: dict[str, Any] = {
            "currency": c["currency"],
            "ordered_at": c["ordered_at"],
            "status": c["status"],
            "notes": c["notes"],
            "external_id": c["external_id"],
            "lines": lines,
        }
        if c.get("person"):
            data["person_id"] = c["person"]
        if c.get("organization"):
            data["organization_id"] = c["organization"]
        return cast(OrderData, data)


def add_order_errors(
    form: OrderForm, lines: OrderLineFormSet, rows: list[int], exc: ValidationError
) -> None:
    """The service's errors on the page: ``lines.<n>.<field>`` on that field of the
    ``n``-th submitted line's row, ``lines`` above the lines, the rest on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    rest: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        match = _LINE_KEY.match(key)
        if match and int(match.group(1)) < len(rows):
            row = lines.forms[rows[int(match.group(1))]]
            name = match.group(2).removesuffix("_id")
            row.add_error(name if name in row.fields else None, messages)
        elif key == "lines" or key.startswith("lines."):
            lines.service_errors.extend(messages)
        else:
            rest[key] = messages
    if rest:
        add_service_errors(form, ValidationError(rest), targets=ERROR_TARGETS)


class OrderStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    version = forms.IntegerField(required=False, min_value=1)
