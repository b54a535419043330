"""Expected revenue: the BG/NBD's expected purchases times the Gamma-Gamma's expected
spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV", section 3; the two models
are independent, so the expectation of the product is the product of expectations).

Without discounting, a customer's expected revenue over a horizon h is
E[Y(h) | x, t_x, T] · E[M | x, m_x]. With an annual discount rate d, the horizon is cut
into steps (monthly by default) and the purchases expected in each step are valued at
the step's end: Σₖ (E[Y(tₖ)] − E[Y(tₖ₋₁)]) · E[M] · (1 + d)^−(tₖ in years). Valuing each
step at its end rather than at the moment of each purchase slightly understates the
value (by less than one step's discount).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from clientela.analytics.clv.bgnbd import BGNBD
from clientela.analytics.clv.errors import BadHistory
from clientela.analytics.clv.spend import GammaGamma
from clientela.analytics.clv.summary import Summary, units

FloatArray = npt.NDArray[np.float64]


def expected_revenue(
    transactions: BGNBD,
    spend: GammaGamma,
    history: Summary[Any],
    horizon: float,
    *,
    annual_discount_rate: float = 0.0,
    steps: int | None = None,
) -> FloatArray:
    """Each customer's expected revenue over the next ``horizon`` time units (in the
    models' ``time_unit``), in the currency of the spend the models were fitted on;
    discounted at ``annual_discount_rate`` (0.1 for 10 % a year) over ``steps`` equal
    steps (default: one per month of the horizon). See the module's docstring."""
    if not (math.isfinite(annual_discount_rate) and 0 <= annual_discount_rate <= 1):
        raise BadHistory(_("The discount rate must be between 0 and 1 (100 %) a year."))
    if steps is not None and steps < 1:
        raise BadHistory(_("The horizon needs at least one step."))
    per_purchase = spend.expected_spend(history)
    if annual_discount_rate == 0:
        return transactions.expected_purchases(horizon, history) * per_purchase
    if steps is None:
        steps = max(1, math.ceil(horizon / units(365.25 / 12, history.time_unit) - 1e-9))
    years = units(365.25, history.time_unit)
    total = np.zeros(len(history), dtype=np.float64)
    before = np.zeros(len(history), dtype=np.float64)
    for k in range(1, steps + 1):
        t = horizon * k / steps
        by_then = transactions.expected_purchases(t, history)
        total += (by_then - before) * (1 + annual_discount_rate) ** (-t / years)
        before = by_then
    return total * per_purchase
