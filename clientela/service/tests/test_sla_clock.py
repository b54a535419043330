"""The SLA arithmetic against a brute-force reference that walks real UTC minutes one
by one and asks zoneinfo, for each, whether its local time is working time: random
calendars (1–3 intervals a day, days off, holidays), starts near daylight-saving
changes, random pauses and resumptions, in Madrid, Mexico City and New York. Then
worked examples and the errors. No database."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clientela.service.sla.clock import (
    Calendar,
    CalendarError,
    SlaClock,
    add_business_time,
    business_time_between,
    holiday_dates,
)

UTC = datetime.UTC
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
ZONES = ("Europe/Madrid", "America/Mexico_City", "America/New_York")
#: Minutes the reference walks from each start (ten days).
HORIZON = 10 * 24 * 60
MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")

Hours = tuple[tuple[tuple[int, int], ...], ...]


def _transitions(zone_name: str, years: range) -> list[datetime.datetime]:
    """The UTC hours at which the zone's offset changed in ``years`` (found day by day,
    then hour by hour), independently of the code under test."""
    zone = ZoneInfo(zone_name)

    def offset(moment: datetime.datetime) -> datetime.timedelta | None:
        return moment.astimezone(zone).utcoffset()

    found = []
    day = datetime.datetime(years.start, 1, 1, tzinfo=UTC)
    while day.year < years.stop:
        following = day + datetime.timedelta(days=1)
        if offset(day) != offset(following):
            hour = day
            while offset(hour) == offset(day):
                hour += HOUR
            found.append(hour)
        day = following
    return found


#: Madrid and New York change twice a year; Mexico City until 2022.
TRANSITIONS = {zone: _transitions(zone, range(2018, 2026)) for zone in ZONES}


# --- the brute-force reference ------------------------------------------------------


def reference_flags(
    zone: ZoneInfo,
    hours: Hours,
    holidays: frozenset[datetime.date],
    start: datetime.datetime,
    minutes: int = HORIZON,
) -> list[bool]:
    """Whether each real minute from ``start`` (UTC, minute-aligned) is working time.
    The three zones' offsets are whole hours, so a minute is worked whole or not."""
    flags = []
    moment = start
    for _minute in range(minutes):
        local = moment.astimezone(zone)
        of_day = local.hour * 60 + local.minute
        flags.append(
            local.date() not in holidays and any(a <= of_day < b for a, b in hours[local.weekday()])
        )
        moment += MINUTE
    return flags


def reference_due(flags: Sequence[bool], begin: int, worked: int) -> int | None:
    """The minute index at which ``worked`` working minutes after ``begin`` have passed
    (None beyond the horizon)."""
    if worked <= 0:
        return begin
    count = 0
    for index in range(begin, len(flags)):
        count += flags[index]
        if count == worked:
            return index + 1
    return None


# --- strategies ---------------------------------------------------------------------


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """A day off, or 1–3 intervals on quarter hours (often over the small hours,
    where the clocks change)."""
    if draw(st.integers(0, 4)) == 0:
        return ()
    count = draw(st.integers(1, 3))
    points = draw(
        st.lists(
            st.integers(0, 96).map(lambda quarter: quarter * 15),
            min_size=2 * count,
            max_size=2 * count,
            unique=True,
        )
    )
    points.sort()
    return tuple((points[i], points[i + 1]) for i in range(0, len(points), 2))


@dataclass(frozen=True)
class Scenario:
    calendar: Calendar
    start: datetime.datetime
    flags: list[bool]

    def at(self, minute: int) -> datetime.datetime:
        return self.start + minute * MINUTE


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone_name = draw(st.sampled_from(ZONES))
    hours = tuple(draw(st.lists(day_hours(), min_size=7, max_size=7).filter(any)))
    near_change = draw(st.booleans())
    if near_change:
        change = draw(st.sampled_from(TRANSITIONS[zone_name]))
        start = change + draw(st.integers(-3 * 24 * 60, 2 * 24 * 60)) * MINUTE
    else:
        epoch = datetime.datetime(2018, 1, 1, tzinfo=UTC)
        start = epoch + draw(st.integers(0, 8 * 365 * 24 * 60)) * MINUTE
    first_day = start.astimezone(ZoneInfo(zone_name)).date()
    holidays = frozenset(
        first_day + datetime.timedelta(days=offset)
        for offset in draw(st.lists(st.integers(-2, 12), max_size=5))
    )
    calendar = Calendar(zone_name, hours, holidays)
    flags = reference_flags(ZoneInfo(zone_name), hours, holidays, start)
    assume(sum(flags) > 0)
    return Scenario(calendar, start, flags)


# --- properties -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_due_time_and_business_time_match_the_minute_walk(
    scenario: Scenario, data: st.DataObject
) -> None:
    flags = scenario.flags
    worked = list(accumulate(flags, initial=0))
    target = data.draw(st.integers(1, worked[-1]), label="target minutes")
    expected = reference_due(flags, 0, target)
    assert expected is not None
    due = add_business_time(scenario.calendar, scenario.start, target * MINUTE)
    assert due == scenario.at(expected)
    assert business_time_between(scenario.calendar, scenario.start, due) == target * MINUTE

    low = data.draw(st.integers(0, HORIZON), label="from minute")
    high = data.draw(st.integers(low, HORIZON), label="to minute")
    assert business_time_between(scenario.calendar, scenario.at(low), scenario.at(high)) == (
        (worked[high] - worked[low]) * MINUTE
    )

    # A clock running from the start is breached exactly from its due time on.
    clock = SlaClock.start(target * MINUTE, scenario.start)
    assert clock.due_at(scenario.calendar) == due
    assert clock.state(scenario.calendar, due) == "breached"
    assert clock.state(scenario.calendar, due - MINUTE) in {"ok", "warning"}


@st.composite
def pause_sequences(draw: st.DrawFn) -> tuple[list[int], bool]:
    """Minutes (increasing, within the first week) at which the clock is paused,
    resumed, paused… and whether the last one stops it instead."""
    moments = draw(st.lists(st.integers(1, 7 * 24 * 60), max_size=6, unique=True))
    return sorted(moments), draw(st.booleans())


@settings(max_examples=50, deadline=None)
@given(scenario=scenarios(), sequence=pause_sequences(), data=st.data())
def test_clock_with_pauses_matches_the_minute_walk(
    scenario: Scenario, sequence: tuple[list[int], bool], data: st.DataObject
) -> None:
    calendar, flags = scenario.calendar, scenario.flags
    moments, stop_last = sequence
    stop_last = stop_last and bool(moments)
    target = data.draw(st.integers(1, max(1, sum(flags) // 2)), label="target minutes")
    clock = SlaClock.start(target * MINUTE, scenario.start)
    running = [True] * HORIZON  # the reference: which minutes the clock runs in
    for number, minute in enumerate(moments):
        pausing = number % 2 == 0
        if stop_last and number == len(moments) - 1:
            clock = clock.stop(calendar, scenario.at(minute))
            pausing = True
        elif pausing:
            clock = clock.pause(calendar, scenario.at(minute))
        else:
            clock = clock.resume(scenario.at(minute))
        running[minute:] = [not pausing] * (HORIZON - minute)

    now = data.draw(st.integers(moments[-1] if moments else 0, HORIZON), label="now minute")
    elapsed = sum(1 for i in range(now) if flags[i] and running[i])
    assert clock.elapsed(calendar, scenario.at(now)) == elapsed * MINUTE
    assert clock.running == running[-1]

    if stop_last:
        expected_state = "breached" if elapsed >= target else "met"
    elif elapsed >= target:
        expected_state = "breached"
    elif not running[-1]:
        expected_state = "paused"
    else:
        expected_state = "warning" if elapsed >= 0.8 * target else "ok"
    assert clock.state(calendar, scenario.at(now)) == expected_state

    if not running[-1]:
        assert clock.due_at(calendar) is None
        return
    resumed = moments[-1] if moments else 0
    before = sum(1 for i in range(resumed) if flags[i] and running[i])
    expected_due = reference_due(flags, resumed, target - before)
    assume(expected_due is not None)
    assert clock.due_at(calendar) == scenario.at(expected_due or 0)


# --- worked examples ---------------------------------------------------------------------

#: Monday to Thursday 9–14 and 16–19, Friday 8–15 (the benchmark's Spanish calendar).
SPANISH_HOURS = [[(540, 840), (960, 1140)]] * 4 + [[(480, 900)], [], []]
#: Monday to Friday 9–14 and 16–19.
SPLIT_DAY_HOURS = [[(540, 840), (960, 1140)]] * 5 + [[], []]


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=zone)


def madrid(year: int, month: int, day: int, *time: int) -> datetime.datetime:
    return local(MADRID, year, month, day, *time)


def test_friday_evening_plus_two_hours_is_monday_morning() -> None:
    calendar = Calendar.of("Europe/Madrid", SPLIT_DAY_HOURS)
    # 2026-11-27 is a Friday: half an hour left that day, 1.5 h on Monday.
    due = add_business_time(calendar, madrid(2026, 11, 27, 18, 30), 2 * HOUR)
    assert due == madrid(2026, 11, 30, 10, 30)
    assert due.tzinfo == UTC
    # On the Spanish calendar Friday ends at 15:00.
    spanish = Calendar.of("Europe/Madrid", SPANISH_HOURS)
    assert add_business_time(spanish, madrid(2026, 11, 27, 14, 30), 2 * HOUR) == madrid(
        2026, 11, 30, 10, 30
    )
    assert add_business_time(spanish, madrid(2026, 11, 26, 18, 0), 2 * HOUR) == madrid(
        2026, 11, 27, 9, 0
    )


def test_a_due_time_ends_in_working_time_and_zero_is_the_start() -> None:
    calendar = Calendar.of("Europe/Madrid", SPLIT_DAY_HOURS)
    friday = madrid(2026, 11, 27, 18, 30)
    assert add_business_time(calendar, friday, 30 * MINUTE) == madrid(2026, 11, 27, 19, 0)
    saturday = madrid(2026, 11, 28, 12, 0)
    assert add_business_time(calendar, saturday, datetime.timedelta(0)) == saturday
    assert add_business_time(calendar, saturday, MINUTE) == madrid(2026, 11, 30, 9, 1)
    # The lunch break: 13:59:30 plus a minute is 16:00:30; seconds are kept.
    assert add_business_time(calendar, madrid(2026, 11, 30, 13, 59, 30), MINUTE) == madrid(
        2026, 11, 30, 16, 0, 30
    )


def test_christmas_and_madrid_holidays_are_skipped() -> None:
    days_off = holiday_dates("ES", "MD", [2026, 2027], ["2026-12-24"])
    assert datetime.date(2026, 12, 25) in days_off  # national
    assert datetime.date(2026, 5, 2) in days_off  # Madrid's own
    assert datetime.date(2026, 12, 24) in days_off  # the company's
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS, days_off)
    # Wednesday 23rd at 18:00: one hour that day; 24th and 25th off; Monday 28th.
    due = add_business_time(calendar, madrid(2026, 12, 23, 18, 0), 3 * HOUR)
    assert due == madrid(2026, 12, 28, 11, 0)
    # That week: Monday to Wednesday, 8 h each; Thursday and Friday off.
    week = business_time_between(calendar, madrid(2026, 12, 21), madrid(2026, 12, 28))
    assert week == 24 * HOUR


def test_daylight_saving_changes_in_new_york() -> None:
    night = [[(0, 360)]] * 7  # 00:00–06:00 every day
    calendar = Calendar.of("America/New_York", night)

    def new_york(year: int, month: int, day: int, *time: int) -> datetime.datetime:
        return local(NEW_YORK, year, month, day, *time)

    # 2026-03-08: 02:00–03:00 does not exist, so that night has five working hours.
    assert business_time_between(
        calendar, new_york(2026, 3, 8, 0, 0), new_york(2026, 3, 8, 12, 0)
    ) == (5 * HOUR)
    assert add_business_time(calendar, new_york(2026, 3, 8, 1, 30), HOUR) == new_york(
        2026, 3, 8, 3, 30
    )
    # 2026-11-01: 01:00–02:00 happens twice and is worked twice: seven hours.
    assert business_time_between(
        calendar, new_york(2026, 11, 1, 0, 0), new_york(2026, 11, 1, 12, 0)
    ) == (7 * HOUR)
    due = add_business_time(calendar, new_york(2026, 11, 1, 0, 0), 3 * HOUR)
    assert due == datetime.datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # 02:00 EST


def test_business_time_is_zero_backwards() -> None:
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS)
    later, earlier = madrid(2026, 11, 30, 12, 0), madrid(2026, 11, 30, 10, 0)
    assert business_time_between(calendar, later, earlier) == datetime.timedelta(0)
    assert business_time_between(calendar, earlier, later) == 2 * HOUR


def test_a_long_target_crosses_many_chunks() -> None:
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS)
    start = madrid(2026, 1, 5, 9, 0)  # a Monday
    year_of_work = 39 * HOUR * 52  # 8 h × 4 + 7 h a week, 52 weeks
    due = add_business_time(calendar, start, year_of_work)
    assert due == madrid(2027, 1, 1, 15, 0)  # the Friday closing week 52
    assert business_time_between(calendar, start, due) == year_of_work


def test_the_clock_pauses_resumes_and_stops() -> None:
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS)
    monday = madrid(2026, 11, 30, 9, 0)
    clock = SlaClock.start(4 * HOUR, monday)
    assert clock.due_at(calendar) == madrid(2026, 11, 30, 13, 0)
    assert clock.state(calendar, madrid(2026, 11, 30, 10, 0)) == "ok"
    paused = clock.pause(calendar, madrid(2026, 11, 30, 11, 0))
    assert paused.elapsed_before == 2 * HOUR
    assert paused.due_at(calendar) is None
    assert paused.state(calendar, madrid(2026, 12, 10)) == "paused"
    assert paused.pause(calendar, madrid(2026, 11, 30, 12, 0)) == paused  # no-op
    resumed = paused.resume(madrid(2026, 12, 1, 9, 0))
    assert resumed.due_at(calendar) == madrid(2026, 12, 1, 11, 0)
    assert resumed.state(calendar, madrid(2026, 12, 1, 10, 0)) == "ok"
    assert resumed.state(calendar, madrid(2026, 12, 1, 10, 30)) == "warning"
    assert resumed.state(calendar, madrid(2026, 12, 1, 10, 30), warn_ratio=0.9) == "ok"
    assert resumed.state(calendar, madrid(2026, 12, 1, 11, 0)) == "breached"
    assert resumed.remaining(calendar, madrid(2026, 12, 1, 10, 0)) == HOUR

    met = resumed.stop(calendar, madrid(2026, 12, 1, 10, 59))
    assert met.state(calendar, madrid(2026, 12, 9)) == "met"
    assert met.due_at(calendar) is None
    assert met.stop(calendar, madrid(2026, 12, 2)) == met
    at_due = resumed.stop(calendar, madrid(2026, 12, 1, 11, 0))
    assert at_due.state(calendar, madrid(2026, 12, 9)) == "breached"
    # Reopened: runs on from 1 h 59 min; the target was not reached.
    reopened = met.resume(madrid(2026, 12, 2, 9, 0))
    assert reopened.stopped_at is None
    assert reopened.due_at(calendar) == madrid(2026, 12, 2, 9, 1)


def test_a_clock_breached_before_a_pause_stays_breached() -> None:
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS)
    clock = SlaClock.start(HOUR, madrid(2026, 11, 30, 9, 0))
    paused = clock.pause(calendar, madrid(2026, 11, 30, 12, 0))
    assert paused.state(calendar, madrid(2026, 11, 30, 12, 0)) == "breached"
    resumed = paused.resume(madrid(2026, 11, 30, 16, 0))
    assert resumed.due_at(calendar) == madrid(2026, 11, 30, 16, 0)
    assert resumed.state(calendar, madrid(2026, 11, 30, 16, 30)) == "breached"


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "hours", "message"),
    [
        ("Mars/Olympus", SPANISH_HOURS, "Unknown time zone “Mars/Olympus”."),
        ("", SPANISH_HOURS, "Unknown time zone “”."),
        ("Europe/Madrid", [[]] * 7, "The calendar has no working time: add working hours."),
        ("Europe/Madrid", SPANISH_HOURS[:5], "Working hours need seven days, Monday first."),
        (
            "Europe/Madrid",
            [[(600, 540)], *SPANISH_HOURS[1:]],
            "Monday: 10:00–09:00 is not a working interval",
        ),
        (
            "Europe/Madrid",
            [[(540, 1500)], *SPANISH_HOURS[1:]],
            "Monday: 09:00–25:00 is not a working interval",
        ),
        (
            "Europe/Madrid",
            [*SPANISH_HOURS[:2], [(540, 840), (780, 900)], *SPANISH_HOURS[3:]],
            "Wednesday: the working intervals 09:00–14:00 and 13:00–15:00 overlap.",
        ),
        ("Europe/Madrid", [[540, 840]] * 7, "Monday: each working interval is a start and"),
        ("Europe/Madrid", [540, 840] * 7, "Working hours need seven days, Monday first."),
        (
            "Europe/Madrid",
            [[(540,)], *SPANISH_HOURS[1:]],
            "Monday: each working interval is a start and an end in minutes.",
        ),
    ],
)
def test_a_bad_calendar_is_refused_clearly(
    time_zone: str, hours: list[list[tuple[int, ...]]], message: str
) -> None:
    with pytest.raises(CalendarError) as caught:
        Calendar.of(time_zone, hours)
    assert str(caught.value).startswith(message)


def test_calendar_errors_speak_spanish() -> None:
    with pytest.raises(CalendarError) as caught:
        Calendar.of("Europe/Madrid", [[(540, 840), (600, 700)], *SPANISH_HOURS[1:]])
    with translation.override("es"):
        assert str(caught.value) == (
            "lunes: los intervalos de trabajo 09:00–14:00 y 10:00–11:40 se solapan."
        )


def test_touching_intervals_are_fine_and_calendars_compare_by_value() -> None:
    touching = Calendar.of("Europe/Madrid", [[(840, 960), (540, 840)]] * 5 + [[], []])
    assert touching.hours[0] == ((540, 840), (840, 960))
    same = Calendar("Europe/Madrid", ((((540, 840), (840, 960)),) * 5) + ((), ()))
    add_business_time(touching, madrid(2026, 11, 30, 9, 0), HOUR)  # fills its cache
    assert touching == same
    assert hash(touching) == hash(same)
    assert add_business_time(touching, madrid(2026, 11, 30, 13, 0), 2 * HOUR) == madrid(
        2026, 11, 30, 15, 0
    )


def test_a_calendar_of_holidays_only_gives_up_instead_of_looping() -> None:
    first = datetime.date(2026, 1, 1)
    every_day = {first + datetime.timedelta(days=n) for n in range(4 * 366)}
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS, every_day)
    with pytest.raises(CalendarError, match="no working time in the three years"):
        add_business_time(calendar, madrid(2026, 3, 2, 9, 0), HOUR)
    # Two years of holidays are only a long wait.
    two_years = {first + datetime.timedelta(days=n) for n in range(2 * 365)}
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS, two_years)
    assert add_business_time(calendar, madrid(2026, 3, 2, 9, 0), HOUR) == madrid(2028, 1, 3, 10, 0)


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    calendar = Calendar.of("Europe/Madrid", SPANISH_HOURS)
    naive = datetime.datetime(2026, 11, 30, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        add_business_time(calendar, naive, HOUR)
    with pytest.raises(ValueError, match="aware"):
        business_time_between(calendar, madrid(2026, 11, 30), naive)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(calendar, madrid(2026, 11, 30), -HOUR)
    with pytest.raises(ValueError, match="aware"):
        SlaClock.start(HOUR, naive)


@pytest.mark.parametrize(
    ("country", "region", "years", "extra", "message"),
    [
        ("XX", "", [2026], [], "There are no public holidays for the country “XX”."),
        ("ES", "ZZ", [2026], [], "“ZZ” is not a region of ES for holidays; its regions are: AN,"),
        ("", "MD", [2026], [], "Choose the country of the region MD."),
        ("ES", "MD", [1969], [], "Holidays are known for the years 1970–2100, not 1969."),
        ("ES", "MD", [2101], [], "Holidays are known for the years 1970–2100, not 2101."),
        ("ES", "", [2026], ["2101-01-01"], "The day off 2101-01-01 is outside the years"),
        ("ES", "", [2026], ["31/12/2026"], "“31/12/2026” is not a date (YYYY-MM-DD)."),
    ],
)
def test_bad_holidays_are_refused_clearly(
    country: str, region: str, years: list[int], extra: list[str], message: str
) -> None:
    with pytest.raises(CalendarError) as caught:
        holiday_dates(country, region, years, extra)
    assert str(caught.value).startswith(message)


def test_holidays_by_country_and_region() -> None:
    national = holiday_dates("ES", "", [2026])
    madrid_days = holiday_dates("es", "md", [2026])  # codes in any case
    assert datetime.date(2026, 5, 2) in madrid_days
    assert datetime.date(2026, 5, 2) not in national
    assert national < madrid_days
    assert holiday_dates("", "", [2026], [datetime.date(2026, 8, 14)]) == {
        datetime.date(2026, 8, 14)
    }
    new_york = holiday_dates("US", "NY", range(2025, 2027))
    assert datetime.date(2025, 11, 27) in new_york  # Thanksgiving
    assert datetime.date(2026, 7, 3) in new_york  # the 4th is a Saturday: observed
