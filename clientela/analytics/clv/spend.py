"""The Gamma-Gamma model of spend per purchase: Fader, Hardie & Lee (2005), "RFM and
CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research
42(4), 415–430, as written out in Fader & Hardie (2013), "The Gamma-Gamma Model of
Monetary Value" (brucehardie.com/notes/025).

Each customer's purchases vary around her own mean value; the values follow a gamma
distribution (shape p, rate ν), and ν varies across customers as a gamma (shape q,
rate γ). Given x repeat purchases averaging m_x, the likelihood of one customer is

    Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m_x^(px−1) · x^(px) / (γ + x·m_x)^(px+q)

and her expected average spend is a weighted mean of the population mean p·γ/(q−1)
and her own average: (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m_x. The more she has
bought, the more her own average counts. The model assumes spend does not depend on
how often a customer buys; it is fitted on the customers with at least one repeat
purchase, whose m_x is their repeat purchases' average (the first purchase aside).

γ is called ``v`` here, as in the API and in the ``lifetimes`` package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy.special import digamma, gammaln

from clientela.analytics.clv.errors import ModelDidNotConverge
from clientela.analytics.clv.fitting import compress, maximise
from clientela.analytics.clv.summary import Summary

FloatArray = npt.NDArray[np.float64]

#: Fewer repeat customers with a positive spend than this tell too little about spend.
MIN_REPEAT_CUSTOMERS = 10
#: The most the fitted average spend per purchase may exceed the repeat customers'
#: average of their own averages (CDNOW: 35.2 fitted for 35.1 observed).
MAX_MEAN_RATIO = 2.0


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma model: p, q and v (γ); ``log_likelihood`` over its
    ``customers`` (the repeat customers with a positive spend it was fitted on)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int

    @property
    def mean_spend(self) -> float:
        """The average spend per purchase across all customers: p·γ/(q−1)."""
        return self.p * self.v / (self.q - 1)

    def expected_spend(self, history: Summary[Any]) -> FloatArray:
        """Each customer's expected average spend per future purchase, given her
        ``frequency`` and ``monetary``: p(γ + x·m_x)/(px + q − 1). For a one-time buyer
        (x = 0) it is the population's ``mean_spend``."""
        return expected_spend((self.p, self.q, self.v), history.frequency, history.monetary)


def log_likelihood(params: tuple[float, float, float], x: FloatArray, m: FloatArray) -> FloatArray:
    """Each repeat customer's log-likelihood (x ≥ 1, m > 0)."""
    return _terms(np.log(np.asarray(params, dtype=np.float64)), x, m, gradient=False)[0]


def _terms(
    log_params: FloatArray, x: FloatArray, m: FloatArray, *, gradient: bool
) -> tuple[FloatArray, FloatArray | None]:
    p, q, v = np.exp(log_params)
    px = p * x
    log_spent = np.log(v + x * m)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_spent
    )
    if not gradient:
        return ll, None
    d_p = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - log_spent)
    d_q = digamma(px + q) - digamma(q) + np.log(v) - log_spent
    d_v = q / v - (px + q) / (v + x * m)
    return ll, np.column_stack((d_p * p, d_q * q, d_v * v))


def expected_spend(params: tuple[float, float, float], x: FloatArray, m: FloatArray) -> FloatArray:
    p, q, v = params
    values = p * (v + x * m) / (p * x + q - 1)
    if not np.all(np.isfinite(values)):
        raise ModelDidNotConverge(
            "not-finite", _("The spend model gave no usable figure for some customers.")
        )
    return np.asarray(values, dtype=np.float64)


def fit_gamma_gamma(
    history: Summary[Any], *, min_customers: int = MIN_REPEAT_CUSTOMERS
) -> GammaGamma:
    """Fit p, q, γ on ``history``'s repeat customers with a positive average spend (a
    customer whose repeat purchases were all free tells nothing about spend). Raises
    ``ModelDidNotConverge`` with fewer than ``min_customers`` of them, without a maximum,
    or when q ≤ 1: then spend varies so wildly that the average has no finite value
    and a revenue forecast would mean nothing."""
    repeat = (history.frequency > 0) & (history.monetary > 0)
    n = int(np.count_nonzero(repeat))
    if n < min_customers:
        reason = "no-spend" if n == 0 else "too-few-customers"
        raise ModelDidNotConverge(
            reason,
            ngettext(
                "Only %(n)d customer has bought again with a known amount; the spend "
                "model needs at least %(min)d.",
                "Only %(n)d customers have bought again with a known amount; the spend "
                "model needs at least %(min)d.",
                n,
            )
            % {"n": n, "min": min_customers},
        )
    (x, m), weights = compress(history.frequency[repeat], history.monetary[repeat])
    total = float(weights.sum())

    def objective(log_params: npt.NDArray[np.float64]) -> tuple[float, FloatArray]:
        ll, grad = _terms(log_params, x, m, gradient=True)
        assert grad is not None
        return -float(weights @ ll) / total, -(weights @ grad) / total

    # Starts: the unit point, and one whose population mean pγ/(q−1) is the observed one.
    mean = float(np.average(m, weights=weights))
    starts = [(0.0, 0.0, 0.0), (0.0, np.log(3.0), np.log(2.0 * mean))]
    # No pull here (unlike BG/NBD): pulling q towards 1 is pulling the average spend
    # p·γ/(q−1) towards infinity.
    (p, q, v), mean_ll = maximise(objective, starts, ("p", "q", "v"))
    # q ≤ 1: no finite average; an average far above the customers' own (q just above
    # 1) means a few customers' spend dominates it: neither is a forecast to act on.
    if q <= 1 or p * v / (q - 1) > MAX_MEAN_RATIO * mean:
        raise ModelDidNotConverge(
            "heavy-tailed-spend",
            _(
                "Spend per purchase varies too wildly between customers to estimate an "
                "average (a few very large purchases dominate it)."
            ),
        )
    return GammaGamma(
        p=float(p),
        q=float(q),
        v=float(v),
        log_likelihood=mean_ll * total,
        customers=n,
    )
