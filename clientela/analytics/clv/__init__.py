"""Customer lifetime value and churn (issue 13, item 6): the BG/NBD model of repeat
buying and the Gamma-Gamma model of spend, on NumPy and SciPy.

    summary = summary_from_transactions(rows, calibration_end=as_of, time_unit="weeks")
    buying = fit_bgnbd(summary)                  # r, alpha, a, b
    spending = fit_gamma_gamma(summary)          # p, q, v
    buying.p_alive(summary)                      # chance each customer is still active
    buying.expected_purchases(units(90, "weeks"), summary)
    expected_revenue(buying, spending, summary, units(365, "weeks"))

Bad input raises ``BadHistory``; a history the models cannot be fitted to raises
``ModelDidNotConverge``; both carry a translated ``message``. No function answers NaN.
What the figures mean and the references: docs/analytics.md.
"""

from clientela.analytics.clv.bgnbd import BGNBD, fit_bgnbd
from clientela.analytics.clv.errors import BadHistory, ModelDidNotConverge
from clientela.analytics.clv.revenue import expected_revenue
from clientela.analytics.clv.spend import GammaGamma, fit_gamma_gamma
from clientela.analytics.clv.summary import (
    DAYS_PER_UNIT,
    Summary,
    summary_from_arrays,
    summary_from_transactions,
    units,
)

__all__ = [
    "BGNBD",
    "DAYS_PER_UNIT",
    "BadHistory",
    "GammaGamma",
    "ModelDidNotConverge",
    "Summary",
    "expected_revenue",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "summary_from_arrays",
    "summary_from_transactions",
    "units",
]
