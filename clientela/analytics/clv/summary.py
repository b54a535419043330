"""From a purchase history to the few numbers per customer that the models read.

Both models see a customer only through a summary of the calibration period (the
history up to ``calibration_end``, the "as of" date):

* ``frequency`` x: repeat purchases, i.e. purchase *days* after the first one. Several
  purchases on one day count as one, as in the published analyses (a customer who
  buys two CDs in two orders on a Saturday made one trip to the shop);
* ``recency`` t_x: the time from the first purchase to the last (0 for one-time buyers);
* ``T``: the time from the first purchase to ``calibration_end``, how long we have been
  able to watch the customer;
* ``monetary`` m_x: the average value of the repeat purchases (a day's purchases
  added up), 0 for one-time buyers. The first purchase is left out, as in Fader, Hardie
  & Lee's Gamma-Gamma analyses: it is often atypical (a welcome offer, a big first
  basket) and the spend model is about what a returning customer spends.

Times are counted in whole days and expressed in ``time_unit`` (weeks in the papers).
With ``observation_end`` the summary also counts what happened after the calibration
period (``holdout_frequency`` and ``holdout_revenue``), to compare with a forecast.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from clientela.analytics.clv.errors import BadHistory

FloatArray = npt.NDArray[np.float64]
K = TypeVar("K")

#: Days in each time unit the models can count in (a month is a twelfth of a year).
DAYS_PER_UNIT: dict[str, float] = {
    "days": 1.0,
    "weeks": 7.0,
    "months": 365.25 / 12,
    "years": 365.25,
}

#: What one transaction may be: (customer, day or moment, amount).
Transaction = tuple[K, datetime.date, Decimal | float | int]


def units(days: float, time_unit: str) -> float:
    """``days`` expressed in ``time_unit``: ``units(90, "weeks")`` is 12.857."""
    return days / _days_per_unit(time_unit)


def _days_per_unit(time_unit: str) -> float:
    try:
        return DAYS_PER_UNIT[time_unit]
    except KeyError:
        raise BadHistory(
            _("Unknown time unit %(unit)s; use days, weeks, months or years.")
            % {"unit": repr(time_unit)}
        ) from None


def _column(values: npt.ArrayLike, name: str) -> FloatArray:
    column = np.asarray(values, dtype=np.float64)
    if column.ndim != 1:
        raise BadHistory(_("%(name)s must be a list of numbers.") % {"name": name})
    if not np.all(np.isfinite(column)):
        raise BadHistory(_("%(name)s holds a value that is not a number.") % {"name": name})
    return column


@dataclass(frozen=True, eq=False)
class Summary(Generic[K]):
    """One row per customer (in ``customer_ids`` order) of what the models read; see the
    module's docstring. Checked when made: equal lengths, whole non-negative
    frequencies, 0 ≤ recency ≤ T, recency 0 for one-time buyers, no negative spend."""

    customer_ids: tuple[K, ...]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary: FloatArray
    time_unit: str = "weeks"
    calibration_end: datetime.date | None = None
    holdout_frequency: FloatArray | None = None
    holdout_revenue: FloatArray | None = None
    #: The holdout period's length in ``time_unit`` (``observation_end`` − ``calibration_end``).
    holdout_length: float | None = None

    def __post_init__(self) -> None:
        _days_per_unit(self.time_unit)
        columns = {
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
            "monetary": self.monetary,
            "holdout_frequency": self.holdout_frequency,
            "holdout_revenue": self.holdout_revenue,
        }
        for name, values in columns.items():
            if values is None:
                continue
            column = _column(values, name)
            if len(column) != len(self.customer_ids):
                raise BadHistory(
                    _("%(name)s has %(n)d values for %(customers)d customers.")
                    % {"name": name, "n": len(column), "customers": len(self.customer_ids)}
                )
            if np.any(column < 0):
                raise BadHistory(_("%(name)s holds a negative value.") % {"name": name})
            object.__setattr__(self, name, column)
        self._check_consistency()

    def _check_consistency(self) -> None:
        x, t_x, age = self.frequency, self.recency, self.T
        if np.any(x != np.floor(x)):
            raise BadHistory(_("frequency counts purchases: whole numbers only."))
        if np.any(t_x > age):
            raise BadHistory(
                _("recency cannot be longer than T (the time since the first purchase).")
            )
        if np.any((x == 0) & (t_x != 0)):
            raise BadHistory(_("recency must be 0 for a customer with no repeat purchase."))
        if self.holdout_length is not None and not (
            math.isfinite(self.holdout_length) and self.holdout_length >= 0
        ):
            raise BadHistory(_("The holdout period cannot be negative."))

    def __len__(self) -> int:
        return len(self.customer_ids)

    @property
    def repeat_customers(self) -> int:
        """How many customers bought again after their first purchase."""
        return int(np.count_nonzero(self.frequency))


def summary_from_arrays(
    customer_ids: Sequence[K],
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike | None = None,
    *,
    time_unit: str = "weeks",
) -> Summary[K]:
    """A ``Summary`` of numbers already computed elsewhere (a SQL query, a simulation);
    ``monetary`` 0 when not given. Checked as every summary is."""
    x = _column(frequency, "frequency")
    return Summary(
        customer_ids=tuple(customer_ids),
        frequency=x,
        recency=_column(recency, "recency"),
        T=_column(T, "T"),
        monetary=np.zeros_like(x) if monetary is None else _column(monetary, "monetary"),
        time_unit=time_unit,
    )


def _as_day(value: object, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise BadHistory(_("%(name)s must be a date.") % {"name": name})


def _checked(row: object, number: int) -> tuple[Any, datetime.date, float]:
    """(customer, day, amount) of one transaction, or ``BadHistory`` naming the row."""
    if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != 3:
        raise BadHistory(
            _("Row %(row)d: a transaction is a customer, a date and an amount.") % {"row": number},
            row=number,
        )
    customer, when, amount = row
    if isinstance(when, datetime.datetime):
        day = when.date()
    elif isinstance(when, datetime.date):
        day = when
    else:
        raise BadHistory(
            _("Row %(row)d: %(value)s is not a date.") % {"row": number, "value": repr(when)},
            row=number,
        )
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise BadHistory(
            _("Row %(row)d: the amount %(value)s is not a number.")
            % {"row": number, "value": repr(amount)},
            row=number,
        )
    value = float(amount)
    if not math.isfinite(value):
        raise BadHistory(
            _("Row %(row)d: the amount is not a number.") % {"row": number}, row=number
        )
    if value < 0:
        raise BadHistory(
            _(
                "Row %(row)d: the amount %(value)s is negative. Leave refunds and returns "
                "out of the purchase history."
            )
            % {"row": number, "value": amount},
            row=number,
        )
    return customer, day, value


def summary_from_transactions(
    rows: Iterable[Transaction[K]],
    *,
    calibration_end: datetime.date,
    time_unit: str = "weeks",
    observation_end: datetime.date | None = None,
) -> Summary[K]:
    """Summarise ``rows`` of (customer, date or datetime, amount), in any order, as of
    ``calibration_end`` (inclusive). A datetime counts by its date, so convert aware
    datetimes to the shop's time zone first. Customers whose first purchase comes
    after ``calibration_end`` are left out (there is nothing to judge them on), as are
    purchases after ``observation_end`` (or after ``calibration_end`` without one):
    that is how a fit "as of" a past date ignores what came later. Customers come in
    the order of their first row.

    Raises ``BadHistory`` for a row that is not (customer, date, amount), a negative or
    non-numeric amount, an unknown ``time_unit``, or an ``observation_end`` before
    ``calibration_end``. An empty history gives an empty summary; fitting it raises
    ``ModelDidNotConverge``."""
    per_day = _days_per_unit(time_unit)
    cal_end = _as_day(calibration_end, "calibration_end")
    obs_end = None if observation_end is None else _as_day(observation_end, "observation_end")
    if obs_end is not None and obs_end < cal_end:
        raise BadHistory(
            _(
                "The holdout period would end on %(end)s, before the calibration period "
                "ends on %(start)s: swap the two dates."
            )
            % {"end": obs_end.isoformat(), "start": cal_end.isoformat()}
        )
    last_day = obs_end or cal_end
    # Each day's amounts are kept and added up with fsum, so that the order of the rows
    # cannot change a cent of the result.
    days: dict[K, dict[datetime.date, tuple[float, ...]]] = {}
    for number, row in enumerate(rows, start=1):
        customer, day, value = _checked(row, number)
        if day > last_day:
            continue
        amounts = days.setdefault(customer, {})
        amounts[day] = (*amounts.get(day, ()), value)

    ids: list[K] = []
    columns: list[list[float]] = [[], [], [], [], [], []]
    for customer, amounts in days.items():
        spent = {day: math.fsum(values) for day, values in amounts.items()}
        calibration = sorted(day for day in spent if day <= cal_end)
        if not calibration:
            continue
        first, last = calibration[0], calibration[-1]
        repeat = [spent[day] for day in calibration[1:]]
        later = [value for day, value in spent.items() if day > cal_end]
        ids.append(customer)
        for column, value in zip(
            columns,
            (
                len(repeat),
                (last - first).days / per_day,
                (cal_end - first).days / per_day,
                math.fsum(repeat) / len(repeat) if repeat else 0.0,
                len(later),
                math.fsum(later),
            ),
            strict=True,
        ):
            column.append(value)
    x, t_x, age, monetary, holdout_x, holdout_revenue = (
        np.asarray(column, dtype=np.float64) for column in columns
    )
    holdout = obs_end is not None
    return Summary(
        customer_ids=tuple(ids),
        frequency=x,
        recency=t_x,
        T=age,
        monetary=monetary,
        time_unit=time_unit,
        calibration_end=cal_end,
        holdout_frequency=holdout_x if holdout else None,
        holdout_revenue=holdout_revenue if holdout else None,
        holdout_length=(obs_end - cal_end).days / per_day if obs_end is not None else None,
    )
