"""The declarative list filters every list parses its query string with."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django import forms
from django.http import QueryDict

from clientela.core.filters import (
    ChoiceParam,
    DateParam,
    Errors,
    IdParam,
    ListFilters,
    TextParam,
    clean_sort,
    sort_columns,
)

SORTS = {"name": ("name", "id"), "created": ("created_at", "id")}


@dataclass
class Example(ListFilters):
    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=5),
        "owner": IdParam(),
        "colour": ChoiceParam([("red", "Red")], message="No colour “%(value)s”."),
        "since": DateParam(message="Not a day."),
        "until": DateParam(message="Not a day."),
    }
    SORTS = SORTS
    DEFAULT_SORT = "-created"

    q: str = ""
    owner: int | None = None
    colour: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    sort: str = "created"
    descending: bool = True

    def clean(self, params: Any, errors: Errors, **context: Any) -> None:
        if self.since and self.until and self.since > self.until:
            errors["until"] = ["Before the start."]
            self.until = None


def test_good_values_are_parsed_into_typed_attributes() -> None:
    query = QueryDict("q=%20abcdefgh&owner=7&colour=red&since=2031-02-03&sort=name")
    filters, errors = Example.from_params(query)
    assert errors == {}
    assert (filters.q, filters.owner, filters.colour) == ("abcde", 7, "red")
    assert filters.since == datetime.date(2031, 2, 3)
    assert (filters.sort, filters.descending, filters.sort_param) == ("name", False, "name")
    assert filters.order_by() == ["name", "id"]


def test_no_params_give_the_defaults() -> None:
    filters, errors = Example.from_params(QueryDict(""))
    assert errors == {}
    assert filters == Example()
    assert filters.order_by() == ["-created_at", "-id"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"owner": "x"}, "owner", "Enter a whole number."),
        ({"owner": "0"}, "owner", "Enter a whole number."),
        ({"owner": str(2**63)}, "owner", "Enter a whole number."),
        ({"colour": "blue"}, "colour", "No colour “blue”."),
        ({"since": "03/02/2031"}, "since", "Not a day."),
        ({"since": "2031-02-03", "until": "2031-01-01"}, "until", "Before the start."),
        ({"sort": "-size"}, "sort", "Cannot sort by “-size”; choose one of: name, created."),
    ],
)
def test_a_bad_value_is_reported_under_its_parameter_and_left_out(
    params: dict[str, str], field: str, message: str
) -> None:
    filters, errors = Example.from_params(params)
    assert errors == {field: [message]}
    assert getattr(filters, field) == getattr(Example(), field)


def test_quiet_sorts_fall_back_to_the_default() -> None:
    assert clean_sort(" -name ", SORTS, "name") == "-name"
    assert clean_sort("size", SORTS, "name") == "name"
    assert clean_sort(None, SORTS, "-created") == "-created"
    assert sort_columns(SORTS, "-name") == ["-name", "-id"]
