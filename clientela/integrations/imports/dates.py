"""Dates as spreadsheets and address books write them: full dates in the file's day/month
order (detected from the values, else guessed from the header's language), and birthdays
with or without their year (Google's ``--05-21``, ``21/05``, "21 de mayo", "May 21")."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from functools import cache

from babel import Locale
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.birthdays import Birthday
from clientela.core.normalize import fold

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
#: A day and a month as spreadsheets write a birthday without the year: 21/05, 21.5.
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})\.?$")
#: What Outlook writes in a date column left empty ("0/0/00").
ZERO_DATE = re.compile(r"^0{1,2}[/.\-]0{1,2}[/.\-]0{2,4}$")
_WORDS = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@cache
def _month_names() -> dict[str, int]:
    """Month names and abbreviations in English and Spanish, folded."""
    names: dict[str, int] = {}
    for code in ("en", "es"):
        locale = Locale.parse(code)
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in locale.months[context][width].items():
                    names[fold(name).rstrip(".")] = number
    names["sept"] = 9
    return names


def parse_date(text: str, order: str = "dmy") -> datetime.date:
    """A date as spreadsheets write it: ``1985-04-12``, ``19850412``, ``12/04/1985``
    (day first when ``order`` is "dmy", else month first; a day over 12 decides by
    itself), ``12.4.85``, ``April 12, 1985``, ``12 de abril de 1985``. Raises ValueError
    with a message for the user."""
    value = text.strip()
    if _NO_YEAR.match(value):
        raise ValueError(_("A date without a year cannot be stored; add the year."))
    if match := _ISO.match(value) or _COMPACT.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC.match(value):
        first, second, year = (int(g) for g in match.groups())
        if year < 100:
            year += 1900 if year > timezone.localdate().year % 100 else 2000
        if first > 12 or (order == "dmy" and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
    else:
        words = _WORDS.findall(fold(value))
        months = _month_names()
        named = [months[w.rstrip(".")] for w in words if w.rstrip(".") in months]
        numbers = [int(w) for w in words if w.isdigit()]
        if len(named) != 1 or len(numbers) != 2:
            raise ValueError(_("Not a date we can read; write it as YYYY-MM-DD."))
        month = named[0]
        day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("This date does not exist.")) from None


def parse_birthday(text: str, order: str = "dmy") -> Birthday:
    """A birthday as address books and spreadsheets write it: any date ``parse_date``
    reads, or one without the year: Google's ``--05-21``, vCard 4's ``--0521``,
    ``21/05`` (``order`` as for dates), ``21 de mayo``, ``May 21``. Raises ValueError
    with a message for the user."""
    value = text.strip()
    if match := _NO_YEAR.match(value):
        return Birthday(int(match.group(1)), int(match.group(2)))
    if match := _DAY_MONTH.match(value):
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 or (order == "dmy" and second <= 12):
            return Birthday(second, first)
        return Birthday(first, second)
    if _NUMERIC.match(value) or _ISO.match(value) or _COMPACT.match(value):
        born = parse_date(value, order)  # all figures: no month name to look for
        return Birthday(born.month, born.day, born.year)
    words = _WORDS.findall(fold(value))
    months = _month_names()
    named = [months[w.rstrip(".")] for w in words if w.rstrip(".") in months]
    numbers = [int(w) for w in words if w.isdigit()]
    if len(named) == 1 and len(numbers) == 1 and numbers[0] <= 31:
        return Birthday(named[0], numbers[0])
    born = parse_date(value, order)
    return Birthday(born.month, born.day, born.year)


def date_order(values: Iterable[str], default: str = "dmy") -> str:
    """ "dmy" or "mdy" for a column of numeric dates: what its unambiguous values say
    (a first number over 12 is a day), ``default`` when none says."""
    day_first = month_first = 0
    for value in values:
        if match := _NUMERIC.match(value.strip()) or _DAY_MONTH.match(value.strip()):
            first, second = int(match.group(1)), int(match.group(2))
            day_first += first > 12
            month_first += second > 12
    if day_first == month_first:
        return default
    return "mdy" if month_first > day_first else "dmy"


#: Words of Spanish column names: a file with them writes dates day first.
_SPANISH_HEADER_WORDS = frozenset(
    "nombre apellidos apellido correo electronico telefono movil ciudad pais cumpleanos "
    "fecha nacimiento empresa organizacion cargo notas direccion provincia".split()
)


def default_date_order(headers: Iterable[str]) -> str:
    """The order to assume when no date of the file tells: day first for Spanish
    column names, else month first (Outlook and Salesforce in English write
    4/12/1985 for April 12; Google and HubSpot write ISO dates, which need none)."""
    words = {w for h in headers for w in _WORDS.findall(fold(h))}
    return "dmy" if words & _SPANISH_HEADER_WORDS else "mdy"
