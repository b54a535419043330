"""A birthday: a month and a day, with the year when it is known.

Phones and Google keep birthdays without a year ("21 May"), so a year is optional. A
person stores it in two columns: ``birthday_md`` (``month * 100 + day``, indexed, so
"birthdays in the next 7 days" is a range read of that index) and ``birthday_year``
(null when unknown). Everywhere a birthday is written as text — the API, exports, the
audit history — it has one of two ISO 8601 forms: ``1985-05-21`` or ``--05-21``.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

#: The first year a birthday may have (the services' rule, also a database check).
MIN_YEAR = 1900
#: A leap year, for the days of a birthday without a year (29 February is one).
_ANY_LEAP_YEAR = 2000

_FULL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")


def days_in_month(month: int) -> int:
    """The most days ``month`` has (29 for February)."""
    return calendar.monthrange(_ANY_LEAP_YEAR, month)[1]


@dataclass(frozen=True, order=True)
class Birthday:
    """A month and a day, and the year when it is known. Raises ValueError (with a
    message for the user) for a day that no year has, or 29 February of a year
    without it."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(_("A birthday's month is from 1 to 12."))
        if not 1 <= self.day <= days_in_month(self.month):
            raise ValueError(_("This day does not exist in that month."))
        if self.year is not None:
            try:
                datetime.date(self.year, self.month, self.day)
            except ValueError:
                raise ValueError(_("This date does not exist.")) from None

    @classmethod
    def of(cls, value: Birthday | datetime.date | str | None) -> Birthday | None:
        """``value`` as a birthday: a date, the text forms ``parse`` reads, or None."""
        if value is None or value == "":
            return None
        if isinstance(value, Birthday):
            return value
        if isinstance(value, datetime.date):
            return cls(value.month, value.day, value.year)
        return cls.parse(value)

    @classmethod
    def parse(cls, text: str) -> Birthday:
        """``1985-05-21``, ``--05-21`` or ``--0521`` (vCard 4); ValueError otherwise."""
        value = text.strip()
        if match := _FULL.match(value):
            year, month, day = (int(g) for g in match.groups())
            return cls(month, day, year)
        if match := _NO_YEAR.match(value):
            month, day = (int(g) for g in match.groups())
            return cls(month, day)
        raise ValueError(
            _("Enter a birthday as YYYY-MM-DD, or --MM-DD without the year (e.g. --05-21).")
        )

    @classmethod
    def from_columns(cls, month_day: int | None, year: int | None) -> Birthday | None:
        if month_day is None:
            return None
        return cls(month_day // 100, month_day % 100, year)

    @property
    def month_day(self) -> int:
        """``month * 100 + day``: what the database indexes."""
        return self.month * 100 + self.day

    def isoformat(self) -> str:
        """``1985-05-21``, or ``--05-21`` without the year."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()

    def as_date(self) -> datetime.date | None:
        """The date of birth, when the year is known."""
        return None if self.year is None else datetime.date(self.year, self.month, self.day)

    def on(self, year: int) -> datetime.date:
        """The day it is celebrated in ``year``: 29 February on 28 February in years
        without it."""
        if self.month == 2 and self.day == 29 and not calendar.isleap(year):
            return datetime.date(year, 2, 28)
        return datetime.date(year, self.month, self.day)

    def display(self) -> str:
        """For people, in the active language: the short date, or "21 de mayo" /
        "May 21" without the year."""
        if self.year is None:
            return formats.date_format(
                datetime.date(_ANY_LEAP_YEAR, self.month, self.day), "MONTH_DAY_FORMAT"
            )
        return formats.date_format(
            datetime.date(self.year, self.month, self.day), "SHORT_DATE_FORMAT"
        )
