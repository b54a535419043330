"""Form widgets shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

#: The value format of a ``datetime-local`` input.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """The browser's date picker, which always speaks ISO dates."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker (ISO values, no time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FastSelect(forms.Select):
    """A ``<select>`` that writes its options in Python. Django's ``Select`` renders a
    template per option: the 250 countries of a list page's filter took 15–45 ms, more
    than the rest of the page, and even a short list costs a millisecond. The markup is
    the same; lists with option groups, and multiple selection, fall back to
    ``Select``."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        choices = list(self.choices)
        grouped = any(isinstance(label, list | tuple) for _value, label in choices)
        if grouped or self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        options = []
        selected_one = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not selected_one and text in wanted
            selected_one = selected_one or selected
            options.append((text, " selected" if selected else "", label))
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )
