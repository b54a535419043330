"""``FastSelect`` writes the same markup as Django's ``Select``, only faster."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test.html import parse_html

from clientela.core.widgets import FastSelect

CHOICES = [("", "—"), ("ES", "Spain"), ("MX", "México"), ("X", "<b>&bold</b>"), (3, "Three")]


def both(value: Any, choices: list[Any] = CHOICES, **attrs: Any) -> tuple[Any, Any]:
    ours = FastSelect(choices=choices).render("country", value, attrs=attrs)
    django = forms.Select(choices=choices).render("country", value, attrs=attrs)
    return parse_html(ours), parse_html(django)


@pytest.mark.parametrize("value", [None, "", "ES", "MX", "3", 3, "nope", "<b>&bold</b>"])
def test_same_markup_as_djangos_select(value: Any) -> None:
    attrs: dict[str, Any] = {"id": "id_country", "class": "form-select", "required": True}
    ours, django = both(value, **attrs)
    assert ours == django


def test_labels_and_values_are_escaped() -> None:
    html = FastSelect(choices=CHOICES).render("c", None)
    assert "<b>" not in html
    assert "&lt;b&gt;&amp;bold&lt;/b&gt;" in html


def test_only_the_first_matching_option_is_selected() -> None:
    html = FastSelect(choices=[("a", "A"), ("a", "again")]).render("c", "a")
    assert html.count("selected") == 1


def test_option_groups_and_multiple_fall_back_to_djangos_select() -> None:
    grouped = [("Europe", [("ES", "Spain")]), ("America", [("MX", "México")])]
    ours, django = both("MX", choices=grouped)
    assert ours == django
    assert "optgroup" in str(ours)
    multiple = FastSelect(choices=CHOICES)
    multiple.allow_multiple_selected = True
    assert parse_html(multiple.render("c", ["ES", "MX"])) == parse_html(
        forms.SelectMultiple(choices=CHOICES).render("c", ["ES", "MX"])
    )
