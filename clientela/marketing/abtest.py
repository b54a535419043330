"""Choosing an A/B test's winner (issue 15, item 5): the variant with the best rate of
opens or clicks wins only when a two-proportion z-test says the difference from the
runner-up is unlikely to be chance (p < ``ALPHA``), so a small list does not crown
noise; and only when each of the two has at least five successes and five failures
expected (the usual condition for the test's normal approximation to hold: with two
recipients a variant, 2 opens against 0 is no evidence). Otherwise there is no winner
and the campaign sends its first variant (the control) to the rest, saying so in its
results."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: The significance level: a winner is crowned at p < 0.05 (two-sided).
ALPHA = 0.05


@dataclass(frozen=True)
class VariantResult:
    key: str
    successes: int  # recipients who opened (or clicked)
    trials: int  # recipients the variant was sent to

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class Verdict:
    """The variant to send to the rest, whether the test decided it (``significant``)
    or it is the control by default, and the p-value of best against runner-up."""

    key: str
    significant: bool
    p_value: float


def two_proportion_p_value(s1: int, n1: int, s2: int, n2: int) -> float:
    """The two-sided p-value of "both variants have the same rate" (pooled z-test).
    1.0 when either side has no trials or the pooled rate is 0 or 1 (nothing to tell)."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    pooled = (s1 + s2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (s1 / n1 - s2 / n2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


#: Successes and failures each variant must be expected to have for the test to speak.
MIN_EXPECTED = 5


def _large_enough(a: VariantResult, b: VariantResult) -> bool:
    trials = a.trials + b.trials
    pooled = (a.successes + b.successes) / trials if trials else 0.0
    smaller = min(a.trials, b.trials)
    return smaller * pooled >= MIN_EXPECTED and smaller * (1 - pooled) >= MIN_EXPECTED


def pick_winner(results: Sequence[VariantResult], alpha: float = ALPHA) -> Verdict:
    """The variant to send to the rest of the audience. ``results`` in the campaign's
    order; the first is the control."""
    if not results:
        raise ValueError("an A/B test needs at least one variant")
    control = results[0]
    if len(results) == 1:
        return Verdict(control.key, False, 1.0)
    ranked = sorted(results, key=lambda r: r.rate, reverse=True)
    best, runner_up = ranked[0], ranked[1]
    p_value = two_proportion_p_value(
        best.successes, best.trials, runner_up.successes, runner_up.trials
    )
    if p_value < alpha and best.rate > runner_up.rate and _large_enough(best, runner_up):
        return Verdict(best.key, True, p_value)
    return Verdict(control.key, False, p_value)
