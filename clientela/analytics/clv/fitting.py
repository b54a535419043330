"""Maximum likelihood on log-parameters, shared by both models.

Every parameter of both models is positive, so the optimiser works on their logarithms
(no constraint to keep, and a step means the same relative change at 0.01 as at 100).
It minimises the *mean* negative log-likelihood per customer, so the tolerances mean
the same for 200 customers as for 200,000, with the analytic gradient, from a few
starting points, and keeps the best answer. A maximum that lies on the search box's
edge (a parameter running off to 0 or to infinity) is not a fit: the history does not
pin the model down, and ``ModelDidNotConverge`` says so.

``penalty`` > 0 adds ``penalty · Σ (log θ)²`` to what is minimised, a gentle pull of
every parameter towards 1 (on a log scale, so it treats 0.01 and 100 alike), like the
``penalizer_coef`` of the ``lifetimes`` library. The models use it only when a plain fit
runs off: a small shop's customers often drop out at much the same rate, and the
likelihood of the BG/NBD then keeps rising as a and b grow together towards a fixed
chance of leaving. The pull stops them at large, finite values that forecast the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _
from scipy.optimize import minimize

from clientela.analytics.clv.errors import ModelDidNotConverge

FloatArray = npt.NDArray[np.float64]

#: The search box on each log-parameter: e^±12 is 6·10⁻⁶ to 1.6·10⁵.
LOG_BOUND = 12.0
#: A best point whose gradient (of the mean log-likelihood, per log-parameter) is larger
#: than this is no maximum, whatever the optimiser reported.
GRADIENT_TOLERANCE = 1e-4

Objective = Callable[[FloatArray], tuple[float, FloatArray]]


def compress(*columns: FloatArray) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """The distinct rows of ``columns`` and how many times each occurs: customers with
    the same history add the same term to the likelihood, and histories counted in days
    repeat a lot (CDNOW's 2,357 customers have 1,016 distinct ones)."""
    stacked = np.column_stack(columns)
    distinct, counts = np.unique(stacked, axis=0, return_counts=True)
    return tuple(distinct[:, i] for i in range(distinct.shape[1])), counts.astype(np.float64)


#: The pull a fit that ran off is done again with (see the module's docstring).
FALLBACK_PENALTY = 1e-3


def maximise(
    objective: Objective,
    starts: Sequence[Sequence[float]],
    names: Sequence[str],
    *,
    penalty: float = 0.0,
) -> tuple[FloatArray, float]:
    """The parameters (not their logs) maximising the mean log-likelihood (less the
    ``penalty`` term), and the mean log-likelihood there (without it).
    ``objective(log_params)`` returns the mean *negative* log-likelihood and its gradient.
    Raises ``ModelDidNotConverge`` when no start leads to a finite interior maximum."""
    plain = objective
    if penalty:

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            value, gradient = plain(log_params)
            pull = penalty * float(log_params @ log_params)
            return value + pull, gradient + 2 * penalty * log_params

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(names)
    best_x: FloatArray | None = None
    best_value = np.inf
    for start in starts:
        with np.errstate(all="ignore"):
            result = minimize(
                objective,
                np.clip(np.asarray(start, dtype=np.float64), -LOG_BOUND + 1, LOG_BOUND - 1),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9},
            )
        value = float(result.fun)
        if np.isfinite(value) and np.all(np.isfinite(result.x)) and value < best_value:
            best_x, best_value = np.asarray(result.x, dtype=np.float64), value
    if best_x is None:
        raise ModelDidNotConverge(
            "not-finite",
            _("The model could not be computed for this purchase history (no finite fit)."),
        )
    _check_interior(best_x, names)
    with np.errstate(all="ignore"):
        _value, gradient = objective(best_x)
    if not np.all(np.isfinite(gradient)) or np.max(np.abs(gradient)) > GRADIENT_TOLERANCE:
        raise ModelDidNotConverge(
            "optimiser",
            _(
                "The model's fit did not settle on this purchase history. Try again with "
                "more history, or a later date."
            ),
        )
    if penalty:
        with np.errstate(all="ignore"):
            best_value = plain(best_x)[0]
    return np.exp(best_x), -best_value


def maximise_or_pull(
    objective: Objective, starts: Sequence[Sequence[float]], names: Sequence[str]
) -> tuple[FloatArray, float, float]:
    """``maximise``, and when its maximum runs off to the edge, ``maximise`` again with
    ``FALLBACK_PENALTY``; also answers the penalty used (0.0: a plain fit)."""
    try:
        params, mean_ll = maximise(objective, starts, names)
    except ModelDidNotConverge as plain_failure:
        if plain_failure.reason != "unbounded":
            raise
        try:
            params, mean_ll = maximise(objective, starts, names, penalty=FALLBACK_PENALTY)
        except ModelDidNotConverge:
            raise plain_failure from None
        return params, mean_ll, FALLBACK_PENALTY
    return params, mean_ll, 0.0


def _check_interior(log_params: FloatArray, names: Sequence[str]) -> None:
    edge = np.abs(log_params) >= LOG_BOUND - 1e-3
    if not np.any(edge):
        return
    name = names[int(np.argmax(edge))]
    raise ModelDidNotConverge(
        "unbounded",
        _(
            "The purchase history does not pin the model down: its parameter %(name)s "
            "runs off to %(limit)s. This happens with few customers, little repeat "
            "buying, or customers who all behave exactly alike; more history usually helps."
        )
        % {
            "name": name,
            "limit": _("zero") if log_params[int(np.argmax(edge))] < 0 else _("infinity"),
        },
    )
