"""The birthday value (a month and a day, the year optional) and the database's own
rules for it, which hold even for writes that skip the services."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from clientela.contacts.birthdays import Birthday
from clientela.contacts.details import clean_birthday
from clientela.contacts.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-05-21", Birthday(5, 21, 1985)),
        ("--05-21", Birthday(5, 21)),
        ("--0521", Birthday(5, 21)),
        ("--02-29", Birthday(2, 29)),
    ],
)
def test_text_forms(text: str, expected: Birthday) -> None:
    assert Birthday.parse(text) == expected
    assert Birthday.parse(expected.isoformat()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--13-40", "month is from 1 to 12"),
        ("--04-31", "does not exist in that month"),
        ("2023-02-29", "date does not exist"),
        ("21/05", "--MM-DD"),
    ],
)
def test_impossible_birthdays_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Birthday.parse(text)


def test_shown_without_a_year_in_the_readers_language() -> None:
    with translation.override("en"):
        assert Birthday(5, 21).display() == "May 21"
    with translation.override("es"):
        assert Birthday(5, 21).display() == "21 de mayo"
        assert Birthday(5, 21, 1985).display() == "21/05/1985"
    assert Birthday(5, 21, 1985).as_date() == datetime.date(1985, 5, 21)
    assert Birthday(5, 21).as_date() is None


@pytest.mark.parametrize(
    ("month_day", "year"),
    [(230, None), (431, None), (1300, None), (100, None), (None, 1990), (229, 2023), (521, 1200)],
)
def test_database_refuses_impossible_birthdays(
    rep_north: Any, person_factory: Any, month_day: int | None, year: int | None
) -> None:
    person = person_factory(rep_north, first_name="Ana")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(birthday_md=month_day, birthday_year=year)


def test_database_takes_feb_29_without_a_year_or_in_a_leap_year(
    rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Ana")
    for year in (None, 2000, 2024):
        Person.objects.filter(pk=person.pk).update(birthday_md=229, birthday_year=year)
        person.refresh_from_db()
        assert person.birthday == Birthday(2, 29, year)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "Europe/Madrid"])
def test_a_birthday_up_to_today_where_the_user_is(zone: str) -> None:
    """Today is the user's (the earliest and latest time zones too): a birthday of today
    is accepted, one of tomorrow refused."""
    with timezone.override(ZoneInfo(zone)):
        today = timezone.localdate()
        for day in (today, today - datetime.timedelta(days=1), today - datetime.timedelta(days=3)):
            assert clean_birthday(day) == Birthday(day.month, day.day, day.year)
        with pytest.raises(ValidationError, match="between 1900 and today"):
            clean_birthday(today + datetime.timedelta(days=1))
