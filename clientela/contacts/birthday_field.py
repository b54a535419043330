"""The birthday input of the person form: day, month and an optional year.

Three plain controls rather than a date picker, because a date picker cannot leave the
year out and makes a phone scroll decades back: the day and the year are numeric text
fields (the phone shows its number pad; a keyboard just types), the month a list of
names. They come in the reader's order (day first in Spanish, month first in English),
and each carries its own label for screen readers and the browser's ``bday-*``
autofill.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import dates, translation
from django.utils.translation import gettext_lazy as _

from clientela.contacts.birthdays import Birthday

_PARTS = ("day", "month", "year")


class BirthdayWidget(forms.MultiWidget):
    template_name = "contacts/widgets/birthday.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "pattern": "[0-9]*"}
        months = [("", _("Month")), *((n, dates.MONTHS[n]) for n in range(1, 13))]
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(
                {**numeric, "maxlength": 2, "size": 2, "autocomplete": "bday-day"}
            ),
            "month": forms.Select({"autocomplete": "bday-month"}, choices=months),
            "year": forms.TextInput(
                {**numeric, "maxlength": 4, "size": 4, "autocomplete": "bday-year"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            try:
                value = Birthday.of(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            value = Birthday.of(value)
        if isinstance(value, Birthday):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # One text value ("1985-05-21", "--05-21") is read too: what a script posts.
        parts = [f"{name}_{part}" for part in _PARTS]
        if name in data and not any(p in data for p in parts):
            return str(data.get(name) or "")
        return super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> Any:
        context = super().get_context(name, value, attrs)
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year (optional)")}
        placeholders = {"day": _("Day"), "year": _("Year")}
        for part, sub in zip(_PARTS, context["widget"]["subwidgets"], strict=True):
            sub_attrs = sub["attrs"]
            css = sub_attrs.get("class", "form-control")
            if part == "month":
                css = css.replace("form-control", "form-select")
            sub_attrs["class"] = css
            sub_attrs["aria-label"] = labels[part]
            if part in placeholders:
                sub_attrs["placeholder"] = placeholders[part]
            sub["part"] = part
        language = (translation.get_language() or "en")[:2]
        order = ("month", "day", "year") if language == "en" else _PARTS
        by_part = {sub["part"]: sub for sub in context["widget"]["subwidgets"]}
        context["widget"]["ordered"] = [by_part[p] for p in order]
        return context

    def id_for_label(self, id_: str) -> str:
        return id_ + "_day" if id_ else id_


class BirthdayField(forms.MultiValueField):
    """A ``Birthday`` (or None) from day, month and optional year."""

    widget = BirthdayWidget

    def __init__(self, **kwargs: Any) -> None:
        # Each part optional here: ``compress`` says which one is missing.
        fields = (
            forms.IntegerField(min_value=1, max_value=31, required=False),
            forms.IntegerField(min_value=1, max_value=12, required=False),
            forms.IntegerField(min_value=1, max_value=9999, required=False),
        )
        kwargs.setdefault("required", False)
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return Birthday.of(value.strip())
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return super().clean(value)

    def compress(self, data_list: list[Any]) -> Birthday | None:
        if not data_list:
            return None
        day, month, year = [*data_list, None, None, None][:3]
        if day is None and month is None:
            if year is not None:
                raise forms.ValidationError(_("Enter the day and the month of the year."))
            return None
        if day is None or month is None:
            raise forms.ValidationError(_("Enter the day and the month."))
        try:
            return Birthday(month, day, year)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
