"""The SLA clock: business time towards a target, which pauses, resumes and stops.

Pure: the ticket services keep its fields on the ticket (``sla_elapsed`` in seconds,
``sla_running_since``) and ask it for the due time and the state. One clock per
target: first response and resolution are two clocks over the same runs.

States, at an instant ``now``:

* running: ``"breached"`` from the due time on (the due time is the first instant at
  which the elapsed business time reaches the target), ``"warning"`` once it reaches
  ``warn_ratio`` of the target, ``"ok"`` before;
* paused: ``"paused"``, unless the target was already used up (``"breached"`` wins);
* stopped: ``"met"`` when the business time at the stop is below the target,
  ``"breached"`` when it reached it. An answer at the due instant itself is late,
  consistently with the running clock; so is one given after it in off-hours (the
  business time stands at the target all night, and the promise was the due time).

A stopped clock is a paused one with the time of its stop: ``resume`` reopens it
(a solved ticket the customer answers) and the business time goes on from where it
stood; ``pause`` reopens it paused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Literal

from clientela.service.sla.calendars import (
    DAY_MINUTES,
    Calendar,
    CalendarError,
    add_business_time,
    business_time_between,
)
from clientela.service.sla.public_holidays import holiday_dates

__all__ = [
    "DAY_MINUTES",
    "Calendar",
    "CalendarError",
    "SlaClock",
    "SlaStateName",
    "add_business_time",
    "business_time_between",
    "holiday_dates",
]

SlaStateName = Literal["ok", "warning", "breached", "paused", "met"]
_ZERO = datetime.timedelta(0)


def _aware(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {moment!r}")
    return moment


@dataclass(frozen=True)
class SlaClock:
    """``target`` of business time; ``elapsed_before`` is the business time of the runs
    before the current one; ``running_since`` the start of the current run (None while
    paused or stopped); ``stopped_at`` when it was stopped (None otherwise)."""

    target: datetime.timedelta
    elapsed_before: datetime.timedelta = _ZERO
    running_since: datetime.datetime | None = None
    stopped_at: datetime.datetime | None = None

    def __post_init__(self) -> None:
        if self.target < _ZERO or self.elapsed_before < _ZERO:
            raise ValueError("an SLA clock's target and elapsed time cannot be negative")
        if self.running_since is not None and self.stopped_at is not None:
            raise ValueError("an SLA clock cannot be running and stopped at once")
        for name in ("running_since", "stopped_at"):
            moment = getattr(self, name)
            if moment is not None:
                _aware(moment, name)

    @classmethod
    def start(cls, target: datetime.timedelta, at: datetime.datetime) -> SlaClock:
        """A clock running from ``at`` with nothing elapsed."""
        return cls(target=target, running_since=_aware(at, "at"))

    @property
    def running(self) -> bool:
        return self.running_since is not None

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    # --- transitions (each returns a new clock; repeating one changes nothing) ----------

    def pause(self, calendar: Calendar, at: datetime.datetime) -> SlaClock:
        """Paused at ``at``: the run's business time is added to ``elapsed_before``.
        (The calendar is needed because that is when the run is counted.)"""
        _aware(at, "at")
        if self.running_since is None:
            return replace(self, stopped_at=None)
        return replace(self, elapsed_before=self.elapsed(calendar, at), running_since=None)

    def resume(self, at: datetime.datetime) -> SlaClock:
        """Running again from ``at`` (a stopped clock is reopened)."""
        _aware(at, "at")
        if self.running_since is not None:
            return self
        return replace(self, running_since=at, stopped_at=None)

    def stop(self, calendar: Calendar, at: datetime.datetime) -> SlaClock:
        """Stopped at ``at`` (the target met or not for good, until a reopening)."""
        _aware(at, "at")
        if self.stopped_at is not None:
            return self
        return replace(self.pause(calendar, at), stopped_at=at)

    # --- readings -----------------------------------------------------------------------

    def elapsed(self, calendar: Calendar, now: datetime.datetime) -> datetime.timedelta:
        """Business time counted by ``now`` (the current run up to ``now``)."""
        if self.running_since is None:
            return self.elapsed_before
        return self.elapsed_before + business_time_between(calendar, self.running_since, now)

    def remaining(self, calendar: Calendar, now: datetime.datetime) -> datetime.timedelta:
        """Business time left before the target is reached (negative never: zero)."""
        return max(self.target - self.elapsed(calendar, now), _ZERO)

    def due_at(self, calendar: Calendar) -> datetime.datetime | None:
        """When the target is reached if the clock keeps running, in UTC; None while
        paused or stopped. Worked out from the current run's start and what was left
        at it, so a resumed clock gets a new due time. When the target was used up in
        an earlier run, the due time is the current run's start (the clock is breached
        all through this run)."""
        if self.running_since is None:
            return None
        left = max(self.target - self.elapsed_before, _ZERO)
        return add_business_time(calendar, self.running_since, left)

    def state(
        self, calendar: Calendar, now: datetime.datetime, warn_ratio: float = 0.8
    ) -> SlaStateName:
        """ok / warning / breached / paused / met at ``now`` (see the module's doc)."""
        if not 0 < warn_ratio <= 1:
            raise ValueError(f"warn_ratio must be in (0, 1], not {warn_ratio!r}")
        elapsed = self.elapsed(calendar, _aware(now, "now"))
        if elapsed >= self.target:
            return "breached"
        if self.stopped_at is not None:
            return "met"
        if self.running_since is None:
            return "paused"
        return "warning" if elapsed >= self.target * warn_ratio else "ok"
