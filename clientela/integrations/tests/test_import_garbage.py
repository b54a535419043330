"""An import's rows are freed as soon as a chunk is done with them, without waiting for
Python's garbage collector: an exception caught on the way (a phone number tried in
a country that does not read it) used to keep its traceback, and with it every frame
up the stack and the whole chunk, alive until the collector's next walk over them, a
tenth of the import's time."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from clientela.contacts import bulk
from clientela.integrations.imports.convert import Converter

pytestmark = pytest.mark.django_db

HEADERS = ["First Name", "Last Name", "E-mail", "Mobile Phone", "City", "Country", "Birthday"]
MAPPING = ["first_name", "last_name", "email", "phone_mobile", "city", "country", "birthday"]
ROWS = [
    # Read in the row's country.
    ["Ana", "Ruiz", "ana@example.com", "612 34 56 78", "Madrid", "Spain", "21/05/1985"],
    # Not a number in the row's country (GB), one in the company's (US).
    ["Bo", "Lee", "bo@example.com", "(415) 555-0123", "London", "UK", "01/02/1990"],
    # A number no country reads: kept as typed, unverified.
    ["Cy", "Moss", "cy@example.com", "612898382", "London", "UK", ""],
]


def _read_and_check(actor: Any) -> None:
    converter = Converter(kind="people", headers=HEADERS, mapping=MAPPING, country="")
    converted = [converter.convert(n, cells) for n, cells in enumerate(ROWS, start=2)]
    checked = bulk.people_check(actor=actor, items=[c.data for c in converted])  # type: ignore[misc]
    assert all(isinstance(c, bulk.Checked) for c in checked), checked
    numbers = [c.details["phones"][0] for c in checked if isinstance(c, bulk.Checked)]
    assert [(p.number, p.verified) for p in numbers] == [
        ("+34612345678", True),
        ("+14155550123", True),
        ("612898382", False),
    ]


def test_rows_read_and_checked_leave_nothing_for_the_collector(rep_north: Any) -> None:
    _read_and_check(rep_north)  # what is built once (caches, translations) is built
    gc.collect()
    gc.disable()
    try:
        _read_and_check(rep_north)
        assert gc.collect() == 0
    finally:
        gc.enable()
