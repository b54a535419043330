"""The BG/NBD model of repeat buying: Fader, Hardie & Lee (2005), "'Counting Your
Customers' the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science
24(2), 275–284.

The story it tells: while a customer is "alive" she buys at her own steady rate λ (a
Poisson process); right after each purchase she may leave for good with her own
probability p. Across customers λ follows a gamma distribution (shape r, rate α) and p
a beta distribution (a, b). Nobody sees λ, p or the moment a customer leaves; the model
infers them from each customer's frequency x, recency t_x and age T (see ``summary``).

The likelihood of one customer (the paper's equation 6) is

    L = Γ(r+x) α^r / Γ(r) · B(a, b+x) / B(a, b)
        · [ (α+T)^−(r+x) + 1{x>0} · a / (b+x−1) · (α+t_x)^−(r+x) ]

computed here in logs (``gammaln``, ``betaln``) with the bracket as a log-sum-exp, so it
stays finite for customers with hundreds of purchases. The conditional expectation
(equation 10) needs the Gaussian hypergeometric function ₂F₁(r+x, b+x; a+b+x−1; z),
whose first two parameters grow with x; Euler's transformation turns
(1−z)^(r+x) ₂F₁(r+x, b+x; c; z) into (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; c; z), whose
parameters do not, and which SciPy evaluates accurately for any x.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from clientela.analytics.clv.errors import BadHistory, ModelDidNotConverge
from clientela.analytics.clv.fitting import compress, maximise_or_pull
from clientela.analytics.clv.summary import Summary

FloatArray = npt.NDArray[np.float64]

#: Fewer customers than this tell too little to fit four parameters.
MIN_CUSTOMERS = 20
#: a exactly 1 makes equation 10's (a−1) a 0/0; the formula is continuous there, so it
#: is evaluated this close to 1 instead.
_NEAR_ONE = 1e-7


@dataclass(frozen=True)
class BGNBD:
    """A fitted BG/NBD model: r and ``alpha`` (α, in ``time_unit``) for the buying rate,
    a and b for the chance to leave after a purchase; ``log_likelihood`` of the fit over
    its ``customers``. Every method takes a ``Summary`` (its frequency, recency and T, in
    the model's ``time_unit``) and answers one value per customer."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    time_unit: str
    #: 0.0 for a plain maximum-likelihood fit; otherwise the pull that stopped a
    #: parameter running off (``fitting.maximise_or_pull``).
    penalty: float = 0.0

    @property
    def params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.a, self.b

    def p_alive(self, history: Summary[Any]) -> FloatArray:
        """The probability that each customer is still active at the end of her history
        (equation 13). A customer with no repeat purchase is alive by the model's own
        assumption (one can only leave right after a repeat purchase): 1."""
        _same_unit(self, history)
        return p_alive(self.params, history.frequency, history.recency, history.T)

    def expected_purchases(self, t: float, history: Summary[Any]) -> FloatArray:
        """How many purchases each customer is expected to make in the next ``t`` time
        units, given her history (equation 10)."""
        _same_unit(self, history)
        return conditional_expected_purchases(
            self.params, _duration(t), history.frequency, history.recency, history.T
        )

    def expected_count(self, t: npt.ArrayLike) -> FloatArray:
        """E[X(t)]: repeat purchases expected from a customer picked at random during her
        first ``t`` time units (equation 9), knowing nothing of her history."""
        return expected_count(self.params, _durations(t))

    def expected_holdout_purchases(self, t: float, history: Summary[Any]) -> FloatArray:
        """Repeat purchases expected from each customer between her age T and T + ``t``
        knowing only when she first bought: E[X(T+t)] − E[X(T)]. Summed over a cohort
        it is the paper's forecast of the holdout period's sales (its Figure 3)."""
        _same_unit(self, history)
        ages = history.T
        return expected_count(self.params, ages + _duration(t)) - expected_count(self.params, ages)


def _same_unit(model: BGNBD, history: Summary[Any]) -> None:
    if history.time_unit != model.time_unit:
        raise BadHistory(
            _("The model counts time in %(model)s but this history in %(history)s.")
            % {"model": model.time_unit, "history": history.time_unit}
        )


def _duration(t: float) -> float:
    value = float(t)
    if not np.isfinite(value) or value < 0:
        raise BadHistory(_("A forecast period must be zero or more."))
    return value


def _durations(t: npt.ArrayLike) -> FloatArray:
    values = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise BadHistory(_("A forecast period must be zero or more."))
    return values


def _finite(values: FloatArray) -> FloatArray:
    if not np.all(np.isfinite(values)):
        raise ModelDidNotConverge(
            "not-finite", _("The model gave no usable figure for some customers.")
        )
    return values


def _near_one(a: float) -> float:
    if abs(a - 1.0) < _NEAR_ONE:
        return 1.0 + _NEAR_ONE
    return a


# --- the formulas -------------------------------------------------------------------


def log_likelihood(
    params: tuple[float, float, float, float], x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Each customer's log-likelihood (equation 6, in logs)."""
    return _terms(np.log(np.asarray(params, dtype=np.float64)), x, t_x, T, gradient=False)[0]


def _terms(
    log_params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray, *, gradient: bool
) -> tuple[FloatArray, FloatArray | None]:
    """Per customer: log-likelihood and, when asked, its gradient in the log-parameters
    (one column each for log r, log α, log a, log b)."""
    r, alpha, a, b = np.exp(log_params)
    repeat = x > 0
    b_x1 = np.where(repeat, b + x - 1, 1.0)
    log_a3 = -(r + x) * np.log(alpha + T)
    log_a4 = np.where(repeat, np.log(a) - np.log(b_x1) - (r + x) * np.log(alpha + t_x), -np.inf)
    bracket = np.logaddexp(log_a3, log_a4)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b) + bracket
    if not gradient:
        return ll, None
    w4 = np.exp(log_a4 - bracket)  # the A4 term's share of the bracket (0 if x = 0)
    w3 = 1.0 - w4
    d_r = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w3 * np.log(alpha + T)
        - w4 * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + t_x))
    d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
    d_b = digamma(b + x) - digamma(b) + digamma(a + b) - digamma(a + b + x) - w4 / b_x1
    grad = np.column_stack((d_r * r, d_alpha * alpha, d_a * a, d_b * b))
    return ll, grad


def p_alive(
    params: tuple[float, float, float, float], x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """P(alive | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)),
    as the logistic of minus the log-odds of having left, so it never overflows."""
    r, alpha, a, b = params
    repeat = x > 0
    log_odds_gone = (
        np.log(a)
        - np.log(np.where(repeat, b + x - 1, 1.0))
        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return _finite(np.where(repeat, expit(-log_odds_gone), 1.0))


def conditional_expected_purchases(
    params: tuple[float, float, float, float],
    t: float,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
) -> FloatArray:
    """E[Y(t) | x, t_x, T] (equation 10) with Euler's transformation (module docstring):
    P(alive) · (a+b+x−1)/(a−1) · [1 − u^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z)],
    u = (α+T)/(α+T+t), z = 1 − u."""
    r, alpha, a, b = params
    a = _near_one(a)
    c = a + b + x - 1
    u = (alpha + T) / (alpha + T + t)
    z = t / (alpha + T + t)
    bracket = -np.expm1((a - 1) * np.log(u)) + np.exp((a - 1) * np.log(u)) * (
        1.0 - hyp2f1(a + b - 1 - r, a - 1, c, z)
    )
    return _finite(p_alive(params, x, t_x, T) * c / (a - 1) * bracket)


def expected_count(params: tuple[float, float, float, float], t: FloatArray) -> FloatArray:
    """E[X(t)] = (a+b−1)/(a−1) · [1 − u^(a−1) ₂F₁(a+b−1−r, a−1; a+b−1; z)] with
    u = α/(α+t), z = t/(α+t) (equation 9 after Euler's transformation)."""
    r, alpha, a, b = params
    a = _near_one(a)
    c = a + b - 1
    u = alpha / (alpha + t)
    z = t / (alpha + t)
    bracket = -np.expm1((a - 1) * np.log(u)) + np.exp((a - 1) * np.log(u)) * (
        1.0 - hyp2f1(c - r, a - 1, c, z)
    )
    return _finite(np.asarray(c / (a - 1) * bracket, dtype=np.float64))


# --- the fit ------------------------------------------------------------------------


def fit_bgnbd(history: Summary[Any], *, min_customers: int = MIN_CUSTOMERS) -> BGNBD:
    """Fit r, α, a, b to ``history`` by maximum likelihood. Raises
    ``ModelDidNotConverge`` when there are fewer than ``min_customers`` customers, when
    nobody bought twice (nothing to learn about repeat buying), or when the likelihood
    has no maximum the optimiser can find."""
    n = len(history)
    if n < min_customers:
        raise ModelDidNotConverge(
            "too-few-customers",
            ngettext(
                "The purchase history has %(n)d customer; the model needs at least %(min)d.",
                "The purchase history has %(n)d customers; the model needs at least %(min)d.",
                n,
            )
            % {"n": n, "min": min_customers},
        )
    if history.repeat_customers == 0:
        raise ModelDidNotConverge(
            "no-repeat-buyers",
            _(
                "No customer has bought a second time yet, so there is nothing to learn "
                "about how often customers come back."
            ),
        )
    (x, t_x, T), weights = compress(history.frequency, history.recency, history.T)
    total = float(weights.sum())

    def objective(log_params: npt.NDArray[np.float64]) -> tuple[float, FloatArray]:
        ll, grad = _terms(log_params, x, t_x, T, gradient=True)
        assert grad is not None
        return -float(weights @ ll) / total, -(weights @ grad) / total

    # Starts: the unit point, and one whose rate r/α matches the observed repeat rate.
    rate = max(float(history.frequency.sum()) / max(float(history.T.sum()), 1e-9), 1e-6)
    starts = [
        (0.0, 0.0, 0.0, 0.0),
        (0.0, -np.log(rate), 0.0, np.log(3.0)),
        (np.log(0.5), np.log(0.5 / rate), np.log(0.5), 0.0),
    ]
    (r, alpha, a, b), mean_ll, penalty = maximise_or_pull(
        objective, starts, ("r", "alpha", "a", "b")
    )
    return BGNBD(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=mean_ll * total,
        customers=n,
        time_unit=history.time_unit,
        penalty=penalty,
    )
