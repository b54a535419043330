"""The public holidays of a country (and region) from the ``holidays`` package, plus a
company's own days off, as the dates a ``Calendar`` leaves out."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable

import holidays
from django.utils.translation import gettext_lazy as _

from clientela.service.sla.calendars import CalendarError

#: The years a calendar may hold holidays for.
FIRST_YEAR = 1970
LAST_YEAR = 2100


@functools.cache
def _subdivisions() -> dict[str, tuple[str, ...]]:
    return {
        country.upper(): tuple(regions)
        for country, regions in holidays.list_supported_countries().items()
    }


def _subdivision(country: str, subdivision: str) -> str | None:
    """The package's own spelling of ``subdivision`` (codes are matched regardless of
    case), None for none, or a CalendarError naming the country's regions."""
    if not subdivision:
        return None
    regions = _subdivisions()[country]
    for region in regions:
        if region.casefold() == subdivision.strip().casefold():
            return region
    raise CalendarError(
        _("“%(region)s” is not a region of %(country)s for holidays; its regions are: %(regions)s.")
        if regions
        else _("“%(region)s” is not a region of %(country)s: it has no regional holidays."),
        {"region": subdivision, "country": country, "regions": ", ".join(regions)},
    )


def _extra_date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise CalendarError(
                _("“%(value)s” is not a date (YYYY-MM-DD)."), {"value": value}
            ) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise CalendarError(
            _("The day off %(date)s is outside the years %(first)s–%(last)s."),
            {"date": value.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


def holiday_dates(
    country: str,
    subdivision: str,
    years: Iterable[int],
    extra_dates: Iterable[datetime.date | str] = (),
) -> frozenset[datetime.date]:
    """The public holidays of ``country`` (ISO 3166 alpha-2; empty for none) and its
    ``subdivision`` (the package's region code, e.g. ``MD`` for Madrid; empty for the
    national ones only) in ``years``, with ``extra_dates`` (dates or ISO strings)
    added. Raises ``CalendarError`` for an unknown country or region, a year or an
    extra date outside 1970–2100, or an extra date that is not one."""
    wanted = sorted(set(years))
    for year in wanted:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CalendarError(
                _("Holidays are known for the years %(first)s–%(last)s, not %(year)s."),
                {"first": FIRST_YEAR, "last": LAST_YEAR, "year": year},
            )
    extra = frozenset(_extra_date(value) for value in extra_dates)
    code = country.strip().upper()
    if not code:
        if subdivision.strip():
            raise CalendarError(
                _("Choose the country of the region %(region)s."), {"region": subdivision}
            )
        return extra
    if code not in _subdivisions():
        raise CalendarError(
            _("There are no public holidays for the country “%(country)s”."), {"country": country}
        )
    region = _subdivision(code, subdivision)
    if not wanted:
        return extra
    public = holidays.country_holidays(code, subdiv=region, years=wanted)
    return frozenset(public.keys()) | extra
