"""One style per page: every amount on the deal board (cards and column totals) in the
reader's locale through the one formatter (``money.format_money``), never a second
style with the currency code ("44 400,00 USD" beside "185.700,00 US$"); every date on
a page in Django's short localized forms (SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT),
the record's history included."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage
from clientela.sales.tests.quote_helpers import make_quote

pytestmark = pytest.mark.django_db


def _board(user: Any, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    pipeline = make_pipeline()
    make_deal(user, pipeline, title="Ovens", amount="185700.00")
    make_deal(
        user, pipeline, title="Fridges", amount="44400.00", stage_id=stage(pipeline, "Offer").pk
    )
    client = Client()
    client.force_login(user)
    response = client.get("/deals/board/", {"pipeline": pipeline.pk})
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_board_in_spanish_shows_every_amount_in_one_style(rep_north: Any) -> None:
    page = _board(rep_north, "es")
    # Each amount twice: on its card and as its column's total.
    assert page.count("185.700,00\xa0US$") == 2
    assert page.count("44.400,00\xa0US$") == 2
    assert not re.search(r"\d USD", page)


def test_the_board_in_english_shows_every_amount_in_one_style(rep_north: Any) -> None:
    page = _board(rep_north, "en")
    assert page.count("$185,700.00") == 2
    assert page.count("$44,400.00") == 2
    assert not re.search(r"\d USD", page)


MONTHS = (
    r"(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)"
)


@pytest.mark.parametrize(
    ("language", "issued", "valid", "long_form"),
    [
        ("es", "04/03/2030", "03/04/2030", rf"\d+ de {MONTHS}"),
        ("en", "03/04/2030", "04/03/2030", r"(March|April) \d+, 2030"),
    ],
)
def test_the_quote_page_shows_its_dates_in_one_style(
    rep_north: Any, person_factory: Any, language: str, issued: str, valid: str, long_form: str
) -> None:
    rep_north.language = language
    rep_north.save(update_fields=["language"])
    ana = person_factory(rep_north, first_name="Ana", last_name="Ruiz")
    quote = make_quote(
        rep_north,
        ana,
        issue_date=datetime.date(2030, 3, 4),
        valid_until=datetime.date(2030, 4, 3),
    )
    client = Client()
    client.force_login(rep_north)
    page = client.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()
    # The facts and the history (created with these dates) say them alike.
    assert page.count(issued) >= 2
    assert page.count(valid) >= 2
    assert not re.search(long_form, page)
