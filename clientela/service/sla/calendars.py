"""Business calendars and the arithmetic of working time on them, without a database.

A real instant is working time when its wall-clock time in the calendar's zone falls in
one of that local weekday's intervals and its local date is not a holiday. Through a
daylight-saving change this means: a skipped hour simply does not exist (nothing is
worked in it), and a repeated hour is worked twice when it lies in an interval (one
real hour for each pass of the wall clock).

Speed comes from never walking time: a calendar turns each stretch of 28 days (a
*chunk*, fixed in UTC) into the sorted real intervals worked in it, with their running
totals, once; after that a due time or a duration is two binary searches. The offsets
of the zone come from sampling it hourly (zoneinfo has no public list of transitions)
and are shared by every calendar in that zone.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import zoneinfo
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from django.utils.dates import WEEKDAYS
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Local minutes in a day: an interval ends at 1440 at the latest (midnight).
DAY_MINUTES = 24 * 60
_DAY = 86_400
_US = 1_000_000
_CHUNK_DAYS = 28
_CHUNK_SECONDS = _CHUNK_DAYS * _DAY
_CHUNK_US = _CHUNK_SECONDS * _US
#: "~3 years": consecutive chunks without working time before a due time is given up.
_EMPTY_CHUNKS_LIMIT = (3 * 366) // _CHUNK_DAYS + 1
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_ONE_US = datetime.timedelta(microseconds=1)
#: The chunks one can count in (years 1900–9998), so a zone's offsets always exist.
_FIRST_CHUNK = (datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC) - _EPOCH) // (
    datetime.timedelta(days=_CHUNK_DAYS)
)
_LAST_CHUNK = (datetime.datetime(9998, 12, 1, tzinfo=datetime.UTC) - _EPOCH) // (
    datetime.timedelta(days=_CHUNK_DAYS)
)

Interval = tuple[int, int]
DayHours = tuple[Interval, ...]
WeekHours = tuple[DayHours, ...]


class CalendarError(ValueError):
    """A calendar that cannot be used, or a search that found no working time.

    ``message`` is lazily translated and formatted with ``params`` when shown, so a form
    can re-raise it as ``ValidationError(error.message, params=error.params)`` and the
    reader sees it in her own language."""

    def __init__(self, message: Promise | str, params: dict[str, Any] | None = None) -> None:
        self.message = message
        self.params = params or {}
        super().__init__(message, self.params)

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _clean_day(weekday: int, intervals: Iterable[Sequence[int]]) -> DayHours:
    """One day's intervals as sorted ``(start, end)`` minute pairs, or a CalendarError."""
    cleaned: list[Interval] = []
    for interval in intervals:
        if (
            not isinstance(interval, Sequence)
            or len(interval) != 2
            or not all(isinstance(m, int) and not isinstance(m, bool) for m in interval)
        ):
            raise CalendarError(
                _("%(day)s: each working interval is a start and an end in minutes."),
                {"day": WEEKDAYS[weekday]},
            )
        start, end = interval
        if not 0 <= start < end <= DAY_MINUTES:
            raise CalendarError(
                _(
                    "%(day)s: %(start)s–%(end)s is not a working interval (it must start "
                    "before it ends, between 00:00 and 24:00)."
                ),
                {"day": WEEKDAYS[weekday], "start": _hhmm(start), "end": _hhmm(end)},
            )
        cleaned.append((start, end))
    cleaned.sort()
    for (start1, end1), (start2, end2) in itertools.pairwise(cleaned):
        if start2 < end1:
            raise CalendarError(
                _("%(day)s: the working intervals %(first)s and %(second)s overlap."),
                {
                    "day": WEEKDAYS[weekday],
                    "first": f"{_hhmm(start1)}–{_hhmm(end1)}",
                    "second": f"{_hhmm(start2)}–{_hhmm(end2)}",
                },
            )
    return tuple(cleaned)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise CalendarError(_("Unknown time zone “%(zone)s”."), {"zone": name}) from None


class _Chunk(NamedTuple):
    """The real intervals worked in one chunk, in µs since the epoch, with the working
    time before each one starts and after it ends (from the chunk's start)."""

    starts: list[int]
    ends: list[int]
    before: list[int]
    after: list[int]
    total: int

    def position(self, at: int) -> int:
        """Working µs in this chunk before the instant ``at`` (which lies in it)."""
        index = bisect_right(self.starts, at) - 1
        if index < 0:
            return 0
        return self.before[index] + min(at, self.ends[index]) - self.starts[index]


@dataclass(frozen=True)
class Calendar:
    """When work happens: ``hours`` holds seven days, Monday first, each a tuple of
    ``(start, end)`` local minutes (0–1440, sorted, not overlapping; touching is fine);
    ``holidays`` the local dates without working time. ``Calendar.of`` takes the lists
    a JSON field holds. An unknown zone, a bad interval or no working time at all
    raises ``CalendarError``."""

    time_zone: str
    hours: WeekHours
    holidays: frozenset[datetime.date] = frozenset()
    # Derived, so outside equality and the hash: the intervals in seconds, and the
    # chunks worked out so far (a cache that only grows, a few KB a chunk).
    _seconds: WeekHours = field(default=(), init=False, repr=False, compare=False, hash=False)
    _chunks: dict[int, _Chunk] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def of(
        cls,
        time_zone: str,
        hours: Sequence[Sequence[Sequence[int]]],
        holidays: Iterable[datetime.date] = (),
    ) -> Calendar:
        # __post_init__ checks and normalises the lists into WeekHours.
        return cls(time_zone, cast(WeekHours, hours), frozenset(holidays))

    def __post_init__(self) -> None:
        _zone(self.time_zone)
        if (
            not isinstance(self.hours, Sequence)
            or len(self.hours) != 7
            or not all(isinstance(day, Sequence) for day in self.hours)
        ):
            raise CalendarError(_("Working hours need seven days, Monday first."))
        week = tuple(_clean_day(day, intervals) for day, intervals in enumerate(self.hours))
        if not any(week):
            raise CalendarError(_("The calendar has no working time: add working hours."))
        # Normalised (sorted tuples) so that equal calendars compare and hash equal.
        object.__setattr__(self, "hours", week)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(
            self, "_seconds", tuple(tuple((a * 60, b * 60) for a, b in day) for day in week)
        )

    # --- chunks ---------------------------------------------------------------------

    def _chunk(self, number: int) -> _Chunk:
        chunk = self._chunks.get(number)
        if chunk is None:
            chunk = self._chunks[number] = self._build_chunk(number)
        return chunk

    def _build_chunk(self, number: int) -> _Chunk:
        if not _FIRST_CHUNK <= number <= _LAST_CHUNK:
            raise CalendarError(_("Working time is counted between the years 1900 and 9998."))
        seconds = self._seconds
        starts: list[int] = []
        ends: list[int] = []
        # In each stretch of constant offset, local time is real time + offset: the
        # local intervals met there, shifted back, are the real ones, in order.
        for begin, end, offset in zone_segments(self.time_zone, number):
            local_begin, local_end = begin + offset, end + offset
            for day in range(local_begin // _DAY, (local_end - 1) // _DAY + 1):
                if datetime.date.fromordinal(_EPOCH_ORDINAL + day) in self.holidays:
                    continue
                midnight = day * _DAY
                for start_s, end_s in seconds[(day + 3) % 7]:  # 1970-01-01 was a Thursday
                    low = max(midnight + start_s, local_begin) - offset
                    high = min(midnight + end_s, local_end) - offset
                    if low >= high:
                        continue
                    if ends and ends[-1] == low:
                        ends[-1] = high
                    else:
                        starts.append(low)
                        ends.append(high)
        before: list[int] = []
        after: list[int] = []
        total = 0
        for low, high in zip(starts, ends, strict=True):
            before.append(total)
            total += (high - low) * _US
            after.append(total)
        return _Chunk([s * _US for s in starts], [e * _US for e in ends], before, after, total)


@functools.lru_cache(maxsize=4096)
def zone_segments(time_zone: str, number: int) -> tuple[tuple[int, int, int], ...]:
    """Chunk ``number`` of UTC cut where the zone's offset changes: ``(begin, end,
    offset)`` in seconds since the epoch. Sampled hourly, each change then found to the
    second by bisection (no zone changes its offset twice within an hour)."""
    zone = _zone(time_zone)

    def offset_at(second: int) -> int:
        moment = datetime.datetime.fromtimestamp(second, zone)
        return int(moment.utcoffset().total_seconds())  # type: ignore[union-attr]

    begin = number * _CHUNK_SECONDS
    end = begin + _CHUNK_SECONDS
    segments: list[tuple[int, int, int]] = []
    segment_begin, offset = begin, offset_at(begin)
    previous = begin
    for sample in [*range(begin + 3600, end, 3600), end - 1]:
        if offset_at(sample) != offset:
            low, high = previous, sample  # offset(low) == offset, offset(high) differs
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset_at(middle) == offset else (low, middle)
            segments.append((segment_begin, high, offset))
            segment_begin, offset = high, offset_at(high)
        previous = sample
    segments.append((segment_begin, end, offset))
    return tuple(segments)


# --- the arithmetic --------------------------------------------------------------------


def _micros(moment: datetime.datetime, name: str) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {moment!r}")
    return (moment - _EPOCH) // _ONE_US


def add_business_time(
    calendar: Calendar, start: datetime.datetime, duration: datetime.timedelta
) -> datetime.datetime:
    """The due time: the earliest instant by which ``duration`` of working time has
    passed since ``start``, in UTC.

    So a positive duration ends inside a working interval or at its end (Friday 18:30
    plus 30 minutes is Friday 19:00, not Monday morning), and a zero duration gives
    ``start`` itself; ``business_time_between(start, due)`` is ``duration``. Raises
    ``CalendarError`` when about three years pass without any working time (a
    calendar whose days are all holidays), ``ValueError`` for a naive ``start`` or a
    negative duration."""
    at = _micros(start, "start")
    remaining = duration // _ONE_US
    if remaining < 0:
        raise ValueError(f"duration must not be negative, not {duration!r}")
    if remaining == 0:
        return start.astimezone(datetime.UTC)
    number = at // _CHUNK_US
    chunk = calendar._chunk(number)
    target = chunk.position(at) + remaining  # working µs from the chunk's start
    empty = 0
    while target > chunk.total:
        empty = empty + 1 if chunk.total == 0 else 0
        if empty > _EMPTY_CHUNKS_LIMIT:
            raise CalendarError(
                _("The calendar has no working time in the three years after %(date)s."),
                {"date": start.date().isoformat()},
            )
        target -= chunk.total
        number += 1
        chunk = calendar._chunk(number)
    index = bisect_left(chunk.after, target)
    due = chunk.starts[index] + target - chunk.before[index]
    return _EPOCH + datetime.timedelta(microseconds=due)


def business_time_between(
    calendar: Calendar, start: datetime.datetime, end: datetime.datetime
) -> datetime.timedelta:
    """The working time in ``[start, end)``; zero when ``end`` is not after ``start``."""
    low, high = _micros(start, "start"), _micros(end, "end")
    if high <= low:
        return datetime.timedelta(0)
    first, last = low // _CHUNK_US, high // _CHUNK_US
    worked = calendar._chunk(last).position(high) - calendar._chunk(first).position(low)
    for number in range(first, last):
        worked += calendar._chunk(number).total
    return datetime.timedelta(microseconds=worked)
