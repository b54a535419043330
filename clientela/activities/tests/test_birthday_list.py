""" "My day" shows the first birthdays of the week and "See all (n)"; the birthday list
pages through all of them, scoped like "My day" (another team's people stay out)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from clientela.contacts.birthdays import Birthday

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 3, 10)


@pytest.fixture
def thirty_birthdays(
    rep_north: Any, rep_south: Any, person_factory: Any, monkeypatch: Any
) -> set[str]:
    noon = datetime.datetime.combine(DAY, datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    names = set()
    for n in range(30):
        birthday = datetime.date(1980 + n, DAY.month, DAY.day + n % 7)
        person = person_factory(rep_north, first_name=f"North{n:02d}", birthday=birthday)
        names.add(person.first_name)
    # The other team's, the same week: not the rep's to see.
    person_factory(rep_south, first_name="SouthOnly", birthday=Birthday(3, 11, 1990))
    # Next month: not this week.
    person_factory(rep_north, first_name="LaterOn", birthday=Birthday(4, 11, 1990))
    return names


def _shown(html: str) -> list[str]:
    return re.findall(r">(North\d\d|SouthOnly|LaterOn)\b", html)


def test_my_day_lists_five_birthdays_and_see_all(
    client: Any, rep_north: Any, thirty_birthdays: set[str]
) -> None:
    client.force_login(rep_north)
    html = client.get("/my-day/").content.decode()
    shown = _shown(html)
    # The soonest: today's five.
    assert sorted(shown) == ["North00", "North07", "North14", "North21", "North28"]
    assert 'href="/my-day/birthdays/"' in html
    assert "See all (30)" in html


def test_the_birthday_list_pages_through_all_thirty(
    client: Any, rep_north: Any, thirty_birthdays: set[str], settings: Any
) -> None:
    settings.CLIENTELA_PAGE_SIZE = 20
    client.force_login(rep_north)
    first = client.get("/my-day/birthdays/")
    assert first.status_code == 200
    second = client.get("/my-day/birthdays/?page=2")
    shown = _shown(first.content.decode()) + _shown(second.content.decode())
    assert len(_shown(first.content.decode())) == 20
    assert sorted(shown) == sorted(thirty_birthdays)
    assert "Showing 1–20 of 30 records" in first.content.decode()
    # With htmx only the list is swapped in.
    part = client.get("/my-day/birthdays/?page=2", headers={"HX-Request": "true"})
    assert "<html" not in part.content.decode()
    assert len(_shown(part.content.decode())) == 10


def test_no_see_all_when_my_day_shows_every_birthday(
    client: Any, rep_south: Any, thirty_birthdays: set[str]
) -> None:
    client.force_login(rep_south)
    html = client.get("/my-day/").content.decode()
    assert _shown(html) == ["SouthOnly"]
    assert 'id="all-birthdays"' not in html
    assert _shown(client.get("/my-day/birthdays/").content.decode()) == ["SouthOnly"]


def test_bad_page_number_shows_the_first_page(
    client: Any, rep_north: Any, thirty_birthdays: set[str]
) -> None:
    client.force_login(rep_north)
    response = client.get("/my-day/birthdays/?page=abc")
    assert response.status_code == 200
    assert "Showing 1–25 of 30 records" in response.content.decode()
    assert "North00" in _shown(response.content.decode())
